/**
 * Moving 1200-byte packets from the main thread to a worker thread: one
 * `postMessage` per packet (the baseline), `postMessage` transferring each
 * packet's ArrayBuffer, one `postMessage` per batch of 32, and the
 * SharedArrayBuffer `PacketRing` published per packet and per batch of 32.
 *
 * One op = one packet sent AND seen by the worker: every case ends its run by
 * waiting (Atomics.wait on a shared counter) until the worker has counted all
 * of them, so a case cannot look fast by queueing. Each worker copies or
 * touches every byte range it gets once, as a real consumer would.
 *
 *   pnpm exec tsc -b bench && node bench/dist/ring.js
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
// bench/package.json does not list @tsfu/sfu yet (see the sfu README); until it does,
// the suite reaches the built package by path. Same file, same API.
import { createPacketRingBuffer, PacketRingReader, PacketRingWriter } from '@tsfu/sfu/internal';
import type { BenchCase } from './harness.js';

const PACKET_SIZE = 1200;
const BATCH = 32;

// Shared control words between the bench and each worker.
const SEEN = 0; // packets the worker has seen
const TARGET = 1; // the count the bench is waiting for
const STOP = 2;

type Mode = 'message' | 'batch' | 'ring';

interface WorkerInit {
  mode: Mode;
  ctl: Int32Array;
  ring?: SharedArrayBuffer;
}

function reportSeen(ctl: Int32Array, seen: number): void {
  Atomics.store(ctl, SEEN, seen);
  if (seen >= Atomics.load(ctl, TARGET)) Atomics.notify(ctl, SEEN);
}

function workerMain({ mode, ctl, ring }: WorkerInit): void {
  let seen = 0;
  let checksum = 0;
  if (mode === 'ring' && ring) {
    const reader = new PacketRingReader(ring);
    const scratch = new Uint8Array(PACKET_SIZE);
    const onRecord = (_data: Buffer, _offset: number, length: number) => {
      // Copy the packet out, as a worker that keeps it (for retransmission) would.
      reader.copyRecord(scratch);
      checksum = (checksum + scratch[length - 1]) | 0;
      seen++;
    };
    while (Atomics.load(ctl, STOP) === 0) {
      if (reader.drain(onRecord) > 0) reportSeen(ctl, seen);
      else reader.waitSync(50);
    }
    parentPort?.postMessage({ checksum });
    return;
  }
  parentPort?.on('message', (msg: Uint8Array | ArrayBuffer | Uint8Array[] | 'stop') => {
    if (msg === 'stop') {
      parentPort?.postMessage({ checksum });
      parentPort?.close();
      return;
    }
    if (Array.isArray(msg)) {
      for (const p of msg) checksum = (checksum + p[p.length - 1]) | 0;
      seen += msg.length;
    } else {
      const p = msg instanceof ArrayBuffer ? new Uint8Array(msg) : msg;
      checksum = (checksum + p[p.length - 1]) | 0;
      seen++;
    }
    reportSeen(ctl, seen);
  });
}

interface Lane {
  worker: Worker;
  ctl: Int32Array;
  sent: number;
}

function startLane(mode: Mode, ring?: SharedArrayBuffer): Lane {
  const ctl = new Int32Array(new SharedArrayBuffer(16));
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { mode, ctl, ring } satisfies WorkerInit,
  });
  return { worker, ctl, sent: 0 };
}

/** Blocks until the worker has seen every packet sent so far (bounded: 10 s). */
function awaitSeen(lane: Lane): void {
  Atomics.store(lane.ctl, TARGET, lane.sent);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const seen = Atomics.load(lane.ctl, SEEN);
    if (seen >= lane.sent) return;
    if (Date.now() > deadline) throw new Error(`worker saw ${seen} of ${lane.sent} packets`);
    Atomics.wait(lane.ctl, SEEN, seen, 100);
  }
}

