/**
 * A live session on a shared port under a flood: what a legitimate session
 * loses to the kernel's receive buffer of the WebRtcServer's UDP socket, per
 * `recvBufferSize`.
 *
 * One worker, per configuration a WebRtcServer on one UDP port of 127.0.0.1
 * and two WebRtcTransports on it: a synthetic client sends MEDIA_PPS packets/s
 * of MEDIA_BYTES-byte opus-typed RTP (SRTP) to a producer, a second one
 * receives the consumer's copy. A flooder process (`flood-sender.ts`, 32
 * source ports) sends `floodDatagrams()` — random bytes, STUN for unknown
 * ufrags, DTLS ClientHellos, RTP of unknown SSRCs — to the same port at a
 * fixed rate for WINDOW_MS while the media flows. Measured per window: the
 * session's loss (consumer received / producer sent), the kernel's drops on
 * the shared socket (`/proc/net/udp`) and on the consumer's socket, and what
 * the I/O thread read. Configurations alternate in rounds in the one run;
 * losses are compared with the kernel default's in the same run.
 *
 *   pnpm exec tsc -b bench && node bench/dist/flood.js [--quick] [--rates 0,20000] [--rounds 3] [--window 2000]
 *   node bench/dist/flood.js --drain [--rate 80000]   # read rate: the I/O thread vs a plain dgram thread
 */
import { fork } from 'node:child_process';
import { serializeRtpPacket } from '@tsfu/rtp';
import { createWorker, type IoCounters, type Router, type WebRtcServer, type Worker } from '@tsfu/sfu';
import { SyntheticWebRtcClient } from '@tsfu/sfu/testing';
import { runDrain } from './flood-drain.js';
import { rmemSysctls, udpDrops, udpRecvBuffer } from './flood-kernel.js';
import { saveResults } from './harness.js';

const quick = process.argv.includes('--quick') || process.env.TSFU_BENCH_QUICK === '1';
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RATES = (arg('--rates') ?? (quick ? '0,20000' : '0,10000,20000,40000')).split(',').map(Number);
const ROUNDS = Number(arg('--rounds') ?? (quick ? 1 : 3));
const WINDOW_MS = Number(arg('--window') ?? (quick ? 1000 : 2000));
const MEDIA_PPS = 1000;
const MEDIA_BYTES = 1200;
const SSRC = 0x5eed;

interface Config {
  name: string;
  recvBufferSize?: number;
}
const MiB = 1024 * 1024;
// recvBufferSize 0 keeps the OS default; unset takes tsfu's default for a WebRtcServer (4 MiB).
const CONFIGS: Config[] = [
  { name: 'kernel default', recvBufferSize: 0 },
  // What the default gets on a stock kernel (rmem_max 208 KiB): twice the OS default.
  { name: '208 KiB', recvBufferSize: 212_992 },
  { name: '1 MiB', recvBufferSize: 1 * MiB },
  { name: '4 MiB (default)' },
  { name: '8 MiB', recvBufferSize: 8 * MiB },
];

interface Window {
  config: string;
  round: number;
  rate: number;
  floodSent: number;
  floodRate: number;
  mediaSent: number;
  mediaReceived: number;
  lossPct: number;
  sharedSocketDrops: number;
  consumerSocketDrops: number;
  ioRead: number;
  ioDroppedUnknown: number;
  ioDroppedRingFull: number;
}

