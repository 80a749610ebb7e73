/**
 * The SFU's media plane without a browser: synthetic SRTP clients built from
 * tsfu's own packages send RTP/RTCP into a producer's transport and read what
 * a consumer's transport sends — rewriting, RTX retransmission, keyframe
 * requests, NACK generation, SR/RR/REMB/transport-cc, pause/resume,
 * simulcast layer switching and temporal layer dropping.
 * "Not forwarded" is proven by the worker's counters (the producer counted the
 * packet, its consumer did not send it), never by waiting a while.
 */
import { type ParsedRtpPacket, type RtcpPacket, readAbsSendTime, serializeRtcpPackets } from '@tsfu/rtp';
import type { Consumer, ConsumerLayers, Producer, Router, Worker } from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPeer,
  createRig,
  EXT,
  opusProducerParameters,
  type Peer,
  pollUntil,
  rtp,
  sdes,
  vp8Payload,
  vp8ProducerParameters,
  waitFor,
} from './media-rig.js';

let worker: Worker;
let router: Router;
let a: Peer;
let b: Peer;
let producer: Producer;
let consumer: Consumer;
const SSRC = 0x1111;
const RTX_SSRC = 0x2222;
let seq = 1000;
let ts = 5000;
let pid = 100;
let tl0 = 10;
/** Input timestamp of the last packet forwarded to B (the RTX-repaired one). */
let lastForwardedInTs = 0;

/** Sends one VP8 frame (one packet) from A, with mid + transport-cc + abs-send-time extensions. */
function sendFrame(keyframe: boolean, opts: { skip?: boolean; tid?: number } = {}): number {
  const s = seq++;
  ts += 3000;
  pid = (pid + 1) & 0x7fff;
  const tid = opts.tid ?? 0;
  if (tid === 0) tl0 = (tl0 + 1) & 0xff;
  if (opts.skip) return s;
  a.client.sendRtp(
    rtp({
      ssrc: SSRC,
      seq: s,
      ts,
      payload: vp8Payload({ keyframe, pictureId: pid, tl0, tid }),
      extensions: [
        { id: EXT.mid, value: sdes('0') },
        { id: EXT.absSendTime, value: new Uint8Array([1, 2, 3]) },
        { id: EXT.transportCc, value: new Uint8Array([0, s & 0xff]) },
      ],
    }),
  );
  return s;
}

const rtcpOf = <K extends RtcpPacket['kind']>(peer: Peer, kind: K) =>
  peer.rtcp.filter((p): p is Extract<RtcpPacket, { kind: K }> => p.kind === kind);
const fromConsumer = (p: ParsedRtpPacket) => p.ssrc === consumer.rtpParameters.encodings![0].ssrc;

/** Packets the worker counted on the producer's streams. */
const received = async (p: Producer) => (await p.getStats()).reduce((n, s) => n + s.packetCount, 0);
/** Packets the consumer sent (RTX not included). */
const sent = async (c: Consumer) => (await c.getStats())[0].packetCount;

/**
 * Waits until the worker counted `total` packets on `p`, then returns how many
 * `c` has sent. A packet is counted and forwarded (or dropped) in one turn of
 * the worker, and the second request is answered after the first, so this is
 * final for those packets: nothing they caused can still be on its way.
 */
async function sentOnceReceived(p: Producer, total: number, c: Consumer): Promise<number> {
  await pollUntil(
    () => received(p),
    (n) => n >= total,
    10_000,
    `${total} packets counted at the producer`,
  );
  return sent(c);
}

beforeAll(async () => {
  ({ worker, router } = await createRig());
  a = await createPeer(router);
  b = await createPeer(router);
  producer = await a.transport.produce({
    kind: 'video',
    rtpParameters: vp8ProducerParameters({ mid: '0', ssrc: SSRC, rtxSsrc: RTX_SSRC }),
  });
  consumer = await b.transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
});

afterAll(() => {
  a?.client.close();
  b?.client.close();
  worker?.close();
});

