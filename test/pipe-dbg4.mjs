import { createSocket } from 'node:dgram';
import { createWorker } from '@tsfu/sfu';

const [mode, size, rate] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const mediaCodecs = [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }];
const opus = { mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 };
const w1 = await createWorker(),
  w2 = await createWorker();
const a = await w1.createRouter({ mediaCodecs }),
  b = await w2.createRouter({ mediaCodecs });
const ing = await a.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, comedia: true });
const p = await ing.produce({ kind: 'audio', rtpParameters: { codecs: [opus], encodings: [{ ssrc: 5 }] } });
await a.pipeToRouter({
  producerId: p.id,
  router: b,
  enableSrtp: mode === 'srtp',
  tsfuSharedMemory: mode === 'shm',
});
const sink = createSocket('udp4');
sink.bind(0, '127.0.0.1');
await new Promise((r) => sink.once('listening', r));
let got = 0;
sink.on('message', () => got++);
const eg = await b.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
await eg.connect({ ip: '127.0.0.1', port: sink.address().port });
await eg.consume({ producerId: p.id, rtpCapabilities: b.rtpCapabilities });
const s = createSocket('udp4');
const pk = Buffer.alloc(size, 1);
pk[0] = 0x80;
pk[1] = 100;
pk.writeUInt32BE(5, 8);
const c0 = process.cpuUsage();
let i = 0;
const t0 = performance.now();
const N = rate * 2;
await new Promise((res) => {
  const t = setInterval(() => {
    const due = Math.min(((performance.now() - t0) * rate) / 1000, N);
    while (i < due) {
      pk.writeUInt16BE(i & 0xffff, 2);
      pk.writeUInt32BE(i * 960, 4);
      s.send(pk, ing.tuple.localPort, '127.0.0.1');
      i++;
    }
    if (i >= N) {
      clearInterval(t);
      res();
    }
  }, 5);
});
await new Promise((r) => setTimeout(r, 300));
const c = process.cpuUsage(c0);
const pa = [...a.transportsForTesting.values()].find((t) => t.type === 'pipe');
const pb = [...b.transportsForTesting.values()].find((t) => t.type === 'pipe');
const [sa] = await pa.getStats(),
  [sb] = await pb.getStats();
const [si] = await ing.getStats();
console.log(
  mode,
  size,
  rate,
  'sent',
  i,
  'ing',
  Math.round(si.rtpBytesReceived / size),
  'pipeA sent',
  Math.round(sa.rtpBytesSent / size),
  'pipeB recv',
  Math.round(sb.rtpBytesReceived / size),
  'sink',
  got,
  'srtpFail',
  sb.tsfuCounters.srtpFailures,
  'ringFullA',
  sa.tsfuCounters.sendsDroppedRingFull,
  'cpu us/pkt',
  ((c.user + c.system) / i).toFixed(1),
);
s.close();
sink.close();
w1.close();
w2.close();
process.exit(0);
