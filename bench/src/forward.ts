/**
 * Forwarding through the SFU: one producer → N consumers (N = 1, 10) over
 * real WebRtcTransports on loopback with SRTP both ways — a synthetic client
 * (tsfu's own ICE/DTLS/SRTP, `@tsfu/sfu/testing`) sends 1000-byte VP8 packets
 * into the producer's transport; the SFU (I/O thread + worker thread)
 * unprotects, parses, rewrites per consumer, stores for RTX, protects and
 * sends to N client sockets. The baseline is a plain `node:dgram` relay on a
 * thread of its own doing the same fan-out (receive, N sends; no crypto, no
 * parsing), measured in the same run.
 *
 * A driver thread sends bursts of 32 source packets and waits until all N×32
 * copies have arrived (or 250 ms passed: counted as lost) before the next, so
 * no case can look fast by queueing or dropping. One op = one packet
 * delivered to one consumer. The clients only count what arrives (they do
 * not unprotect it); the sender's own SRTP protect is inside the tsfu cases.
 *
 *   pnpm exec tsc -b bench && node bench/dist/forward.js
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/dist/forward.js   # per-thread profiles
 */
import { createSocket, type Socket } from 'node:dgram';
import { isMainThread, parentPort, Worker as Thread, workerData } from 'node:worker_threads';
import { serializeRtpPacket } from '@tsfu/rtp';
import { createWorker, type RtpParameters, type WebRtcTransport } from '@tsfu/sfu';
import { type SyntheticTransportInfo, SyntheticWebRtcClient } from '@tsfu/sfu/testing';
import { type BenchCase, runSuite, saveResults } from './harness.js';

const PAYLOAD = 1000;
const BURST = 32;
const BURST_TIMEOUT_MS = 250;
const FANOUTS = [1, 10] as const;
const SSRC = 0x0b0b0b0b;

// Shared control words.
const DONE = 0;
const LOST = 1;
const DELIVERED = 2;

interface RoomInfo {
  fanout: number;
  send: SyntheticTransportInfo;
  recv: SyntheticTransportInfo[];
}

type DriverMsg = { kind: 'run'; target: 'tsfu' | 'dgram'; fanout: number; count: number } | { kind: 'stop' };

function vp8Packet(seq: number, keyframe: boolean): Buffer {
  const payload = Buffer.alloc(PAYLOAD, 0x5a);
  payload[0] = 0x90; // X, S
  payload[1] = 0x80; // I
  payload[2] = 0x80 | ((seq >> 8) & 0x7f);
  payload[3] = seq & 0xff;
  payload[4] = keyframe ? 0x00 : 0x01;
  return serializeRtpPacket({
    payloadType: 96,
    sequenceNumber: seq & 0xffff,
    timestamp: (seq * 3000) >>> 0,
    ssrc: SSRC,
    extensions: [{ id: 4, value: Buffer.from('0') }],
    payload,
  });
}

// ---- driver thread: the clients (tsfu) and plain sockets (dgram baseline) ----------------

