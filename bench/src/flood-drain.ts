/**
 * How fast the shared port is drained (`node bench/dist/flood.js --drain`):
 * the flooder sends `floodDatagrams()` at a rate beyond what one thread reads,
 * alternately to a WebRtcServer's UDP socket (the I/O thread: Node's dgram
 * read, then tsfu's routing — tuple lookup, ufrag lookup, drop and count) and
 * to a plain `dgram` socket in a thread of its own whose handler only counts
 * (Node's floor). Both sockets get 8 MiB. Read/s = what each handed to
 * JavaScript per second of flood; the kernel dropped the rest.
 */
import { isMainThread, parentPort, Worker as Thread } from 'node:worker_threads';
import { createWorker } from '@tsfu/sfu';
import { udpDrops } from './flood-kernel.js';

const BUFFER = 8 * 1024 * 1024;

type Flood = (port: number, rate: number, ms: number) => Promise<{ sent: number }>;

interface DrainRow {
  target: 'tsfu' | 'plain';
  round: number;
  sent: number;
  read: number;
  kernelDrops: number;
  readPerSec: number;
}

/** The plain receiver: a thread with one socket that counts datagrams into `counter[0]`. */
async function plainReceiver(): Promise<{ port: number; count: () => number; close: () => Promise<number> }> {
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const thread = new Thread(new URL(import.meta.url), { workerData: counter });
  const port = await new Promise<number>((r) => thread.once('message', r));
  return { port, count: () => Atomics.load(counter, 0), close: () => thread.terminate() };
}

async function settle(count: () => Promise<number> | number): Promise<number> {
  let last = -1;
  for (let i = 0; i < 200; i++) {
    const n = await count();
    if (n === last) return n;
    last = n;
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

export async function runDrain(flood: Flood, rate: number, rounds: number, ms: number): Promise<DrainRow[]> {
  const worker = await createWorker({ logLevel: 'warn' });
  const server = await worker.createWebRtcServer({
    listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0, recvBufferSize: BUFFER / 2 }],
  });
  const tsfuPort = (await server.dump()).udpSockets[0].port;
  const plain = await plainReceiver();
  const rows: DrainRow[] = [];
  const targets = [
    {
      target: 'tsfu' as const,
      port: tsfuPort,
      count: async () => (await server.getIoCounters()).udpDatagramsReceived,
    },
    { target: 'plain' as const, port: plain.port, count: () => plain.count() },
  ];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        const read0 = await t.count();
        const drops0 = udpDrops(t.port) ?? 0;
        const { sent } = await flood(t.port, rate, ms);
        const read = (await settle(t.count)) - read0;
        const row: DrainRow = {
          target: t.target,
          round,
          sent,
          read,
          kernelDrops: (udpDrops(t.port) ?? 0) - drops0,
          readPerSec: Math.round((read * 1000) / ms),
        };
        rows.push(row);
        console.log(
          `drain round ${round + 1} ${t.target.padEnd(5)}: sent ${sent}, read ${read} (${row.readPerSec}/s), kernel drops ${row.kernelDrops}`,
        );
      }
    }
  } finally {
    await plain.close();
    worker.close();
  }
  const med = (target: string) => {
    const xs = rows.filter((r) => r.target === target).map((r) => r.readPerSec);
    xs.sort((a, b) => a - b);
    return xs[Math.floor((xs.length - 1) / 2)];
  };
  console.log(
    `drain (median read/s under a ${rate}/s flood): tsfu I/O thread ${med('tsfu')}, plain dgram ${med('plain')}, ` +
      `ratio ${(med('tsfu') / med('plain')).toFixed(2)}`,
  );
  return rows;
}

if (!isMainThread) {
  const { workerData } = await import('node:worker_threads');
  const { createSocket } = await import('node:dgram');
  const counter = workerData as Int32Array;
  const s = createSocket({ type: 'udp4', recvBufferSize: BUFFER / 2 });
  s.on('message', () => Atomics.add(counter, 0, 1));
  s.bind(0, '127.0.0.1', () => parentPort?.postMessage(s.address().port));
}
