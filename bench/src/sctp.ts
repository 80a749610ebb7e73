/**
 * SCTP benchmark: two endpoints on 127.0.0.1 UDP, reliable ordered messages of
 * 16 KiB (MB/s) and of 100 bytes (messages/s), @tsfu/sctp beside werift-sctp
 * 0.0.11 (the baseline) in the same run, plus the CRC32c kernel through
 * `runSuite`.
 *
 * The transfers are asynchronous (real sockets), so they cannot go through the
 * synchronous `runSuite`; they follow its method instead: cases interleaved
 * round after round, each reported by its median round, ratios against the
 * baseline measured in the same run. Run: `node bench/dist/sctp.js`.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createRequire } from 'node:module';
import { crc32c, SctpAssociation } from '@tsfu/sctp';
import { type BenchResult, consume, printTable, runSuite, saveResults } from './harness.js';

// werift-sctp ships CommonJS without typings for these entry points: load it with require.
const requireCjs = createRequire(import.meta.url);
interface WeriftSctp {
  onReceive: { subscribe(fn: (sid: number, ppid: number, data: Buffer) => void): unknown };
  send(sid: number, ppid: number, data: Buffer, opts?: { ordered?: boolean }): Promise<void>;
  start(remotePort?: number): Promise<void>;
  stop(): Promise<void>;
  state: string;
  stateChanged: { connected: { asPromise(): Promise<unknown> } };
}
const weriftSctp = requireCjs('werift-sctp') as {
  SCTP: { client(t: unknown): WeriftSctp; server(t: unknown): WeriftSctp };
  createUdpTransport(s: Socket, rinfo: { address: string; port: number }): unknown;
};
const weriftCrc = requireCjs('werift-sctp/lib/common/src/crc.js') as { crc32c(b: Buffer): number };

const now = (): number => Number(process.hrtime.bigint()) / 1e6;

// ---- CRC32c (synchronous, through runSuite)
const packet = Buffer.alloc(1200, 0x5a);
const crcResults = runSuite('sctp: CRC32c of a 1200-byte packet', [
  {
    name: 'werift-sctp crc32c',
    baseline: true,
    run: (n) => {
      for (let i = 0; i < n; i++) consume(weriftCrc.crc32c(packet));
    },
  },
  {
    name: '@tsfu/sctp crc32c',
    run: (n) => {
      for (let i = 0; i < n; i++) consume(crc32c(packet));
    },
  },
]);

// ---- transfers over UDP loopback
async function bindPair(): Promise<[Socket, Socket]> {
  const mk = async () => {
    const s = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    return s;
  };
  return [await mk(), await mk()];
}

interface Endpoint {
  /** Sends `count` messages of `payload` and resolves with the ms until the last one arrived. */
  transfer(payload: Buffer, count: number): Promise<number>;
  close(): Promise<void>;
}

async function tsfuEndpoint(): Promise<Endpoint> {
  const [sa, sb] = await bindPair();
  const pa = sa.address().port;
  const pb = sb.address().port;
  const a = new SctpAssociation({ send: (p) => sa.send(p, pb, '127.0.0.1'), heartbeatIntervalMs: 0 });
  const b = new SctpAssociation({ send: (p) => sb.send(p, pa, '127.0.0.1'), heartbeatIntervalMs: 0 });
  sa.on('message', (m) => a.handle(m));
  sb.on('message', (m) => b.handle(m));
  const open = Promise.all([
    new Promise<void>((r) => a.once('open', () => r())),
    new Promise<void>((r) => b.once('open', () => r())),
  ]);
  a.connect();
  await open;
  let onMessage = (): void => {};
  b.on('message', () => onMessage());
  return {
    transfer: (payload, count) =>
      new Promise((resolve) => {
        let got = 0;
        const t0 = now();
        onMessage = () => {
          if (++got === count) resolve(now() - t0);
        };
        for (let i = 0; i < count; i++) a.sendMessage(0, 53, payload);
      }),
    close: async () => {
      a.abort();
      b.abort();
      sa.close();
      sb.close();
    },
  };
}