async function driverMain(init: {
  ctl: Int32Array;
  rooms: RoomInfo[];
  relayPorts: Record<number, number>;
}): Promise<void> {
  const { ctl } = init;
  const rooms = new Map<number, { sender: SyntheticWebRtcClient; receivers: SyntheticWebRtcClient[] }>();
  let fingerprintSent = false;
  for (const room of init.rooms) {
    const sender = await SyntheticWebRtcClient.create();
    const receivers = [];
    for (let i = 0; i < room.fanout; i++) {
      const r = await SyntheticWebRtcClient.create();
      r.unprotectIncoming = false;
      receivers.push(r);
    }
    if (!fingerprintSent) {
      // Every client of this thread shares one certificate: one fingerprint for all connect() calls.
      parentPort!.postMessage({ kind: 'dtls', dtlsParameters: sender.dtlsParameters });
      fingerprintSent = true;
      await new Promise((r) => parentPort!.once('message', r));
    }
    await Promise.all([sender.connect(room.send), ...receivers.map((r, i) => r.connect(room.recv[i]))]);
    rooms.set(room.fanout, { sender, receivers });
  }
  // Plain receivers for the dgram relay.
  const plain = new Map<number, { sockets: Socket[]; received: number; sender: Socket }>();
  for (const fanout of FANOUTS) {
    const entry = { sockets: [] as Socket[], received: 0, sender: createSocket('udp4') };
    for (let i = 0; i < fanout; i++) {
      const s = createSocket('udp4');
      s.on('message', () => {
        entry.received++;
      });
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      entry.sockets.push(s);
    }
    await new Promise<void>((r) => entry.sender.bind(0, '127.0.0.1', () => r()));
    plain.set(fanout, entry);
  }
  parentPort!.postMessage({
    kind: 'ready',
    plainPorts: Object.fromEntries([...plain].map(([f, e]) => [f, e.sockets.map((s) => s.address().port)])),
  });
  const relayPorts = (await new Promise((r) => parentPort!.once('message', r))) as Record<number, number>;

  let seq = 1;
  const packet = vp8Packet(0, false);
  const waitUntil = (cond: () => boolean): Promise<boolean> =>
    new Promise((resolve) => {
      const start = Date.now();
      const check = () => {
        if (cond()) resolve(true);
        else if (Date.now() - start > BURST_TIMEOUT_MS) resolve(false);
        else setImmediate(check);
      };
      check();
    });

  // Warm-up: a keyframe so every consumer starts forwarding, then check each receiver got it.
  for (const [, room] of rooms) {
    for (let k = 0; k < 5; k++) {
      room.sender.sendRtp(vp8Packet(seq++, true));
      await new Promise((r) => setTimeout(r, 50));
    }
    if (room.receivers.some((r) => r.counters.rtpReceived === 0))
      throw new Error('warm-up: a consumer got nothing');
  }

  parentPort!.on('message', async (msg: DriverMsg) => {
    if (msg.kind === 'stop') {
      for (const [, room] of rooms) for (const c of [room.sender, ...room.receivers]) c.close();
      for (const [, e] of plain) for (const s of [e.sender, ...e.sockets]) s.close();
      parentPort!.close();
      return;
    }
    const sources = Math.max(1, Math.ceil(msg.count / msg.fanout));
    let delivered = 0;
    for (let sent = 0; sent < sources; sent += BURST) {
      const n = Math.min(BURST, sources - sent);
      if (msg.target === 'tsfu') {
        const room = rooms.get(msg.fanout)!;
        const before = room.receivers.reduce((t, r) => t + r.counters.rtpReceived, 0);
        for (let i = 0; i < n; i++) {
          const s = seq++ & 0xffff;
          packet[2] = s >> 8;
          packet[3] = s;
          room.sender.sendRtp(packet);
        }
        const want = before + n * msg.fanout;
        const total = () => room.receivers.reduce((t, r) => t + r.counters.rtpReceived, 0);
        if (!(await waitUntil(() => total() >= want))) Atomics.add(ctl, LOST, 1);
        delivered += total() - before;
      } else {
        const e = plain.get(msg.fanout)!;
        const before = e.received;
        let pending = n;
        await new Promise<void>((resolve) => {
          for (let i = 0; i < n; i++) {
            e.sender.send(packet, relayPorts[msg.fanout], '127.0.0.1', () => {
              if (--pending === 0) resolve();
            });
          }
        });
        if (!(await waitUntil(() => e.received >= before + n * msg.fanout))) Atomics.add(ctl, LOST, 1);
        delivered += e.received - before;
      }
    }
    Atomics.add(ctl, DELIVERED, delivered);
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  });
}

// ---- relay thread: the plain node:dgram fan-out -------------------------------------------

async function relayMain(init: { targets: Record<number, number[]> }): Promise<void> {
  const ports: Record<number, number> = {};
  const sockets: Socket[] = [];
  for (const [fanout, targets] of Object.entries(init.targets)) {
    const s = createSocket('udp4');
    s.on('message', (msg) => {
      for (let i = 0; i < targets.length; i++) s.send(msg, targets[i], '127.0.0.1');
    });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    ports[Number(fanout)] = s.address().port;
    sockets.push(s);
  }
  parentPort!.postMessage(ports);
  parentPort!.once('message', () => {
    for (const s of sockets) s.close();
    parentPort!.close();
  });
}

// ---- main -------------------------------------------------------------------------------

function info(t: WebRtcTransport): SyntheticTransportInfo {
  return { iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
}

const producerParameters: RtpParameters = {
  mid: '0',
  codecs: [
    {
      mimeType: 'video/VP8',
      payloadType: 96,
      clockRate: 90000,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'transport-cc' }],
    },
  ],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 }],
  encodings: [{ ssrc: SSRC }],
  rtcp: { cname: 'bench' },
};

