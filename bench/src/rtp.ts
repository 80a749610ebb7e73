/**
 * @tsfu/rtp forwarding-path benchmark: per packet, parse a 1200-byte video
 * packet with five header extensions, rewrite sequence number, timestamp,
 * SSRC and payload type, and remap extension ids for a consumer (one id
 * dropped). Baseline: werift-rtp doing the same work (deserialize, modify,
 * serialize) in the same run.
 *
 *   pnpm exec tsc -b bench && node bench/dist/rtp.js
 */
import {
  createExtensionIdTable,
  encodeAbsSendTime,
  encodePlayoutDelay,
  encodeSdesText,
  encodeTransportSequence,
  encodeVideoOrientation,
  parseRtcpPackets,
  RtcpCompoundView,
  RtpPacketView,
  RtpStreamRewriter,
  serializeRtcpPackets,
  serializeRtpPacket,
} from '@tsfu/rtp';
import { RtcpPacketConverter, RtpPacket } from 'werift-rtp';
import { consume, runSuite, saveResults } from './harness.js';

// Producer-side ids: mid=1, abs-send-time=2, transport-cc=3, video-orientation=4, playout-delay=5.
// The consumer negotiated other ids and no playout-delay.
const idMap: [number, number][] = [
  [1, 9],
  [2, 3],
  [3, 5],
  [4, 13],
];
const table = createExtensionIdTable(idMap);
const idMapObj = new Map(idMap);

const payload = new Uint8Array(1200 - 12 - 20); // fixed header, 20-byte extension block
for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
const original = serializeRtpPacket({
  payloadType: 96,
  sequenceNumber: 1000,
  timestamp: 90000,
  ssrc: 0x11223344,
  marker: true,
  extensions: [
    { id: 1, value: encodeSdesText('0') },
    { id: 2, value: encodeAbsSendTime(0x123456) },
    { id: 3, value: encodeTransportSequence(4242) },
    { id: 4, value: encodeVideoOrientation({ backCamera: false, flip: false, rotation: 90 }) },
    { id: 5, value: encodePlayoutDelay({ minMs: 0, maxMs: 100 }) },
  ],
  payload,
});
if (original.length !== 1200) throw new Error(`bench packet is ${original.length} bytes, want 1200`);

/** Per consumer: a copy of the packet (the SFU never rewrites the producer's buffer), rewritten in place. */
function tsfuFields(iterations: number): void {
  const input = Buffer.from(original);
  const out = Buffer.alloc(1500);
  const view = new RtpPacketView();
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    input[3] = i; // a new input sequence number each time
    out.set(input);
    if (!view.wrap(out, input.length)) throw new Error('wrap failed');
    view.sequenceNumber = (view.sequenceNumber + 7) & 0xffff;
    view.timestamp = (view.timestamp + 3000) >>> 0;
    view.ssrc = 0xcafebabe;
    view.payloadType = 101;
    view.remapExtensions(table);
    acc += view.extensionCount;
  }
  consume(acc);
}

/** Same with the real consumer logic: RtpStreamRewriter maps seq/ts across drops and switches. */
function tsfuRewriter(iterations: number): void {
  const input = Buffer.from(original);
  const out = Buffer.alloc(1500);
  const view = new RtpPacketView();
  const rewriter = new RtpStreamRewriter({ ssrc: 0xcafebabe, clockRate: 90000, payloadType: 101 });
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    const seq = i & 0xffff;
    input[2] = seq >>> 8;
    input[3] = seq;
    out.set(input);
    if (!view.wrap(out, input.length)) throw new Error('wrap failed');
    if (rewriter.rewrite(view, 0)) acc++;
    view.remapExtensions(table);
  }
  consume(acc);
}

function werift(iterations: number): void {
  const input = Buffer.from(original);
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    input[3] = i;
    const p = RtpPacket.deSerialize(input);
    const h = p.header;
    h.sequenceNumber = (h.sequenceNumber + 7) & 0xffff;
    h.timestamp = (h.timestamp + 3000) >>> 0;
    h.ssrc = 0xcafebabe;
    h.payloadType = 101;
    const exts = [];
    for (const e of h.extensions) {
      const to = idMapObj.get(e.id);
      if (to !== undefined) exts.push({ id: to, payload: e.payload });
    }
    h.extensions = exts;
    acc += p.serialize().length;
  }
  consume(acc);
}

const results = runSuite('rtp: parse + rewrite seq/ts/SSRC/PT + extension remap, 1200-byte packet', [
  { name: 'werift-rtp deSerialize+modify+serialize', run: werift, baseline: true },
  { name: '@tsfu/rtp view: copy+wrap+setters+remap', run: tsfuFields },
  { name: '@tsfu/rtp view + RtpStreamRewriter', run: tsfuRewriter },
]);
// RTCP: a typical receiver-side compound datagram (RR + SDES + NACK + transport-cc feedback).
const compound = serializeRtcpPackets([
  {
    kind: 'rr',
    ssrc: 1,
    reports: [{ ssrc: 2, fractionLost: 3, packetsLost: 4, highestSequence: 5, jitter: 6, lsr: 7, dlsr: 8 }],
  },
  { kind: 'sdes', chunks: [{ ssrc: 1, items: [{ type: 1, text: 'e3b0c44298fc1c14' }] }] },
  { kind: 'nack', senderSsrc: 1, mediaSsrc: 2, lost: [100, 101, 105, 130] },
  {
    kind: 'transport-cc',
    senderSsrc: 1,
    mediaSsrc: 2,
    baseSequenceNumber: 1000,
    referenceTime: 12345,
    fbPktCount: 7,
    packetStatusCount: 40,
    received: Array.from({ length: 40 }, (_, i) => ({ offset: i, deltaUs: (i % 5) * 1000 })).filter(
      (r) => r.offset % 9 !== 4,
    ),
  },
]);

function rtcpView(iterations: number): void {
  const v = new RtcpCompoundView();
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    v.wrap(compound);
    while (v.next()) acc += v.packetType + v.senderSsrc;
  }
  consume(acc);
}

function rtcpParse(iterations: number): void {
  let acc = 0;
  for (let i = 0; i < iterations; i++) acc += parseRtcpPackets(compound)!.length;
  consume(acc);
}

function rtcpWerift(iterations: number): void {
  let acc = 0;
  for (let i = 0; i < iterations; i++) acc += RtcpPacketConverter.deSerialize(compound).length;
  consume(acc);
}

const rtcpResults = runSuite(
  `rtcp: parse a ${compound.length}-byte compound (RR + SDES + NACK + transport-cc)`,
  [
    { name: 'werift-rtp RtcpPacketConverter.deSerialize', run: rtcpWerift, baseline: true },
    { name: '@tsfu/rtp parseRtcpPackets (plain objects)', run: rtcpParse },
    { name: '@tsfu/rtp RtcpCompoundView walk (no allocation)', run: rtcpView },
  ],
  { maxMs: 10_000 },
);

const file = saveResults('rtp', { rtp: results, rtcp: rtcpResults });
console.log(`saved ${file}`);