async function weriftEndpoint(): Promise<Endpoint> {
  const [sa, sb] = await bindPair();
  const a = weriftSctp.SCTP.client(
    weriftSctp.createUdpTransport(sa, { address: '127.0.0.1', port: sb.address().port }),
  );
  const b = weriftSctp.SCTP.server(
    weriftSctp.createUdpTransport(sb, { address: '127.0.0.1', port: sa.address().port }),
  );
  void b.start(5000);
  await a.start(5000);
  if (a.state !== 'connected') await a.stateChanged.connected.asPromise();
  let onMessage = (): void => {};
  b.onReceive.subscribe(() => onMessage());
  return {
    transfer: (payload, count) =>
      new Promise((resolve) => {
        let got = 0;
        const t0 = now();
        onMessage = () => {
          if (++got === count) resolve(now() - t0);
        };
        for (let i = 0; i < count; i++) void a.send(0, 53, payload, { ordered: true });
      }),
    close: async () => {
      await a.stop().catch(() => {});
      sa.close();
      sb.close();
    },
  };
}

interface TransferCase {
  name: string;
  make: () => Promise<Endpoint>;
  payload: Buffer;
  count: number;
  baseline?: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Interleaved rounds of async transfers; ns/op is per message. */
async function runTransfers(
  title: string,
  cases: TransferCase[],
  rounds: number,
  maxMs: number,
): Promise<BenchResult[]> {
  const endpoints = await Promise.all(cases.map((c) => c.make()));
  // One warm-up round each (JIT, congestion window).
  for (let i = 0; i < cases.length; i++) await endpoints[i].transfer(cases[i].payload, cases[i].count);
  const samples: number[][] = cases.map(() => []);
  const start = now();
  for (let r = 0; r < rounds && now() - start < maxMs; r++) {
    for (let i = 0; i < cases.length; i++) {
      const ms = await endpoints[i].transfer(cases[i].payload, cases[i].count);
      samples[i].push((ms * 1e6) / cases[i].count);
    }
  }
  for (const e of endpoints) await e.close();
  const ns = samples.map(median);
  const base = cases.findIndex((c) => c.baseline);
  const results = cases.map((c, i) => ({
    name: c.name,
    nsPerOp: ns[i],
    opsPerSec: 1e9 / ns[i],
    speedupVsBaseline: base >= 0 ? ns[base] / ns[i] : null,
    rounds: samples[i].length,
  }));
  printTable(title, results);
  for (const [i, r] of results.entries()) {
    const mbps = (r.opsPerSec * cases[i].payload.length) / 1e6;
    console.log(
      `${r.name}: ${mbps.toFixed(1)} MB/s, ${Math.round(r.opsPerSec).toLocaleString('en-US')} msg/s`,
    );
  }
  return results;
}

const big = Buffer.alloc(16384, 0xab);
const small = Buffer.alloc(100, 0xcd);
const bigResults = await runTransfers(
  'sctp: 16 KiB reliable ordered messages over UDP loopback (ns/op = per message)',
  [
    { name: 'werift-sctp 16 KiB', make: weriftEndpoint, payload: big, count: 256, baseline: true },
    { name: '@tsfu/sctp 16 KiB', make: tsfuEndpoint, payload: big, count: 2048 },
  ],
  7,
  60_000,
);
const smallResults = await runTransfers(
  'sctp: 100-byte reliable ordered messages over UDP loopback (ns/op = per message)',
  [
    { name: 'werift-sctp 100 B', make: weriftEndpoint, payload: small, count: 2000, baseline: true },
    { name: '@tsfu/sctp 100 B', make: tsfuEndpoint, payload: small, count: 50_000 },
  ],
  7,
  60_000,
);
const file = saveResults('sctp', {
  crc32c: crcResults,
  messages16KiB: bigResults,
  messages100B: smallResults,
});
console.log(`saved ${file}`);
