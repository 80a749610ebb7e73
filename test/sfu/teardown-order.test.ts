/**
 * Teardown runs one ordered path: a transport's DTLS close_notify, then its
 * tuples, then its sockets — each control message to the I/O thread is
 * handled after every packet queued before it, with no timer in between.
 * Seen from a synthetic client: the close_notify arrives even though the
 * socket it leaves from is closed right behind it.
 * Imports the built package (`pnpm exec tsc -b packages/sfu` first).
 */
import * as sfu from '@tsfu/sfu';
import { SyntheticWebRtcClient } from '@tsfu/sfu/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, waitFor } from './media-rig.js';

const opus = [{ kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 }];

let worker: sfu.Worker;
const clients: SyntheticWebRtcClient[] = [];

beforeAll(async () => {
  worker = await sfu.createWorker({ logLevel: 'warn' });
});

afterAll(() => worker.close());

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

async function connect(transport: sfu.WebRtcTransport): Promise<SyntheticWebRtcClient> {
  const client = await SyntheticWebRtcClient.create();
  clients.push(client);
  await transport.connect({ dtlsParameters: client.dtlsParameters });
  await client.connect({
    iceParameters: transport.iceParameters,
    iceCandidates: transport.iceCandidates,
    dtlsParameters: transport.dtlsParameters,
  });
  await waitFor(() => transport.dtlsState === 'connected', 5_000, 'server DTLS connected');
  return client;
}

describe('teardown order (close_notify, then tuples, then sockets)', () => {
  it('transport.close() on its own socket: the close_notify leaves before the socket closes', async () => {
    const server = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const router = await worker.createRouter({ mediaCodecs: opus });
    const transport = await router.createWebRtcTransport({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
    });
    const client = await connect(transport);
    const before = await server.getIoCounters();
    transport.close();
    await waitFor(() => client.dtlsState === 'closed', 5_000, 'close_notify at the client');
    const after = await pollUntil(
      () => server.getIoCounters(),
      (io) => io.sockets === before.sockets - 1 && io.tuples === before.tuples - 1,
      5_000,
    );
    expect(after.sockets).toBe(before.sockets - 1);
    expect(after.tuples).toBe(before.tuples - 1);
    router.close();
    server.close();
  });

  it('webRtcServer.close(): every transport on it sends its close_notify before the shared socket closes', async () => {
    const server = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const router = await worker.createRouter({ mediaCodecs: opus });
    const a = await connect(await router.createWebRtcTransport({ webRtcServer: server }));
    const b = await connect(await router.createWebRtcTransport({ webRtcServer: server }));
    const before = await server.getIoCounters();
    server.close();
    await waitFor(() => a.dtlsState === 'closed' && b.dtlsState === 'closed', 5_000, 'close_notify at both');
    // The I/O thread's counters are process-wide: a closed server still reads them.
    const after = await pollUntil(
      () => server.getIoCounters(),
      (c) => c.sockets === before.sockets - 1 && c.tuples === before.tuples - 2,
      5_000,
    );
    expect(after.sockets).toBe(before.sockets - 1);
    expect(after.tuples).toBe(before.tuples - 2);
    router.close();
  });

  it('worker.close(): its clients get their close_notify before the thread ends', async () => {
    const w = await sfu.createWorker({ logLevel: 'warn' });
    const server = await w.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const router = await w.createRouter({ mediaCodecs: opus });
    const client = await connect(await router.createWebRtcTransport({ webRtcServer: server }));
    const ended = new Promise<void>((r) => w.once('subprocessclose', r));
    w.close();
    await ended;
    await waitFor(() => client.dtlsState === 'closed', 5_000, 'close_notify at the client');
  });
});