describe('forwarding', () => {
  it('asks the producer for a keyframe when a video consumer starts, and forwards from that keyframe on', async () => {
    await waitFor(() => rtcpOf(a, 'pli').some((p) => p.mediaSsrc === SSRC), 3_000, 'PLI at A');
    sendFrame(false); // before any keyframe: not forwarded (the decoder could not use it)
    const first = sendFrame(true);
    for (let i = 0; i < 9; i++) sendFrame(false);
    await waitFor(() => b.rtp.filter(fromConsumer).length >= 10, 3_000, '10 packets at B');
    // All 11 reached the worker; the consumer sent 10 (the delta before the keyframe was dropped).
    expect(await sentOnceReceived(producer, 11, consumer)).toBe(10);
    const got = b.rtp.filter(fromConsumer);
    expect(got).toHaveLength(10);
    const enc = consumer.rtpParameters.encodings![0];
    const vp8Pt = consumer.rtpParameters.codecs.find((c) => c.mimeType === 'video/VP8')!.payloadType;
    for (let i = 0; i < got.length; i++) {
      expect(got[i].ssrc).toBe(enc.ssrc);
      expect(got[i].payloadType).toBe(vp8Pt);
      expect(got[i].sequenceNumber).toBe((got[0].sequenceNumber + i) & 0xffff);
      expect((got[i].timestamp - got[0].timestamp) >>> 0).toBe(i * 3000);
      // Payload untouched (simple consumer: no picture id rewrite).
      expect(got[i].payload[6]).toBe(i === 0 ? 0x00 : 0x01);
    }
    // mid is the producer's: removed; abs-send-time is rewritten at the consumer's id; transport-cc is
    // kept at the consumer's id and carries the SFU transport's own sequence number (bandwidth estimation).
    const extId = (suffix: string) =>
      consumer.rtpParameters.headerExtensions!.find((e) => e.uri.endsWith(suffix))!.id;
    const absId = extId('abs-send-time');
    const twccId = extId('transport-wide-cc-extensions-01');
    const ids = got[0].extensions.map((e) => e.id);
    expect([...ids].sort()).toEqual([absId, twccId].sort());
    const v = got[0].extensions.find((e) => e.id === absId)!.value;
    expect(readAbsSendTime(v, 0, 3)).not.toBe(0x010203);
    const twccSeqs = got.map((p) => {
      const t = p.extensions.find((e) => e.id === twccId)!.value;
      return (t[0] << 8) | t[1];
    });
    for (let i = 1; i < twccSeqs.length; i++) expect(twccSeqs[i]).toBe((twccSeqs[0] + i) & 0xffff);
    const [stat] = await producer.getStats();
    expect(stat).toMatchObject({ type: 'inbound-rtp', ssrc: SSRC, kind: 'video', mimeType: 'video/VP8' });
    expect(stat.packetCount).toBe(11);
    expect(first).toBeGreaterThan(0);
    // The producer's score (0..10 from loss) is reported once per second while packets flow.
    await waitFor(
      () => producer.score.some((x) => x.ssrc === SSRC && x.score === 10),
      3_000,
      'producer score',
    );
    expect(producer.score[0]).toMatchObject({ encodingIdx: 0, ssrc: SSRC, score: 10 });
  });

  it("retransmits a NACKed packet as RTX (RFC 4588) from the consumer's buffer", async () => {
    const got = b.rtp.filter(fromConsumer);
    const target = got[3];
    const enc = consumer.rtpParameters.encodings![0];
    const rtxPt = consumer.rtpParameters.codecs.find((c) => c.mimeType === 'video/rtx')!.payloadType;
    b.client.sendRtcp(
      serializeRtcpPackets([
        { kind: 'rr', ssrc: 0xb0b, reports: [] },
        { kind: 'nack', senderSsrc: 0xb0b, mediaSsrc: enc.ssrc!, lost: [target.sequenceNumber] },
      ]),
    );
    await waitFor(() => b.rtp.some((p) => p.ssrc === enc.rtx!.ssrc), 3_000, 'RTX at B');
    const rtx = b.rtp.find((p) => p.ssrc === enc.rtx!.ssrc)!;
    expect(rtx.payloadType).toBe(rtxPt);
    expect(Buffer.from(rtx.payload).readUInt16BE(0)).toBe(target.sequenceNumber); // OSN
    expect(Buffer.from(rtx.payload.subarray(2))).toEqual(Buffer.from(target.payload));
    expect(rtx.timestamp).toBe(target.timestamp);
    const [cStat] = await consumer.getStats();
    expect(cStat).toMatchObject({
      type: 'outbound-rtp',
      nackCount: 1,
      nackPacketCount: 1,
      packetsRetransmitted: 1,
    });
    const [tStat] = await b.transport.getStats();
    expect(tStat.rtxBytesSent).toBeGreaterThan(0);
  });

  it('forwards PLI from the consumer to the producer at most once per keyFrameRequestDelay', async () => {
    // The worker sent the last PLI A got no later than it arrived: once keyFrameRequestDelay
    // (the default 1000 ms, +5 for clock rounding) has passed since, the next request goes through.
    const lastPliAt = Math.max(...a.rtcpAt.filter((_, i) => a.rtcp[i].kind === 'pli'));
    await waitFor(() => Date.now() > lastPliAt + 1_005, 3_000, 'keyFrameRequestDelay since the last PLI');
    const before = rtcpOf(a, 'pli').length;
    const [pBefore] = await producer.getStats();
    const enc = consumer.rtpParameters.encodings![0];
    const pli = serializeRtcpPackets([
      { kind: 'rr', ssrc: 0xb0b, reports: [] },
      { kind: 'pli', senderSsrc: 0xb0b, mediaSsrc: enc.ssrc! },
    ]);
    for (let i = 0; i < 3; i++) b.client.sendRtcp(pli);
    await waitFor(() => rtcpOf(a, 'pli').length > before, 2_000, 'PLI at A');
    // The worker took all three; the producer stream sent one PLI for them.
    const [cStat] = await pollUntil(
      () => consumer.getStats(),
      ([c]) => c.pliCount === 3,
      5_000,
      'three PLIs at the consumer',
    );
    expect(cStat.pliCount).toBe(3);
    const [pStat] = await producer.getStats();
    expect(pStat.pliCount).toBe(pBefore.pliCount + 1);
    expect(rtcpOf(a, 'pli').length).toBe(before + 1);
  });

  it('NACKs losses toward the producer and forwards the RTX repair', async () => {
    const nacksBefore = rtcpOf(a, 'nack').length;
    sendFrame(false);
    const lost = sendFrame(false, { skip: true });
    const lostTs = ts;
    const lostPid = pid;
    sendFrame(false);
    await waitFor(
      () =>
        rtcpOf(a, 'nack')
          .slice(nacksBefore)
          .some((n) => n.lost.includes(lost)),
      2_000,
      'NACK at A',
    );
    const nack = rtcpOf(a, 'nack')
      .slice(nacksBefore)
      .find((n) => n.lost.includes(lost))!;
    expect(nack.mediaSsrc).toBe(SSRC);
    const countBefore = b.rtp.filter(fromConsumer).length;
    // A answers with RTX (PT 97, its RTX SSRC, OSN first).
    const original = vp8Payload({ keyframe: false, pictureId: lostPid, tl0, tid: 0, tag: 0x77 });
    a.client.sendRtp(
      rtp({
        ssrc: RTX_SSRC,
        payloadType: 97,
        seq: 1,
        ts: lostTs,
        payload: Buffer.concat([Buffer.from([lost >> 8, lost & 0xff]), original]),
      }),
    );
    await waitFor(() => b.rtp.filter(fromConsumer).length > countBefore, 2_000, 'repaired packet at B');
    const repaired = b.rtp.filter(fromConsumer).at(-1)!;
    lastForwardedInTs = lostTs;
    expect(repaired.payload[7]).toBe(0x77);
    const [stat] = await producer.getStats();
    expect(stat.nackCount).toBeGreaterThan(0);
    expect(stat.packetsRepaired).toBeGreaterThanOrEqual(1);
  });

  it("sends SR to the consumer with the producer's NTP↔RTP mapping, RR and REMB to the producer", async () => {
    // A's SR: its NTP now ↔ RTP `ts` (the last frame's).
    const ntpMs = Date.now();
    const ntp =
      (BigInt(Math.floor(ntpMs / 1000) + 2208988800) << 32n) |
      BigInt(Math.floor(((ntpMs % 1000) / 1000) * 2 ** 32));
    const srRtp = ts;
    const lastSent = b.rtp.filter(fromConsumer).at(-1)!;
    const tsOffset = (lastSent.timestamp - lastForwardedInTs) >>> 0;
    a.client.sendRtcp(
      serializeRtcpPackets([
        {
          kind: 'sr',
          ssrc: SSRC,
          ntpTimestamp: ntp,
          rtpTimestamp: srRtp,
          packetCount: 10,
          octetCount: 100,
          reports: [],
        },
        { kind: 'sdes', chunks: [{ ssrc: SSRC, items: [{ type: 1, text: 'synthetic' }] }] },
      ]),
    );
    const srsBefore = rtcpOf(b, 'sr').length;
    // Two SRs: the second was certainly built after A's SR arrived (the interval is ≤ 1.5 s; slack for load).
    await waitFor(() => rtcpOf(b, 'sr').length > srsBefore + 1, 10_000, 'two SRs at B');
    const sr = rtcpOf(b, 'sr').at(-1)!;
    const enc = consumer.rtpParameters.encodings![0];
    expect(sr.ssrc).toBe(enc.ssrc);
    const srNtpMs =
      Number(sr.ntpTimestamp >> 32n) * 1000 -
      2208988800 * 1000 +
      (Number(sr.ntpTimestamp & 0xffffffffn) / 2 ** 32) * 1000;
    const elapsedMs = srNtpMs - ntpMs;
    expect(elapsedMs).toBeGreaterThanOrEqual(0);
    expect(elapsedMs).toBeLessThan(10_000); // SRs come every ≤ 1.5 s; generous for a loaded machine
    // RTP = A's SR RTP + elapsed × 90 kHz, shifted by the consumer's timestamp offset (± 2 ms of clock).
    const expected = (srRtp + Math.round(elapsedMs * 90) + tsOffset) >>> 0;
    expect(Math.abs((sr.rtpTimestamp - expected) << 0)).toBeLessThan(180);
    expect(
      rtcpOf(b, 'sdes').some((s) =>
        s.chunks.some((c) => c.ssrc === enc.ssrc && c.items[0].text === 'synthetic'),
      ),
    ).toBe(true);
    // A gets receiver reports about its stream (LSR = its SR) and a REMB.
    await waitFor(
      () => rtcpOf(a, 'rr').some((r) => r.reports.some((x) => x.ssrc === SSRC && x.lsr !== 0)),
      10_000, // RRs are periodic (≤ 1.5 s); slack for a loaded machine, as for the SRs above
      'RR with LSR at A',
    );
    const block = rtcpOf(a, 'rr')
      .flatMap((r) => r.reports)
      .filter((x) => x.ssrc === SSRC)
      .at(-1)!;
    expect(block.lsr).toBe(Number((ntp >> 16n) & 0xffffffffn));
    const remb = rtcpOf(a, 'remb').at(-1)!;
    expect(remb.ssrcs).toContain(SSRC);
    expect(remb.bitrate).toBeGreaterThanOrEqual(1_000_000);
  });

  it("turns the consumer's RR into RTT, loss and score", async () => {
    const enc = consumer.rtpParameters.encodings![0];
    const sr = rtcpOf(b, 'sr').at(-1)!;
    const lsr = Number((sr.ntpTimestamp >> 16n) & 0xffffffffn);
    const scores: number[] = [];
    consumer.on('score', (s) => scores.push(s.score));
    b.client.sendRtcp(
      serializeRtcpPackets([
        {
          kind: 'rr',
          ssrc: 0xb0b,
          reports: [
            {
              ssrc: enc.ssrc!,
              fractionLost: 13,
              packetsLost: 3,
              highestSequence: 0,
              jitter: 5,
              lsr,
              dlsr: 0,
            },
          ],
        },
      ]),
    );
    await waitFor(() => scores.length > 0, 2_000, 'score event');
    expect(scores[0]).toBe(7);
    const [cStat] = await consumer.getStats();
    expect(cStat.fractionLost).toBe(13);
    expect(cStat.packetsLost).toBe(3);
    expect(cStat.roundTripTime).toBeGreaterThan(0);
    expect(consumer.score.score).toBe(7);
  });

  it('sends transport-cc feedback toward the producer for the transport-wide sequence numbers', async () => {
    await waitFor(() => rtcpOf(a, 'transport-cc').length > 0, 2_000, 'transport-cc at A');
    const fb = rtcpOf(a, 'transport-cc');
    const received = fb.flatMap((f) => f.received);
    expect(received.length).toBeGreaterThan(5);
    expect(fb[0].senderSsrc).not.toBe(0);
  });
});

