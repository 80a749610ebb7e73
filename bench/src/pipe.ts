/**
 * CPU per piped packet: a producer on router A (worker 1) reaching a consumer
 * on router B (worker 2) through `pipeToRouter` over UDP (as mediasoup: the
 * I/O thread's socket on 127.0.0.1 each way), over UDP with SRTP, and over
 * shared memory (`tsfuSharedMemory`: PacketRings between the worker threads),
 * against the baseline of the same producer and consumer on one router (no
 * pipe). Everything runs in this process: an RTP sender (a `dgram` socket on
 * the main thread, paced) into a comedia PlainTransport, and a `dgram` sink
 * counting what the consumer's PlainTransport sends. CPU is the process's own
 * (`process.cpuUsage()`, every thread) minus its idle rate (measured with
 * nothing to send), so source, sink and SFU are in every case alike and the
 * difference to the baseline is what the pipe costs.
 * Cases are interleaved round by round; each reports its median round.
 *
 *   pnpm exec tsc -b bench && node bench/dist/pipe.js [--quick]
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { createWorker, type PlainTransport, type Router, type Worker } from '@tsfu/sfu';
import { saveResults } from './harness.js';

const quick = process.argv.includes('--quick') || process.env.TSFU_BENCH_QUICK === '1';
const RATE = 5_000; // packets/s (what a loaded 2-core machine delivers in full through every case)
const ROUND_MS = quick ? 1000 : 2000;
const ROUNDS = quick ? 3 : 5;
const PAYLOAD = 1000;
const TICK_MS = 5;

const mediaCodecs = [{ kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 }];
const opus = { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 };

interface Case {
  name: string;
  ingressPort: number;
  ssrc: number;
  received: () => number;
  baseline?: boolean;
}

async function plain(router: Router, comedia: boolean): Promise<PlainTransport> {
  return router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia });
}

/** A producer on `a` consumed on `b` (piped first unless a = b); returns where to send and the sink count. */
async function setupCase(
  name: string,
  a: Router,
  b: Router,
  ssrc: number,
  pipe?: { enableSrtp?: boolean; tsfuSharedMemory?: boolean },
): Promise<Case & { sink: Socket }> {
  const ingress = await plain(a, true);
  const producer = await ingress.produce({
    kind: 'audio',
    rtpParameters: { codecs: [opus], encodings: [{ ssrc }] },
  });
  if (a !== b) await a.pipeToRouter({ producerId: producer.id, router: b, ...pipe });
  const sink = createSocket('udp4');
  sink.bind(0, '127.0.0.1');
  await once(sink, 'listening');
  let count = 0;
  sink.on('message', () => {
    count++;
  });
  const egress = await plain(b, false);
  await egress.connect({ ip: '127.0.0.1', port: sink.address().port });
  await egress.consume({ producerId: producer.id, rtpCapabilities: b.rtpCapabilities });
  return { name, ingressPort: ingress.tuple.localPort, ssrc, received: () => count, baseline: a === b, sink };
}

