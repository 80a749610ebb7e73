/**
 * The baseline relay of `data-fanout.ts`, in a worker thread of its own (as
 * tsfu's worker is): werift-sctp associations over UDP, one toward the producer
 * client and one per consumer client; every message from the producer is sent
 * on to every consumer. What a data-channel relay built on the existing
 * pure-TS SCTP stack looks like, without the SFU's API around it.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

const requireCjs = createRequire(import.meta.url);
interface WeriftSctp {
  onReceive: { subscribe(fn: (sid: number, ppid: number, data: Buffer) => void): unknown };
  send(sid: number, ppid: number, data: Buffer, opts?: { ordered?: boolean }): Promise<void>;
  start(remotePort?: number): Promise<void>;
  stop(): Promise<void>;
}
const weriftSctp = requireCjs('werift-sctp') as {
  SCTP: { server(t: unknown): WeriftSctp };
  createUdpTransport(s: Socket, rinfo: { address: string; port: number }): unknown;
};

/** The request: the clients' UDP ports, the producer's first. The answer: the relay's ports, same order. */
export interface WeriftRelayRequest {
  clientPorts: number[];
}

const port = parentPort;
if (!port) throw new Error('data-relay-werift runs in a worker thread');

const sockets: Socket[] = [];
const associations: WeriftSctp[] = [];

port.on('message', async (m: WeriftRelayRequest | 'close') => {
  if (m === 'close') {
    for (const a of associations) await a.stop().catch(() => {});
    for (const s of sockets) s.close();
    port.close();
    return;
  }
  for (const clientPort of m.clientPorts) {
    const s = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    sockets.push(s);
    associations.push(
      weriftSctp.SCTP.server(weriftSctp.createUdpTransport(s, { address: '127.0.0.1', port: clientPort })),
    );
  }
  const [producer, ...consumers] = associations;
  producer.onReceive.subscribe((_sid, ppid, data) => {
    for (const c of consumers) void c.send(0, ppid, data, { ordered: true });
  });
  for (const a of associations) void a.start(5000);
  port.postMessage(sockets.map((s) => s.address().port));
});