describe('pause and resume', () => {
  it('a paused consumer sends nothing; on resume it asks for a keyframe and continues the sequence', async () => {
    const maxSeq = Math.max(...b.rtp.filter(fromConsumer).map((p) => p.sequenceNumber));
    await consumer.pause();
    expect(consumer.paused).toBe(true);
    const count = b.rtp.filter(fromConsumer).length;
    const recv0 = await received(producer);
    const sent0 = await sent(consumer);
    for (let i = 0; i < 5; i++) sendFrame(false);
    expect(await sentOnceReceived(producer, recv0 + 5, consumer)).toBe(sent0);
    expect(b.rtp.filter(fromConsumer).length).toBe(count);
    const plis = rtcpOf(a, 'pli').length;
    await consumer.resume();
    await waitFor(() => rtcpOf(a, 'pli').length > plis, 2_000, 'PLI after resume');
    const recv1 = await received(producer);
    sendFrame(false); // not a keyframe: still waiting
    sendFrame(true);
    sendFrame(false);
    await waitFor(() => b.rtp.filter(fromConsumer).length >= count + 2, 2_000, 'packets after resume');
    expect(await sentOnceReceived(producer, recv1 + 3, consumer)).toBe(sent0 + 2);
    const after = b.rtp.filter(fromConsumer).slice(count);
    expect(after).toHaveLength(2);
    expect(after[0].sequenceNumber).toBe((maxSeq + 1) & 0xffff); // gapless across the pause
    expect(after[0].payload[6]).toBe(0x00); // the keyframe
  });

  it('producer pause/resume: the consumer gets producerpause/producerresume and no media in between', async () => {
    const events: string[] = [];
    consumer.on('producerpause', () => events.push('producerpause'));
    consumer.on('producerresume', () => events.push('producerresume'));
    await producer.pause();
    await waitFor(() => events.length === 1, 2_000, 'producerpause');
    expect(consumer.producerPaused).toBe(true);
    const count = b.rtp.filter(fromConsumer).length;
    const recv0 = await received(producer);
    const sent0 = await sent(consumer);
    sendFrame(true);
    expect(await sentOnceReceived(producer, recv0 + 1, consumer)).toBe(sent0);
    expect(b.rtp.filter(fromConsumer).length).toBe(count);
    await producer.resume();
    await waitFor(() => events.length === 2, 2_000, 'producerresume');
    expect(events).toEqual(['producerpause', 'producerresume']);
    sendFrame(true);
    await waitFor(() => b.rtp.filter(fromConsumer).length > count, 2_000, 'media after producer resume');
  });
});

