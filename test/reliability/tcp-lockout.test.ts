/**
 * ICE-TCP lockout (issue 17, hardening 1): an attacker from many loopback
 * source addresses (127.0.0.2…, under the per-source cap) fills a small
 * WebRtcServer TCP table and reopens every connection the server closes —
 * a third silent, a third sending a garbage frame, a third trickling a frame
 * a byte at a time (slowloris). While it holds the table, a werift ICE-TCP
 * client with the transport's credentials must reach DTLS 'connected'.
 * The attacker is bounded in connections opened and in time. Imports the
 * built package (`pnpm build` first).
 */
import { connect, type Socket as TcpSocket } from 'node:net';
import { frameRfc4571 } from '@tsfu/ice-lite';
import * as sfu from '@tsfu/sfu';
import { afterAll, describe, expect, it } from 'vitest';
import { type Client, connectClient, waitFor } from '../sfu/werift-client.js';

const TABLE = 64;
/** The attacker's bounds: connections opened, and how long it runs. */
const MAX_OPENS = 50_000;
const MAX_ATTACK_MS = 40_000;
const CONNECTED_WITHIN_MS = 15_000;

type Kind = 'silent' | 'garbage' | 'slowloris';

/** Keeps `TABLE` connections to `port` open, each from its own source address, reopening each as it closes. */
class Attacker {
  opened = 0;
  closedByServer = 0;
  private readonly open = new Set<TcpSocket>();
  private readonly trickling = new Set<TcpSocket>();
  private stopped = false;
  private readonly deadline = Date.now() + MAX_ATTACK_MS;
  private readonly ticker: NodeJS.Timeout;

  constructor(private readonly port: number) {
    for (let slot = 0; slot < TABLE; slot++) this.openSlot(slot);
    // Slowloris: one more byte of a never-finished frame on each trickling connection every 200 ms.
    this.ticker = setInterval(() => {
      for (const s of this.trickling) s.write(Buffer.of(0x41));
    }, 200);
  }

  get size(): number {
    return this.open.size;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.ticker);
    for (const s of this.open) s.destroy();
  }

  private openSlot(slot: number): void {
    if (this.stopped || this.opened >= MAX_OPENS || Date.now() > this.deadline) return;
    this.opened++;
    const kind: Kind = (['silent', 'garbage', 'slowloris'] as const)[slot % 3];
    const s = connect({ host: '127.0.0.1', port: this.port, localAddress: `127.0.0.${2 + (slot % 248)}` });
    this.open.add(s);
    s.on('error', () => {}); // resets of evicted or refused connections
    s.resume(); // nothing to read, but a close after unread data would wait for it
    s.once('connect', () => {
      if (kind === 'garbage') s.write(frameRfc4571(Buffer.alloc(120, 0xee)));
      if (kind === 'slowloris') {
        s.write(Buffer.of(0x01, 0x00)); // a 256-byte frame, never finished
        this.trickling.add(s);
      }
    });
    s.once('close', () => {
      this.open.delete(s);
      this.trickling.delete(s);
      if (this.stopped) return;
      this.closedByServer++;
      this.openSlot(slot);
    });
  }
}

const workers: sfu.Worker[] = [];
const clients: Client[] = [];
const attackers: Attacker[] = [];

afterAll(async () => {
  for (const a of attackers) a.stop();
  for (const c of clients) await c.pc.close().catch(() => {});
  for (const w of workers) w.close();
});

describe('ICE-TCP lockout', () => {
  it('a new ICE-TCP session reaches DTLS connected while an attacker holds the TCP table', async () => {
    const worker = await sfu.createWorker({ logLevel: 'warn' });
    workers.push(worker);
    const server = await worker.createWebRtcServer({
      listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1', port: 0, tsfuMaxTcpConnections: TABLE }],
    });
    const port = (await server.dump()).tcpServers[0].port;
    const router = await worker.createRouter({
      mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
    });
    const before = await server.getIoCounters();

    const attacker = new Attacker(port);
    attackers.push(attacker);
    await waitFor(
      async () => (await server.getIoCounters()).tcpConnections - before.tcpConnections === TABLE,
      10_000,
      'the attacker holding every slot',
    );
    const held = await server.getIoCounters();
    const opensBefore = attacker.opened;

    const transport = await router.createWebRtcTransport({ webRtcServer: server });
    const client = await connectClient(transport, { tcp: true });
    clients.push(client);
    await waitFor(() => transport.dtlsState === 'connected', CONNECTED_WITHIN_MS, 'DTLS connected');
    const during = await server.getIoCounters();
    attacker.stop();

    expect(transport.iceSelectedTuple?.protocol).toBe('tcp');
    // The attacker was at it throughout: it held the table, its connections kept being closed and reopened.
    expect(held.tcpConnectionsAccepted - before.tcpConnectionsAccepted).toBeGreaterThanOrEqual(TABLE);
    expect(attacker.opened).toBeGreaterThan(opensBefore);
    expect(attacker.closedByServer).toBeGreaterThan(0);
    // The table never grew past its size (the client's connection included).
    expect(during.tcpConnections - before.tcpConnections).toBeLessThanOrEqual(TABLE);
    // After the attack, only the client's connection stays.
    await waitFor(
      async () => (await server.getIoCounters()).tcpConnections - before.tcpConnections === 1,
      10_000,
      "only the client's connection left",
    );
    expect(transport.dtlsState).toBe('connected');
  });
});
