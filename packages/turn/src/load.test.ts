/**
 * Load: 500 allocations on one tsfu-turn process (the CLI, in a child
 * process so its memory is its own), each with a channel to an echoing peer,
 * then ChannelData at a bounded rate through all of them. Reports the
 * memory per allocation (not asserted tightly: it is a figure to watch).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TurnAttr, TurnMethod } from './turn-constants.js';
import { turnRestCredentials } from './turn-credentials.js';
import { channelData, relayedAddress, TestTurnClient } from './turn-test-client.test-util.js';

const ALLOCATIONS = 500;
const PACKETS_PER_ALLOCATION = 4;
/** Packets per second across all allocations (bounded: a shared 2-core machine). */
const RATE = 1000;
const CONCURRENCY = 25;
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface StatsLine {
  allocations: number;
  channelDataFromClients: number;
  channelDataToClients: number;
  rss: number;
  heapUsed: number;
}

let child: ChildProcess | undefined;
const clients: TestTurnClient[] = [];
afterAll(() => {
  for (const c of clients) c.close();
  child?.kill();
});

describe('load', () => {
  it(`${ALLOCATIONS} allocations with ChannelData at ${RATE} packets/s`, async () => {
    child = spawn(
      process.execPath,
      [
        '--expose-gc',
        cli,
        '--listen',
        'udp://127.0.0.1:0',
        '--secret',
        'load-secret',
        '--allow-peer',
        '127.0.0.1',
        '--min-port',
        '25000',
        '--max-port',
        '25999',
        '--user-quota',
        String(ALLOCATIONS * 2),
        '--stats-interval',
        '0.25',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let port = 0;
    let latest: StatsLine | undefined;
    let buffered = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const line = buffered.substring(0, nl);
        buffered = buffered.substring(nl + 1);
        const m = /listening turn:127\.0\.0\.1:(\d+)/.exec(line);
        if (m) port = Number(m[1]);
        else if (line.startsWith('{')) latest = JSON.parse(line) as StatsLine;
        nl = buffered.indexOf('\n');
      }
    });
    const until = async (cond: () => boolean, ms = 120_000) => {
      const deadline = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error('condition not met in time');
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    await until(() => port > 0 && latest !== undefined);
    const baseline = latest!;

    const peer = createSocket('udp4');
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
    peer.on('message', (m, rinfo) => peer.send(m, rinfo.port, rinfo.address)); // echo
    const peerPort = peer.address().port;

    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < ALLOCATIONS) {
        const i = next++;
        const cred = turnRestCredentials('load-secret', `user${i % 50}`, 3600);
        const c = await TestTurnClient.udp(port, cred.username, cred.credential);
        clients.push(c);
        const a = await c.allocate();
        relayedAddress(a); // throws when it failed
        const bound = await c.request(TurnMethod.ChannelBind, (w) => {
          w.addBytes(TurnAttr.ChannelNumber, Uint8Array.of(0x40, 0x00, 0, 0));
          w.addAddress('127.0.0.1', peerPort, TurnAttr.XorPeerAddress);
        });
        expect(bound.code).toBeUndefined();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const setupSeconds = (performance.now() - started) / 1000;
    await until(() => latest!.allocations === ALLOCATIONS);
    // Two more stats lines, so the sample is taken after the last allocation settled.
    const settled = latest;
    await until(() => latest !== settled);
    const loaded = latest!;

    const payload = Buffer.alloc(100, 0x5a);
    const total = ALLOCATIONS * PACKETS_PER_ALLOCATION;
    const batch = 50;
    const sendStart = performance.now();
    for (let sent = 0; sent < total; sent += batch) {
      for (let k = sent; k < Math.min(sent + batch, total); k++) {
        clients[k % ALLOCATIONS].send(channelData(0x4000, payload, false));
      }
      // Pace to RATE: wait until the wall clock catches up with what was sent.
      const due = sendStart + ((sent + batch) / RATE) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const received = () => clients.reduce((n, c) => n + c.channelData.length, 0);
    await until(() => received() >= total, 30_000).catch(() => {});
    const echoed = received();
    peer.close();

    const perAllocation = {
      rssKiB: (loaded.rss - baseline.rss) / ALLOCATIONS / 1024,
      heapKiB: (loaded.heapUsed - baseline.heapUsed) / ALLOCATIONS / 1024,
    };
    console.log(
      `turn load: ${ALLOCATIONS} allocations + channels in ${setupSeconds.toFixed(1)} s; ` +
        `${echoed}/${total} ChannelData echoed at ${RATE}/s; ` +
        `memory per allocation: rss ${perAllocation.rssKiB.toFixed(1)} KiB, heap ${perAllocation.heapKiB.toFixed(1)} KiB`,
    );
    expect(loaded.allocations).toBe(ALLOCATIONS);
    // Loopback UDP at a bounded rate: a loaded machine may drop a few, not many.
    expect(echoed).toBeGreaterThanOrEqual(total * 0.95);
    expect(perAllocation.heapKiB).toBeLessThan(256); // a generous ceiling: leaks would be far above
  }, 300_000);
});