describe('simulcast', () => {
  const rids = ['r0', 'r1', 'r2'];
  const ssrcs = [0x5000, 0x5001, 0x5002];
  const state = rids.map(() => ({ seq: 100, ts: 0, pid: 0, tl0: 0 }));
  let sim: Producer;
  let simConsumer: Consumer;
  const layers: Array<ConsumerLayers | undefined> = [];

  function sendLayer(layer: number, keyframe: boolean, tid = 0): void {
    const s = state[layer];
    s.seq++;
    s.ts += 3000;
    s.pid = (s.pid + 1) & 0x7fff;
    if (tid === 0) s.tl0 = (s.tl0 + 1) & 0xff;
    a.client.sendRtp(
      rtp({
        ssrc: ssrcs[layer],
        seq: s.seq,
        ts: s.ts + layer * 100_000,
        payload: vp8Payload({
          keyframe,
          pictureId: s.pid + layer * 1000,
          tl0: s.tl0 + layer * 50,
          tid,
          tag: 0xa0 + layer,
        }),
        extensions: [
          { id: EXT.mid, value: sdes('1') },
          { id: EXT.rid, value: sdes(rids[layer]) },
        ],
      }),
    );
  }
  const simPackets = () => b.rtp.filter((p) => p.ssrc === simConsumer.rtpParameters.encodings![0].ssrc);

  beforeAll(async () => {
    sim = await a.transport.produce({
      kind: 'video',
      rtpParameters: vp8ProducerParameters({ mid: '1', rids }),
    });
    simConsumer = await b.transport.consume({ producerId: sim.id, rtpCapabilities: router.rtpCapabilities });
    simConsumer.on('layerschange', (l) => layers.push(l));
  });

  it('binds RID streams by the mid/rid extensions and forwards the preferred (highest) layer from a keyframe', async () => {
    expect(sim.type).toBe('simulcast');
    expect(simConsumer.type).toBe('simulcast');
    expect(simConsumer.rtpParameters.encodings![0].scalabilityMode).toBe('L3T3');
    // Layer 2 first: when the consumer picks its first layer, the preferred one is already active.
    for (let round = 0; round < 3; round++) for (let l = 2; l >= 0; l--) sendLayer(l, round === 0);
    await waitFor(() => simPackets().length >= 3, 3_000, 'layer 2 packets at B');
    expect(await sentOnceReceived(sim, 9, simConsumer)).toBe(3);
    const got = simPackets();
    expect(got.map((p) => p.payload[7])).toEqual([0xa2, 0xa2, 0xa2]);
    expect(simConsumer.currentLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
    expect(layers.at(-1)).toEqual({ spatialLayer: 2, temporalLayer: 2 });
    const stats = await sim.getStats();
    expect(stats.map((s) => [s.rid, s.ssrc])).toEqual(rids.map((r, i) => [r, ssrcs[i]]));
    // The transports' dumps show the bindings (mediasoup's RtpListener tables) and the consumer SSRCs.
    const dumpA = await a.transport.dump();
    for (const ssrc of ssrcs)
      expect(dumpA.rtpListener.ssrcTable).toContainEqual({ key: ssrc, value: sim.id });
    expect(dumpA.rtpListener.ridTable.filter((e) => e.value === sim.id).map((e) => e.key)).toEqual(rids);
    expect(dumpA.producerIds).toContain(sim.id);
    const dumpB = await b.transport.dump();
    expect(dumpB.mapSsrcConsumerId).toContainEqual({
      key: simConsumer.rtpParameters.encodings![0].ssrc,
      value: simConsumer.id,
    });
  });

  it('switches to spatial layer 0 only at its keyframe, with continuous seq, timestamps and VP8 picture ids', async () => {
    await simConsumer.setPreferredLayers({ spatialLayer: 0 });
    expect(simConsumer.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 2 });
    const before = simPackets().length;
    const recv0 = await received(sim);
    const sent0 = await sent(simConsumer);
    // A delta frame of layer 0 is no switching point: layer 2 goes on until layer 0's keyframe.
    sendLayer(0, false);
    sendLayer(2, false);
    await waitFor(() => simPackets().length > before, 2_000, 'layer 2 still at B');
    expect(await sentOnceReceived(sim, recv0 + 2, simConsumer)).toBe(sent0 + 1);
    expect(
      simPackets()
        .slice(before)
        .map((p) => p.payload[7]),
    ).toEqual([0xa2]);
    const last = simPackets().at(-1)!;
    const lastPid = ((last.payload[2] & 0x7f) << 8) | last.payload[3];
    const lastTl0 = last.payload[4];
    sendLayer(0, true);
    sendLayer(2, false);
    sendLayer(0, false);
    await waitFor(() => simPackets().length >= before + 3, 2_000, 'layer 0 at B');
    expect(await sentOnceReceived(sim, recv0 + 5, simConsumer)).toBe(sent0 + 3);
    const after = simPackets().slice(before + 1);
    expect(after.map((p) => p.payload[7])).toEqual([0xa0, 0xa0]);
    expect(after[0].sequenceNumber).toBe((last.sequenceNumber + 1) & 0xffff);
    const tsStep = (after[0].timestamp - last.timestamp) >>> 0;
    expect(tsStep > 0 && tsStep < 90_000).toBe(true);
    const pid0 = ((after[0].payload[2] & 0x7f) << 8) | after[0].payload[3];
    expect(pid0).toBe((lastPid + 1) & 0x7fff);
    expect(after[0].payload[4]).toBe((lastTl0 + 1) & 0xff);
    await waitFor(() => layers.at(-1)?.spatialLayer === 0, 2_000, 'layerschange to 0');
    expect(simConsumer.currentLayers?.spatialLayer).toBe(0);
  });

  it('retransmits a NACKed packet whose picture id it rewrote exactly as it first sent it, from the producer stream kept copy', async () => {
    const enc = simConsumer.rtpParameters.encodings![0];
    const sent = simPackets().at(-1)!;
    // Layer 0 arrives with its own picture ids (s.pid); the consumer continued layer 2's numbering instead.
    const sentPid = ((sent.payload[2] & 0x7f) << 8) | sent.payload[3];
    expect(sentPid).not.toBe(state[0].pid);
    const rtxBefore = b.rtp.filter((p) => p.ssrc === enc.rtx!.ssrc).length;
    b.client.sendRtcp(
      serializeRtcpPackets([
        { kind: 'rr', ssrc: 0xb0b, reports: [] },
        { kind: 'nack', senderSsrc: 0xb0b, mediaSsrc: enc.ssrc!, lost: [sent.sequenceNumber] },
      ]),
    );
    await waitFor(
      () => b.rtp.filter((p) => p.ssrc === enc.rtx!.ssrc).length > rtxBefore,
      3_000,
      'RTX of the simulcast consumer at B',
    );
    const rtx = b.rtp.filter((p) => p.ssrc === enc.rtx!.ssrc).at(-1)!;
    expect(Buffer.from(rtx.payload).readUInt16BE(0)).toBe(sent.sequenceNumber);
    expect(Buffer.from(rtx.payload.subarray(2))).toEqual(Buffer.from(sent.payload));
    expect(rtx.timestamp).toBe(sent.timestamp);
    expect(rtx.marker).toBe(sent.marker);
    // The producer's transport holds the kept packets (shared), the consumer's transport only its sent log.
    const [aStat] = await a.transport.getStats();
    const [bStat] = await b.transport.getStats();
    expect(aStat.tsfuCounters.retransmissionBufferBytes).toBeGreaterThan(512 * 1500);
    expect(bStat.tsfuCounters.retransmissionBufferBytes).toBeGreaterThan(0);
    expect(bStat.tsfuCounters.retransmissionBufferBytes).toBeLessThan(64 * 1024);
  });

  it('drops temporal layers above the preferred one, without gaps in the sequence', async () => {
    await simConsumer.setPreferredLayers({ spatialLayer: 0, temporalLayer: 0 });
    const count = simPackets().length;
    const last = simPackets().at(-1)!;
    const recv0 = await received(sim);
    const sent0 = await sent(simConsumer);
    sendLayer(0, false, 2);
    sendLayer(0, false, 1);
    sendLayer(0, false, 0);
    sendLayer(0, false, 2);
    sendLayer(0, false, 0);
    await waitFor(() => simPackets().length >= count + 2, 2_000, 'TL0 packets at B');
    expect(await sentOnceReceived(sim, recv0 + 5, simConsumer)).toBe(sent0 + 2);
    const after = simPackets().slice(count);
    expect(after).toHaveLength(2);
    expect(after.map((p) => p.payload[5] >> 6)).toEqual([0, 0]);
    // The dropped frames' picture ids are closed too: the receiver sees consecutive ids.
    const pidOf = (p: ParsedRtpPacket) => ((p.payload[2] & 0x7f) << 8) | p.payload[3];
    expect(after.map(pidOf)).toEqual([(pidOf(last) + 1) & 0x7fff, (pidOf(last) + 2) & 0x7fff]);
    expect(after.map((p) => p.sequenceNumber)).toEqual([
      (last.sequenceNumber + 1) & 0xffff,
      (last.sequenceNumber + 2) & 0xffff,
    ]);
    expect(simConsumer.currentLayers).toEqual({ spatialLayer: 0, temporalLayer: 0 });
  });
});

