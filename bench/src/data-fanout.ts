/**
 * Data channels through the SFU: one producer client → the relay → N consumer
 * clients (N = 1, 10), reliable ordered messages of 1 KiB and 16 KiB;
 * delivered messages/s and MB/s (summed over the consumers). The relay is
 * tsfu (a Router in its worker thread: a PlainTransport with SCTP per client,
 * a DataProducer and N DataConsumers) or, as the baseline in the same run,
 * werift-sctp associations relaying in a worker thread of their own
 * (`data-relay-werift.ts`). The clients are @tsfu/sctp associations on UDP
 * loopback in this thread, the same for both relays; the producer keeps at
 * most 1 MiB ahead of the slowest consumer (application flow control, so no
 * relay ever holds more than that). Bounded: ≤ ~50 s in all.
 * Run: `node bench/dist/data-fanout.js`.
 */
import { createSocket, type Socket } from 'node:dgram';
import { Worker as ThreadWorker } from 'node:worker_threads';
import { SctpAssociation } from '@tsfu/sctp';
import { createWorker } from '@tsfu/sfu';
import { type BenchResult, printTable, saveResults } from './harness.js';

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const WINDOW_BYTES = 1 << 20;
/** Sending time of one round of one case (then a bounded drain). */
const ROUND_MS = 1000;
const WARMUP_MS = 400;
const ROUNDS = 2;

interface Client {
  socket: Socket;
  assoc: SctpAssociation;
  received: number;
}

async function client(): Promise<Client> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { socket, assoc: undefined as unknown as SctpAssociation, received: 0 };
}

/** Starts the SCTP association of `c` toward `port` and waits for it to open. */
async function connectClient(c: Client, port: number): Promise<void> {
  c.assoc = new SctpAssociation({
    send: (p) => c.socket.send(p, port, '127.0.0.1'),
    heartbeatIntervalMs: 0,
  });
  c.socket.on('message', (m) => c.assoc.handle(m));
  c.assoc.on('message', () => c.received++);
  const open = new Promise<void>((r) => c.assoc.once('open', () => r()));
  c.assoc.connect();
  await open;
}

interface Relay {
  producer: Client;
  consumers: Client[];
  close(): Promise<void>;
}

async function tsfuRelay(n: number): Promise<Relay> {
  const worker = await createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter();
  const plain = () =>
    router.createPlainTransport({
      listenIp: '127.0.0.1',
      comedia: true,
      enableSctp: true,
      sctpSendBufferSize: 4 * WINDOW_BYTES,
    });
  const tp = await plain();
  const producer = await client();
  await connectClient(producer, tp.tuple.localPort);
  const dataProducer = await tp.produceData({ sctpStreamParameters: { streamId: 0 } });
  const consumers: Client[] = [];
  for (let i = 0; i < n; i++) {
    const t = await plain();
    const c = await client();
    await connectClient(c, t.tuple.localPort);
    await t.consumeData({ dataProducerId: dataProducer.id });
    consumers.push(c);
  }
  return { producer, consumers, close: async () => closeClients(producer, consumers, () => worker.close()) };
}

async function weriftRelay(n: number): Promise<Relay> {
  const thread = new ThreadWorker(new URL('./data-relay-werift.js', import.meta.url));
  const producer = await client();
  const consumers = await Promise.all(Array.from({ length: n }, () => client()));
  const all = [producer, ...consumers];
  const ports = await new Promise<number[]>((resolve, reject) => {
    thread.once('message', resolve);
    thread.once('error', reject);
    thread.postMessage({ clientPorts: all.map((c) => c.socket.address().port) });
  });
  await Promise.all(all.map((c, i) => connectClient(c, ports[i])));
  return {
    producer,
    consumers,
    close: async () =>
      closeClients(producer, consumers, () => {
        thread.postMessage('close');
        void thread.terminate();
      }),
  };
}

function closeClients(producer: Client, consumers: Client[], end: () => void): void {
  for (const c of [producer, ...consumers]) {
    c.assoc.abort();
    c.socket.close();
  }
  end();
}

/**
 * Sends for `ROUND_MS`, never more than the window ahead of the slowest
 * consumer, then waits (bounded) for what was sent to arrive; returns delivered
 * messages per second over the whole round.
 */
async function round(relay: Relay, payload: Buffer, ms = ROUND_MS): Promise<number> {
  const { producer, consumers } = relay;
  const windowMessages = Math.max(1, Math.floor(WINDOW_BYTES / payload.length));
  const base = consumers.map((c) => c.received);
  let sent = 0;
  const t0 = now();
  const slowest = () => Math.min(...consumers.map((c, i) => c.received - base[i]));
  while (now() - t0 < ms) {
    const allowed = slowest() + windowMessages - sent;
    for (let k = 0; k < allowed; k++, sent++) producer.assoc.sendMessage(0, 53, payload);
    await new Promise((r) => setImmediate(r));
  }
  const drainUntil = now() + 5000;
  while (slowest() < sent && now() < drainUntil) await new Promise((r) => setTimeout(r, 1));
  const delivered = consumers.reduce((sum, c, i) => sum + c.received - base[i], 0);
  return (delivered * 1000) / (now() - t0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const started = now();
const rows: Array<BenchResult & { consumers: number; bytes: number; mbPerSec: number }> = [];
for (const bytes of [1024, 16 * 1024]) {
  const payload = Buffer.alloc(bytes, 0x5a);
  for (const n of [1, 10]) {
    const relays = [
      { name: `werift-sctp relay ${bytes / 1024} KiB ×${n}`, make: weriftRelay },
      { name: `tsfu DataProducer→DataConsumers ${bytes / 1024} KiB ×${n}`, make: tsfuRelay },
    ];
    const rates: number[][] = [[], []];
    const live = await Promise.all(relays.map((r) => r.make(n)));
    for (const relay of live) await round(relay, payload, WARMUP_MS); // warm-up (JIT, cwnd)
    for (let r = 0; r < ROUNDS; r++)
      for (const [i, relay] of live.entries()) rates[i].push(await round(relay, payload));
    for (const relay of live) await relay.close();
    const base = median(rates[0]);
    const results = relays.map((r, i) => {
      const perSec = median(rates[i]);
      return {
        name: r.name,
        nsPerOp: 1e9 / perSec,
        opsPerSec: perSec,
        speedupVsBaseline: perSec / base,
        rounds: rates[i].length,
        consumers: n,
        bytes,
        mbPerSec: (perSec * bytes) / 1e6,
      };
    });
    printTable(
      `data fan-out: ${bytes / 1024} KiB reliable ordered, 1 producer → ${n} consumers (ops = delivered messages)`,
      results,
    );
    for (const r of results)
      console.log(
        `${r.name}: ${Math.round(r.opsPerSec).toLocaleString('en-US')} msg/s, ${r.mbPerSec.toFixed(1)} MB/s delivered`,
      );
    rows.push(...results);
  }
}
const file = saveResults('data-fanout', { rows, seconds: (now() - started) / 1000 });
console.log(`saved ${file} (${((now() - started) / 1000).toFixed(1)} s)`);
