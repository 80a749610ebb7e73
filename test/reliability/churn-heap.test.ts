/**
 * Churn of routers and transports (issue 17): thousands of create → use →
 * close cycles on one long-lived worker and WebRtcServer leave nothing
 * behind. Measured after a forced full GC in all three threads (main, worker,
 * I/O; `--expose-gc` is set before the first `createWorker()`, and threads
 * inherit V8 flags), after a warm-up and at the end; the maps that would hold
 * a leaked object (server transports, worker routers, I/O tuples and ufrags)
 * are checked empty. Imports the built package (`pnpm build` first).
 *
 * The bound, per thread: growth < 2 MiB over the measured cycles, i.e. about
 * 1 KiB a cycle. A cycle creates 2 transports; the leak this guards against
 * (a closed router's transports kept by the WebRtcServer, fixed in c33452b)
 * kept ~11.6 KB per transport, 40+ MiB over 1,800 cycles. What remains below
 * the bound is V8's own noise (code and feedback caches, heap fragmentation):
 * 0.0–0.7 MiB in the runs measured (see the README).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import * as sfu from '@tsfu/sfu';
import { ioThreadHeapForTesting } from '@tsfu/sfu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
/** Growth allowed per thread over the measured cycles (see the header). */
const GROWTH_BOUND = 2 * MiB;
const WARM_UP = 200;
/** Router cycles after the warm-up (2,000 in all). */
const ROUTER_CYCLES = 1_800;
/** transport.close() cycles after the warm-up, per variant. */
const TRANSPORT_CYCLES = 800;

const OPUS: sfu.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100 },
];
const LOOPBACK: sfu.TransportListenInfo[] = [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }];

let worker: sfu.Worker;
let server: sfu.WebRtcServer;

beforeAll(async () => {
  worker = await sfu.createWorker({ logLevel: 'warn' });
  server = await worker.createWebRtcServer({ listenInfos: LOOPBACK });
});
afterAll(() => worker?.close());

interface Heaps {
  main: number;
  worker: number;
  io: number;
}

/** Used heap of each thread after a full GC (two, so objects freed by finalizers go too). */
async function heaps(): Promise<Heaps> {
  const w = await worker.heapForTesting();
  await worker.heapForTesting();
  const io = await ioThreadHeapForTesting();
  expect(w.collected && io.collected).toBe(true);
  gc();
  gc();
  return {
    main: v8.getHeapStatistics().used_heap_size,
    worker: (await worker.heapForTesting()).usedHeapBytes,
    io: (await ioThreadHeapForTesting()).usedHeapBytes,
  };
}

const growth = (from: Heaps, to: Heaps) => ({
  main: to.main - from.main,
  worker: to.worker - from.worker,
  io: to.io - from.io,
});

/** Runs `cycle` WARM_UP times, measures, runs it `cycles` times more, measures again; returns the growth. */
async function churn(cycles: number, cycle: () => Promise<void>): Promise<Heaps> {
  for (let i = 0; i < WARM_UP; i++) await cycle();
  const before = await heaps();
  for (let i = 0; i < cycles; i++) await cycle();
  const after = await heaps();
  const g = growth(before, after);
  // One line per scenario, for the README's figures.
  console.log(
    `churn ${cycles} cycles: growth main ${(g.main / MiB).toFixed(2)} MiB, worker ${(g.worker / MiB).toFixed(2)} MiB, io ${(g.io / MiB).toFixed(2)} MiB`,
  );
  return g;
}

function expectWithinBound(g: Heaps): void {
  expect(g.main).toBeLessThan(GROWTH_BOUND);
  expect(g.worker).toBeLessThan(GROWTH_BOUND);
  expect(g.io).toBeLessThan(GROWTH_BOUND);
}

/** Nothing left in any table: server transports, worker routers (but `keep`), I/O tuples and ufrags. */
async function expectEmptyTables(keep: sfu.Router[] = []): Promise<void> {
  expect(server.webRtcTransportsForTesting.size).toBe(0);
  expect((await server.dump()).webRtcTransportIds).toEqual([]);
  expect((await worker.dump()).routerIds.sort()).toEqual(keep.map((r) => r.id).sort());
  expect(worker.routersForTesting.size).toBe(keep.length);
  for (const r of keep) expect((await r.dump()).transportIds).toEqual([]);
  const io = await server.getIoCounters();
  expect([io.tuples, io.ufrags, io.sockets]).toEqual([0, 0, 1]);
}

describe('churn: heap after forced GC stays within the bound', () => {
  it(`${WARM_UP + ROUTER_CYCLES} rooms: router, 2 server transports, producer + consumer, router.close()`, async () => {
    let ssrc = 1000;
    const room = async () => {
      const router = await worker.createRouter({ mediaCodecs: OPUS });
      const send = await router.createWebRtcTransport({ webRtcServer: server });
      const recv = await router.createWebRtcTransport({ webRtcServer: server });
      const producer = await send.produce({
        kind: 'audio',
        rtpParameters: {
          mid: '0',
          codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
          encodings: [{ ssrc: ssrc++ }],
        },
      });
      await recv.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      router.close();
    };
    expectWithinBound(await churn(ROUTER_CYCLES, room));
    await expectEmptyTables();
  }, 120_000);

  it(`${WARM_UP + TRANSPORT_CYCLES} transports with their own port (listenInfos), transport.close() alone`, async () => {
    const router = await worker.createRouter({ mediaCodecs: OPUS });
    const cycle = async () => {
      (await router.createWebRtcTransport({ listenInfos: LOOPBACK })).close();
    };
    expectWithinBound(await churn(TRANSPORT_CYCLES, cycle));
    await expectEmptyTables([router]);
    router.close();
  }, 120_000);

  it(`${WARM_UP + TRANSPORT_CYCLES} WebRtcServer transports, transport.close() alone`, async () => {
    const router = await worker.createRouter({ mediaCodecs: OPUS });
    const cycle = async () => {
      (await router.createWebRtcTransport({ webRtcServer: server })).close();
    };
    expectWithinBound(await churn(TRANSPORT_CYCLES, cycle));
    await expectEmptyTables([router]);
    router.close();
  }, 120_000);
});