async function main(): Promise<void> {
  const worker = await createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }],
  });
  const server = await worker.createWebRtcServer({
    listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }],
  });
  const rooms: Array<{ fanout: number; send: WebRtcTransport; recv: WebRtcTransport[] }> = [];
  for (const fanout of FANOUTS) {
    const send = await router.createWebRtcTransport({ webRtcServer: server });
    const recv = [];
    for (let i = 0; i < fanout; i++) recv.push(await router.createWebRtcTransport({ webRtcServer: server }));
    rooms.push({ fanout, send, recv });
  }
  const ctl = new Int32Array(new SharedArrayBuffer(16));
  const driver = new Thread(new URL(import.meta.url), {
    workerData: {
      role: 'driver',
      ctl,
      rooms: rooms.map((r) => ({ fanout: r.fanout, send: info(r.send), recv: r.recv.map(info) })),
    },
  });
  const driverMsg = () => new Promise<Record<string, unknown>>((r) => driver.once('message', r));
  const { dtlsParameters } = (await driverMsg()) as { dtlsParameters: never };
  for (const r of rooms) for (const t of [r.send, ...r.recv]) await t.connect({ dtlsParameters });
  driver.postMessage('go');
  const { plainPorts } = (await driverMsg()) as { plainPorts: Record<number, number[]> };
  for (const r of rooms) {
    const producer = await r.send.produce({
      kind: 'video',
      rtpParameters: structuredClone(producerParameters),
    });
    for (const t of r.recv)
      await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  }
  const relay = new Thread(new URL(import.meta.url), { workerData: { role: 'relay', targets: plainPorts } });
  const relayPorts = await new Promise<Record<number, number>>((r) => relay.once('message', r));
  driver.postMessage(relayPorts);

  const runCase = (target: 'tsfu' | 'dgram', fanout: number) => (count: number) => {
    const done = Atomics.load(ctl, DONE);
    driver.postMessage({ kind: 'run', target, fanout, count } satisfies DriverMsg);
    Atomics.wait(ctl, DONE, done, 120_000);
  };
  // Let the warm-up finish (keyframes through every consumer) before measuring.
  await new Promise((r) => setTimeout(r, 1_000));
  const cases: BenchCase[] = [];
  for (const fanout of FANOUTS) {
    cases.push({
      name: `node:dgram relay, fan-out ${fanout}`,
      run: runCase('dgram', fanout),
      baseline: fanout === 10,
    });
    cases.push({
      name: `tsfu SFU (SRTP, rewrite, RTX store), fan-out ${fanout}`,
      run: runCase('tsfu', fanout),
    });
  }
  const results = runSuite('forward: 1 producer → N consumers, per packet delivered to one consumer', cases, {
    rounds: 9,
    roundMs: 150,
    maxMs: 40_000,
  });
  const lost = Atomics.load(ctl, LOST);
  console.log(
    results
      .map((r) => `${r.name}: ${Math.round(r.opsPerSec).toLocaleString('en-US')} forwarded packets/s`)
      .join('\n'),
  );
  const pair = (f: number) => {
    const d = results.find((r) => r.name.startsWith('node:dgram') && r.name.endsWith(`fan-out ${f}`))!;
    const t = results.find((r) => r.name.startsWith('tsfu') && r.name.endsWith(`fan-out ${f}`))!;
    return t.opsPerSec / d.opsPerSec;
  };
  for (const f of FANOUTS) console.log(`fan-out ${f}: tsfu / node:dgram relay = ${pair(f).toFixed(2)}x`);
  console.log(`bursts that timed out (packets lost or late): ${lost}`);
  const [stats] = await rooms[1].recv[0].getStats();
  console.log(`sendsDroppedRingFull: ${stats.tsfuCounters.sendsDroppedRingFull}`);
  console.log(
    `saved ${saveResults('forward', { results, lostBursts: lost, ratios: Object.fromEntries(FANOUTS.map((f) => [f, pair(f)])) })}`,
  );
  driver.postMessage({ kind: 'stop' } satisfies DriverMsg);
  relay.postMessage('stop');
  worker.close();
}

if (isMainThread) {
  await main();
} else if ((workerData as { role: string }).role === 'driver') {
  await driverMain(workerData as never);
} else {
  await relayMain(workerData as never);
}