describe('feedback variants, DTX, traces, orientation, malformed input', () => {
  it('asks a producer that negotiated only `ccm fir` with FIR (RFC 5104), not PLI', async () => {
    const params = vp8ProducerParameters({ mid: '3', ssrc: 0x4444 });
    params.codecs[0].rtcpFeedback = [{ type: 'ccm', parameter: 'fir' }];
    params.codecs = [params.codecs[0]];
    const p = await a.transport.produce({ kind: 'video', rtpParameters: params });
    await b.transport.consume({ producerId: p.id, rtpCapabilities: router.rtpCapabilities });
    await waitFor(
      () => rtcpOf(a, 'fir').some((f) => f.entries.some((e) => e.ssrc === 0x4444)),
      2_000,
      'FIR at A',
    );
    expect(rtcpOf(a, 'pli').some((x) => x.mediaSsrc === 0x4444)).toBe(false);
    // The stream is in getStats() once RTP arrived on it (as mediasoup's RtpStreamRecv).
    expect(await p.getStats()).toEqual([]);
    a.client.sendRtp(
      rtp({
        ssrc: 0x4444,
        seq: 1,
        ts: 1,
        payload: vp8Payload({ keyframe: false, pictureId: 1, tl0: 0, tid: 0 }),
        extensions: [{ id: EXT.mid, value: sdes('3') }],
      }),
    );
    const [stat] = await pollUntil(
      () => p.getStats(),
      (stats) => stats.length > 0,
      2_000,
      'the stream in getStats()',
    );
    expect(stat.firCount).toBe(1);
    p.close();
  });

  it('drops opus DTX packets for a consumer with ignoreDtx, without leaving a sequence gap', async () => {
    const p = await a.transport.produce({
      kind: 'audio',
      rtpParameters: opusProducerParameters('4', 0x3333),
    });
    const c = await b.transport.consume({
      producerId: p.id,
      rtpCapabilities: router.rtpCapabilities,
      ignoreDtx: true,
    });
    const ssrc = c.rtpParameters.encodings![0].ssrc;
    const sizes = [40, 1, 40, 2, 40];
    sizes.forEach((n, i) => {
      a.client.sendRtp(
        rtp({ ssrc: 0x3333, payloadType: 111, seq: 500 + i, ts: 960 * i, payload: Buffer.alloc(n, 7) }),
      );
    });
    await waitFor(() => b.rtp.filter((x) => x.ssrc === ssrc).length >= 3, 2_000, 'opus at B');
    expect(await sentOnceReceived(p, 5, c)).toBe(3);
    const got = b.rtp.filter((x) => x.ssrc === ssrc);
    expect(got.map((x) => x.payload.length)).toEqual([40, 40, 40]);
    expect(got.map((x) => (x.sequenceNumber - got[0].sequenceNumber) & 0xffff)).toEqual([0, 1, 2]);
    expect(got[0].payloadType).toBe(c.rtpParameters.codecs[0].payloadType);
    const [tStat] = await b.transport.getStats();
    expect(tStat.rtpSendBitrate).toBeGreaterThan(0);
    p.close();
  });

  it('emits trace events (producer keyframe, consumer pli) and videoorientationchange', async () => {
    const params = vp8ProducerParameters({ mid: '5', ssrc: 0x6666 });
    params.headerExtensions!.push({ uri: 'urn:3gpp:video-orientation', id: 13 });
    const p = await a.transport.produce({ kind: 'video', rtpParameters: params });
    const c = await b.transport.consume({ producerId: p.id, rtpCapabilities: router.rtpCapabilities });
    const traces: string[] = [];
    p.on('trace', (t) => traces.push(`producer ${t.type} ${t.direction}`));
    c.on('trace', (t) => traces.push(`consumer ${t.type} ${t.direction}`));
    const orientations: unknown[] = [];
    p.on('videoorientationchange', (o) => orientations.push(o));
    await p.enableTraceEvent(['keyframe']);
    await c.enableTraceEvent(['pli']);
    a.client.sendRtp(
      rtp({
        ssrc: 0x6666,
        seq: 1,
        ts: 1,
        payload: vp8Payload({ keyframe: true, pictureId: 1, tl0: 1, tid: 0 }),
        extensions: [{ id: 13, value: new Uint8Array([0x01]) }], // rotation 90°
      }),
    );
    b.client.sendRtcp(
      serializeRtcpPackets([
        { kind: 'rr', ssrc: 0xb0b, reports: [] },
        { kind: 'pli', senderSsrc: 0xb0b, mediaSsrc: c.rtpParameters.encodings![0].ssrc! },
      ]),
    );
    await waitFor(() => traces.length >= 2 && orientations.length >= 1, 2_000, 'traces');
    expect(traces.sort()).toEqual(['consumer pli in', 'producer keyframe in']);
    expect(orientations).toEqual([{ camera: false, flip: false, rotation: 90 }]);
    p.close();
  });

  it('drops and counts malformed RTP, unknown SSRCs and malformed RTCP without breaking the transport', async () => {
    const [before] = await a.transport.getStats();
    // Padding bit set with a padding count larger than the payload (RFC 3550 §5.1).
    const bad = rtp({ ssrc: SSRC, seq: 1, ts: 1, payload: Buffer.from([1, 2, 3, 200]) });
    bad[0] |= 0x20;
    a.client.sendRtp(bad);
    a.client.sendRtp(rtp({ ssrc: 0xdead, seq: 1, ts: 1, payload: Buffer.from([1, 2, 3]) }));
    a.client.sendRtcp(Buffer.from([0x80, 200, 0x00, 0x10, 0, 0, 0, 1, 0, 0, 0, 0]));
    const m0 = before.tsfuCounters.media;
    const [after] = await pollUntil(
      () => a.transport.getStats(),
      ([s]) => {
        const m = s.tsfuCounters.media;
        return (
          m.rtpMalformed > m0.rtpMalformed &&
          m.rtpUnknownSsrc > m0.rtpUnknownSsrc &&
          m.rtcpMalformed > m0.rtcpMalformed
        );
      },
      5_000,
      'the three drops counted',
    );
    expect(after.tsfuCounters.media.rtpMalformed).toBe(before.tsfuCounters.media.rtpMalformed + 1);
    expect(after.tsfuCounters.media.rtpUnknownSsrc).toBe(before.tsfuCounters.media.rtpUnknownSsrc + 1);
    expect(after.tsfuCounters.media.rtcpMalformed).toBe(before.tsfuCounters.media.rtcpMalformed + 1);
    // Still forwarding.
    const count = b.rtp.filter(fromConsumer).length;
    sendFrame(true);
    await waitFor(() => b.rtp.filter(fromConsumer).length > count, 2_000, 'forwarding after bad input');
  });
});