/** Sends RTP to `c` at RATE for `ms`; returns process CPU µs and packets the sink got. */
async function round(
  sender: Socket,
  c: Case,
  ms: number,
  seq0: number,
): Promise<{ cpuUs: number; got: number; sent: number }> {
  // dgram.send() reads the buffer later: a pool, so no packet is rewritten before it left.
  const pool = Array.from({ length: 4096 }, () => {
    const b = Buffer.alloc(12 + PAYLOAD, 0x55);
    b[0] = 0x80;
    b[1] = opus.payloadType;
    b.writeUInt32BE(c.ssrc, 8);
    return b;
  });
  let seq = seq0;
  const got0 = c.received();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(((performance.now() - t0) * RATE) / 1000, (ms * RATE) / 1000);
      while (sent < due) {
        const packet = pool[sent % pool.length];
        packet.writeUInt16BE(seq & 0xffff, 2);
        packet.writeUInt32BE((seq * 960) >>> 0, 4);
        seq++;
        sent++;
        sender.send(packet, c.ingressPort, '127.0.0.1');
      }
      if (performance.now() - t0 >= ms) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  // Let the last packets through the pipe before reading the counters.
  await new Promise((r) => setTimeout(r, 100));
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: cpu.user + cpu.system, got: c.received() - got0, sent };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const workers: Worker[] = [
    await createWorker({ logLevel: 'warn' }),
    await createWorker({ logLevel: 'warn' }),
  ];
  const sockets: Socket[] = [];
  try {
    const r = [
      await workers[0].createRouter({ mediaCodecs }),
      await workers[1].createRouter({ mediaCodecs }),
      await workers[0].createRouter({ mediaCodecs }),
      await workers[1].createRouter({ mediaCodecs }),
      await workers[0].createRouter({ mediaCodecs }),
      await workers[1].createRouter({ mediaCodecs }),
    ];
    // Each pipe case on its own router pair (a pair's pipe transports are shared by its pipes).
    const cases = [
      await setupCase('no pipe (one router)', r[0], r[0], 1111),
      await setupCase('UDP pipe', r[0], r[1], 2222),
      await setupCase('UDP pipe + SRTP', r[2], r[3], 3333, { enableSrtp: true }),
      await setupCase('shared-memory pipe', r[4], r[5], 4444, { tsfuSharedMemory: true }),
    ];
    sockets.push(...cases.map((c) => c.sink));
    const sender = createSocket('udp4');
    sockets.push(sender);
    sender.bind(0, '127.0.0.1');
    await once(sender, 'listening');
    // Warm up every path (comedia learns the sender, JIT), then interleaved rounds.
    const per = new Map<string, Array<{ cpuUs: number; got: number; sent: number }>>();
    // Each stream's sequence numbers run on across rounds (SRTP's rollover estimate needs that).
    const seqs = new Map(cases.map((c) => [c.name, 0]));
    const next = (c: Case, ms: number) => {
      const s0 = seqs.get(c.name) ?? 0;
      seqs.set(c.name, s0 + Math.ceil((ms * RATE) / 1000) + 1);
      return s0;
    };
    for (const c of cases) await round(sender, c, 300, next(c, 300));
    // The process's CPU with nothing to forward (timers, idle threads), subtracted from every round.
    const idleUsPerMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const cpu0 = process.cpuUsage();
      await new Promise((r) => setTimeout(r, ROUND_MS / 2));
      const cpu = process.cpuUsage(cpu0);
      idleUsPerMs.push((cpu.user + cpu.system) / (ROUND_MS / 2));
    }
    const idle = median(idleUsPerMs);
    for (let i = 0; i < ROUNDS; i++) {
      for (const c of cases) {
        const res = await round(sender, c, ROUND_MS, next(c, ROUND_MS));
        per.set(c.name, [...(per.get(c.name) ?? []), res]);
      }
    }
    const rows = cases.map((c) => {
      const rs = per.get(c.name) ?? [];
      const usPerPacket = median(rs.map((x) => (x.cpuUs - idle * (ROUND_MS + 100)) / Math.max(1, x.got)));
      const delivered = median(rs.map((x) => x.got / Math.max(1, x.sent)));
      return { name: c.name, usPerPacket, delivered };
    });
    const base = rows[0].usPerPacket;
    const pipeCost = (name: string) => (rows.find((x) => x.name === name)?.usPerPacket ?? 0) - base;
    console.log(
      `\npipe: CPU per piped packet, ${RATE} pkt/s of ${12 + PAYLOAD} B, ${ROUNDS} rounds × ${ROUND_MS} ms (median)`,
    );
    console.log(`idle process CPU: ${(idle / 10).toFixed(1)} % of a core (subtracted)`);
    console.log('| case | process CPU µs/packet | the pipe alone µs/packet (minus no pipe) | delivered |');
    console.log('| --- | --- | --- | --- |');
    for (const x of rows) {
      const own = x.name === rows[0].name ? '— (baseline)' : (x.usPerPacket - base).toFixed(2);
      console.log(
        `| ${x.name} | ${x.usPerPacket.toFixed(2)} | ${own} | ${(x.delivered * 100).toFixed(1)} % |`,
      );
    }
    const udp = pipeCost('UDP pipe');
    const shm = pipeCost('shared-memory pipe');
    console.log(
      `shared memory saves ${(udp - shm).toFixed(2)} µs per piped packet: its pipe cost is ${((shm / udp) * 100).toFixed(0)} % of the UDP pipe's (${(udp / Math.max(shm, 1e-9)).toFixed(1)}× less)`,
    );
    saveResults('pipe', {
      rate: RATE,
      roundMs: ROUND_MS,
      rounds: ROUNDS,
      rows,
      udpPipeUs: udp,
      sharedMemoryPipeUs: shm,
    });
  } finally {
    for (const s of sockets) s.close();
    for (const w of workers) w.close();
  }
}

await main();