async function main(): Promise<void> {
  const { runSuite, saveResults } = await import('./harness.js');
  const packet = new Uint8Array(PACKET_SIZE).fill(7);
  // Distinct packets for the batched postMessage: a clone of one object listed twice is shared.
  const pool = Array.from({ length: BATCH }, (_, i) => new Uint8Array(PACKET_SIZE).fill(i));

  const messageLane = startLane('message');
  const transferLane = startLane('message');
  const batchLane = startLane('batch');
  const ringBuffer = createPacketRingBuffer({ capacity: 1 << 20 });
  const ringLane = startLane('ring', ringBuffer);
  const ringWriter = new PacketRingWriter(ringBuffer);
  const ringEachBuffer = createPacketRingBuffer({ capacity: 1 << 20 });
  const ringEachLane = startLane('ring', ringEachBuffer);
  const ringEachWriter = new PacketRingWriter(ringEachBuffer);
  const lanes = [messageLane, transferLane, batchLane, ringLane, ringEachLane];

  const writeRing = (writer: PacketRingWriter, lane: Lane, n: number, publishEvery: number) => {
    for (let i = 0; i < n; i++) {
      while (!writer.tryWrite(packet, PACKET_SIZE, i)) writer.waitForSpaceSync(PACKET_SIZE, 1000);
      if ((i + 1) % publishEvery === 0) writer.publish();
    }
    writer.publish();
    lane.sent += n;
    awaitSeen(lane);
  };

  const cases: BenchCase[] = [
    {
      name: 'postMessage per packet (structured clone)',
      baseline: true,
      run: (n) => {
        for (let i = 0; i < n; i++) messageLane.worker.postMessage(packet);
        messageLane.sent += n;
        awaitSeen(messageLane);
      },
    },
    {
      name: 'postMessage per packet, ArrayBuffer transferred',
      run: (n) => {
        for (let i = 0; i < n; i++) {
          // A transferred buffer is gone: each packet needs its own.
          const ab = new ArrayBuffer(PACKET_SIZE);
          new Uint8Array(ab).set(packet);
          transferLane.worker.postMessage(ab, [ab]);
        }
        transferLane.sent += n;
        awaitSeen(transferLane);
      },
    },
    {
      name: `postMessage per ${BATCH} packets (array of clones)`,
      run: (n) => {
        const batch: Uint8Array[] = [];
        for (let i = 0; i < n; i++) {
          batch.push(pool[batch.length]);
          if (batch.length === BATCH) {
            batchLane.worker.postMessage(batch);
            batch.length = 0;
          }
        }
        if (batch.length > 0) batchLane.worker.postMessage(batch);
        batchLane.sent += n;
        awaitSeen(batchLane);
      },
    },
    {
      name: 'PacketRing, publish per packet',
      run: (n) => writeRing(ringEachWriter, ringEachLane, n, 1),
    },
    {
      name: `PacketRing, publish per ${BATCH} packets`,
      run: (n) => writeRing(ringWriter, ringLane, n, BATCH),
    },
  ];

  // Warm up every lane (thread start-up, JIT) before the harness calibrates:
  // otherwise the first call measures a worker's start instead of the transport.
  for (const c of cases) c.run(2_000);

  const results = runSuite(
    'ring: 1200-byte packets main → worker thread (one op = one packet sent and seen)',
    cases,
    { rounds: 12, roundMs: 60, maxMs: 20_000 },
  );

  const ringStats = ringWriter.stats();
  for (const lane of lanes) {
    Atomics.store(lane.ctl, STOP, 1);
    lane.worker.postMessage('stop');
  }
  await Promise.all(lanes.map((lane) => lane.worker.terminate()));
  const file = saveResults('ring', { packetSize: PACKET_SIZE, batch: BATCH, results, ringStats });
  console.log(`saved ${file}`);
}

if (isMainThread) {
  await main();
} else {
  workerMain(workerData as WorkerInit);
}