/** A session on a fresh WebRtcServer: producer client → SFU → consumer client. */
interface Session {
  server: WebRtcServer;
  port: number;
  recvBuffer?: number;
  sender: SyntheticWebRtcClient;
  receiver: SyntheticWebRtcClient;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`flood bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function openSession(worker: Worker, router: Router, config: Config): Promise<Session> {
  const server = await worker.createWebRtcServer({
    listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0, recvBufferSize: config.recvBufferSize }],
  });
  const port = (await server.dump()).udpSockets[0].port;
  const connect = async () => {
    const transport = await router.createWebRtcTransport({ webRtcServer: server });
    const client = await SyntheticWebRtcClient.create();
    await transport.connect({ dtlsParameters: client.dtlsParameters });
    await client.connect(transport);
    await until(() => transport.dtlsState === 'connected', 5000, 'server DTLS');
    return { transport, client };
  };
  const a = await connect();
  const b = await connect();
  const producer = await a.transport.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: SSRC }],
    },
  });
  await b.transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  // The bench measures the SFU: the receiver counts SRTP datagrams without decrypting them, and
  // its own socket gets room for this process's stalls (its drops are reported apart).
  b.client.unprotectIncoming = false;
  b.client.socket.setRecvBufferSize(8 * MiB);
  return { server, port, recvBuffer: udpRecvBuffer(port), sender: a.client, receiver: b.client };
}

let seq = 0;
const payload = Buffer.alloc(MEDIA_BYTES - 12, 0x5a);

/** Sends MEDIA_PPS packets/s for `ms`, paced by the clock in 1 ms ticks. */
async function sendMedia(client: SyntheticWebRtcClient, ms: number): Promise<void> {
  const start = performance.now();
  let sent = 0;
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= ms) return;
    const due = Math.min(50, Math.floor((MEDIA_PPS * elapsed) / 1000) - sent);
    for (let i = 0; i < due; i++, sent++) {
      seq++;
      const packet = serializeRtpPacket({
        payloadType: 111,
        sequenceNumber: seq & 0xffff,
        timestamp: (seq * 48) >>> 0,
        ssrc: SSRC,
        payload,
      });
      client.sendRtp(Buffer.from(packet));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
}

type Flooder = { run(port: number, rate: number, ms: number): Promise<{ sent: number }>; close(): void };

async function startFlooder(): Promise<Flooder> {
  const child = fork(new URL('./flood-sender.js', import.meta.url));
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  return {
    run: (port, rate, ms) =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m as { sent: number }));
        child.send({ port, rate, ms });
      }),
    close: () => child.send('exit'),
  };
}

async function measure(
  session: Session,
  flooder: Flooder,
  rate: number,
  counters: () => Promise<IoCounters>,
): Promise<Omit<Window, 'config' | 'round'>> {
  const { sender, receiver, port } = session;
  const recvPort = receiver.socket.address().port;
  const before = {
    shared: udpDrops(port) ?? 0,
    consumer: udpDrops(recvPort) ?? 0,
    io: await counters(),
    sent: sender.counters.rtpSent,
    received: receiver.counters.rtpReceived,
  };
  const flood = rate > 0 ? flooder.run(port, rate, WINDOW_MS) : Promise.resolve({ sent: 0 });
  const t0 = performance.now();
  await sendMedia(sender, WINDOW_MS);
  const { sent: floodSent } = await flood;
  const elapsed = performance.now() - t0;
  // The forwarded tail arrives: wait until the count stands still for 200 ms (at most 2 s).
  const settleEnd = Date.now() + 2000;
  let last = -1;
  let stillSince = Date.now();
  while (Date.now() < settleEnd && Date.now() - stillSince < 200) {
    await new Promise((r) => setTimeout(r, 20));
    if (receiver.counters.rtpReceived !== last) {
      last = receiver.counters.rtpReceived;
      stillSince = Date.now();
    }
  }
  const io = await counters();
  const mediaSent = sender.counters.rtpSent - before.sent;
  const mediaReceived = receiver.counters.rtpReceived - before.received;
  return {
    rate,
    floodSent,
    floodRate: Math.round((floodSent * 1000) / elapsed),
    mediaSent,
    mediaReceived,
    lossPct: mediaSent > 0 ? (100 * (mediaSent - mediaReceived)) / mediaSent : 0,
    sharedSocketDrops: (udpDrops(port) ?? 0) - before.shared,
    consumerSocketDrops: (udpDrops(recvPort) ?? 0) - before.consumer,
    ioRead: io.udpDatagramsReceived - before.io.udpDatagramsReceived,
    ioDroppedUnknown: io.droppedUnknownTuple - before.io.droppedUnknownTuple,
    ioDroppedRingFull: io.droppedRingFull - before.io.droppedRingFull,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)];
}

function report(windows: Window[], recvBuffers: Map<string, number | undefined>): void {
  const rm = rmemSysctls();
  console.log(`\nnet.core.rmem_max = ${rm.max}, rmem_default = ${rm.default}`);
  console.log(
    `session: ${MEDIA_PPS} pps × ${MEDIA_BYTES} B; ${ROUNDS} round(s) of ${WINDOW_MS} ms windows; medians`,
  );
  const header = [
    'recvBufferSize',
    'rb (ss)',
    'flood pps (sent)',
    'loss % (median)',
    'vs default',
    'loss % (mean)',
    'shared drops',
    'consumer drops',
    'I/O read/s (window)',
  ];
  console.log(header.join(' | '));
  for (const rate of RATES) {
    const base = median(
      windows.filter((w) => w.config === CONFIGS[0].name && w.rate === rate).map((w) => w.lossPct),
    );
    for (const c of CONFIGS) {
      const ws = windows.filter((w) => w.config === c.name && w.rate === rate);
      if (ws.length === 0) continue;
      const loss = median(ws.map((w) => w.lossPct));
      const ratio = c === CONFIGS[0] ? '1' : base > 0 ? (loss / base).toFixed(2) : loss > 0 ? '∞' : '–';
      console.log(
        [
          c.name,
          recvBuffers.get(c.name) ?? '?',
          `${rate} (${median(ws.map((w) => w.floodRate))})`,
          loss.toFixed(2),
          ratio,
          (ws.reduce((n, w) => n + w.lossPct, 0) / ws.length).toFixed(2),
          median(ws.map((w) => w.sharedSocketDrops)),
          median(ws.map((w) => w.consumerSocketDrops)),
          Math.round(median(ws.map((w) => (w.ioRead * 1000) / WINDOW_MS))),
        ].join(' | '),
      );
    }
  }
}

export async function runFlood(): Promise<Window[]> {
  const worker = await createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
  });
  const flooder = await startFlooder();
  const windows: Window[] = [];
  const recvBuffers = new Map<string, number | undefined>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so no configuration always runs first (or last).
      const order = CONFIGS.map((_, i) => CONFIGS[(i + round) % CONFIGS.length]);
      for (const config of order) {
        const session = await openSession(worker, router, config);
        recvBuffers.set(config.name, session.recvBuffer);
        try {
          for (const rate of RATES) {
            const w = await measure(session, flooder, rate, () => session.server.getIoCounters());
            windows.push({ config: config.name, round, ...w });
            console.log(
              `round ${round + 1} ${config.name.padEnd(15)} flood ${String(rate).padStart(6)}/s (${w.floodRate}/s): ` +
                `loss ${w.lossPct.toFixed(2)} % (${w.mediaReceived}/${w.mediaSent}), ` +
                `shared drops ${w.sharedSocketDrops}, consumer drops ${w.consumerSocketDrops}, I/O read ${w.ioRead}` +
                (w.ioDroppedRingFull ? `, ring full ${w.ioDroppedRingFull}` : ''),
            );
          }
        } finally {
          session.sender.close();
          session.receiver.close();
          session.server.close();
        }
      }
    }
  } finally {
    flooder.close();
    worker.close();
  }
  report(windows, recvBuffers);
  saveResults('flood', { rmem: rmemSysctls(), recvBuffers: Object.fromEntries(recvBuffers), windows });
  return windows;
}

async function drainOnly(): Promise<void> {
  const flooder = await startFlooder();
  try {
    const rows = await runDrain(flooder.run, Number(arg('--rate') ?? 80_000), ROUNDS, WINDOW_MS);
    saveResults('flood-drain', rows);
  } finally {
    flooder.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--drain')) await drainOnly();
  else await runFlood();
}
