/**
 * Where a big room's fan-out runs: one producer (opus-sized RTP at 300 pkt/s
 * of 1,000 B over a real WebRtcTransport) and N receivers, all on the room's
 * router (one worker thread), or with the receivers past the first `after`
 * on a consumer router of the second worker, the producer piped there
 * (`pipeToRouter`, shared memory) — what apps/demo does past `--spread-after`.
 * Reported: each worker thread's own CPU (`tsfuGetThreadStats().cpu`) per
 * second of sending, so the split of the work between the two cores shows.
 * Clients are tsfu's SyntheticWebRtcClient (ICE, DTLS, SRTP) in this process.
 *
 *   pnpm exec tsc -b bench && node bench/dist/spread.js [--quick]
 */
import { createWorker, type Router, type WebRtcServer, type Worker } from '@tsfu/sfu';
import { SyntheticWebRtcClient } from '@tsfu/sfu/testing';
import { saveResults } from './harness.js';

const quick = process.argv.includes('--quick') || process.env.TSFU_BENCH_QUICK === '1';
const RATE = 300;
const SECONDS = quick ? 2 : 4;
const SIZES = quick ? [8] : [4, 8, 16];
const AFTER = 4;
const mediaCodecs = [{ kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 }];

async function connected(router: Router, server: WebRtcServer) {
  const t = await router.createWebRtcTransport({ webRtcServer: server });
  const client = await SyntheticWebRtcClient.create();
  await t.connect({ dtlsParameters: client.dtlsParameters });
  await client.connect(t);
  return { t, client };
}

async function threadCpuMs(w: Worker): Promise<number> {
  const s = await w.tsfuGetThreadStats();
  return (s.cpu?.userMs ?? 0) + (s.cpu?.systemMs ?? 0);
}

async function trial(n: number, spread: boolean) {
  const workers = [await createWorker({ logLevel: 'warn' }), await createWorker({ logLevel: 'warn' })];
  const clients: SyntheticWebRtcClient[] = [];
  try {
    const servers: WebRtcServer[] = [];
    let port = 0;
    for (const w of workers) {
      const s = await w.createWebRtcServer({
        listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port, tsfuLoopbackOnly: true }],
      });
      port = (await s.dump()).udpSockets[0].port;
      servers.push(s);
    }
    const room = await workers[0].createRouter({ mediaCodecs });
    const consumerRouter = await workers[1].createRouter({ mediaCodecs });
    const sender = await connected(room, servers[0]);
    clients.push(sender.client);
    const ssrc = 0x4242;
    const producer = await sender.t.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc }],
        rtcp: { cname: 's' },
      },
    });
    for (let i = 0; i < n; i++) {
      const onOther = spread && i >= AFTER;
      const router = onOther ? consumerRouter : room;
      if (onOther && i === AFTER) {
        await room.pipeToRouter({ producerId: producer.id, router, tsfuSharedMemory: true });
      }
      const r = await connected(router, servers[onOther ? 1 : 0]);
      clients.push(r.client);
      await r.t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
    }
    const packet = Buffer.alloc(12 + 1000, 0x33);
    packet[0] = 0x80;
    packet[1] = 111;
    packet.writeUInt32BE(ssrc, 8);
    const received0 = clients.slice(1).reduce((x, c) => x + c.counters.rtpReceived, 0);
    const cpu0 = await Promise.all(workers.map(threadCpuMs));
    const total = RATE * SECONDS;
    const t0 = performance.now();
    for (let seq = 0; seq < total; seq++) {
      packet.writeUInt16BE(seq & 0xffff, 2);
      packet.writeUInt32BE((seq * 960) >>> 0, 4);
      sender.client.sendRtp(packet);
      const due = t0 + ((seq + 1) * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await new Promise((r) => setTimeout(r, 200));
    const cpu1 = await Promise.all(workers.map(threadCpuMs));
    const received = clients.slice(1).reduce((x, c) => x + c.counters.rtpReceived, 0) - received0;
    return {
      n,
      spread,
      worker1CpuPct: ((cpu1[0] - cpu0[0]) / (SECONDS * 1000)) * 100,
      worker2CpuPct: ((cpu1[1] - cpu0[1]) / (SECONDS * 1000)) * 100,
      delivered: received / (total * n),
    };
  } finally {
    for (const c of clients) c.close();
    for (const w of workers) w.close();
  }
}

const rows = [];
for (const n of SIZES) for (const spread of [false, true]) rows.push(await trial(n, spread));
console.log(
  `\nspread: one producer (${RATE} pkt/s × 1,012 B), N receivers; receivers past ${AFTER} on worker 2 when spread`,
);
console.log('| N | spread | worker 1 thread CPU | worker 2 thread CPU | delivered |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.n} | ${r.spread ? 'yes' : 'no'} | ${r.worker1CpuPct.toFixed(1)} % | ${r.worker2CpuPct.toFixed(1)} % | ${(r.delivered * 100).toFixed(1)} % |`,
  );
}
saveResults('spread', { rate: RATE, seconds: SECONDS, after: AFTER, rows });