describe('close cascades', () => {
  it('producer.close() → consumer producerclose; transport.close() → transportclose on its producers and consumers', async () => {
    const p = await a.transport.produce({
      kind: 'video',
      rtpParameters: vp8ProducerParameters({ mid: '9', ssrc: 0x9999 }),
    });
    const c = await b.transport.consume({ producerId: p.id, rtpCapabilities: router.rtpCapabilities });
    const closed = new Promise<void>((resolve) => c.on('producerclose', () => resolve()));
    p.close();
    await closed;
    expect(c.closed).toBe(true);
    expect(router.canConsume({ producerId: p.id, rtpCapabilities: router.rtpCapabilities })).toBe(false);
    await expect(
      b.transport.consume({ producerId: p.id, rtpCapabilities: router.rtpCapabilities }),
    ).rejects.toThrow(/not found/);

    const events: string[] = [];
    producer.on('transportclose', () => events.push('producer transportclose'));
    consumer.on('transportclose', () => events.push('consumer transportclose'));
    b.transport.close();
    expect(events).toEqual(['consumer transportclose']);
    expect(consumer.closed).toBe(true);
    a.transport.close();
    expect(events).toEqual(['consumer transportclose', 'producer transportclose']);
    expect(producer.closed).toBe(true);
    await expect(producer.getStats()).rejects.toThrow(/closed/);
  });
});
