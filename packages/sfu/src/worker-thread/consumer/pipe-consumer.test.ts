/**
 * The pipe consumer forwards every stream of a simulcast producer, each under
 * its encoding's SSRC with the producer's sequence numbers; a NACK about one
 * of its SSRCs is answered as RTX from the producer stream's kept packets; a
 * PLI about one of its SSRCs reaches the producer stream it names.
 */
import { RtpPacketView } from '@tsfu/rtp';
import { describe, expect, it } from 'vitest';
import { Router } from '../router.js';
import { recordingTransport } from '../transport/recording-transport.test-util.js';
import { PipeConsumer } from './pipe-consumer.js';

const vp8 = { mimeType: 'video/VP8', clockRate: 90000 };
const feedback = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }];

function rtp(ssrc: number, seq: number, pt = 96): Buffer {
  const b = Buffer.alloc(12 + 11);
  b[0] = 0x80;
  b[1] = pt;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 3000, 4);
  b.writeUInt32BE(ssrc, 8);
  b[12] = 0x10; // VP8 descriptor: start of partition 0
  b.fill(seq & 0xff, 13);
  return b;
}

function rtcp(pt: number, fmt: number, mediaSsrc: number, fci?: Buffer): Buffer {
  const b = Buffer.alloc(12 + (fci?.length ?? 0));
  b[0] = 0x80 | fmt;
  b[1] = pt;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(777, 4);
  b.writeUInt32BE(mediaSsrc, 8);
  fci?.copy(b, 12);
  return b;
}

function setup() {
  const router = new Router('r');
  const tIn = recordingTransport('in', router);
  const tOut = recordingTransport('out', router);
  router.addTransport(tIn);
  router.addTransport(tOut);
  tIn.produce({
    transportId: 'in',
    producerId: 'p',
    kind: 'video',
    rtpParameters: {
      codecs: [{ ...vp8, payloadType: 96, rtcpFeedback: feedback }],
      encodings: [{ ssrc: 1 }, { ssrc: 2 }, { ssrc: 3 }],
      rtcp: { cname: 'x' },
    },
    rtpMapping: {
      codecs: [{ payloadType: 96, mappedPayloadType: 101 }],
      encodings: [{ mappedSsrc: 11 }, { mappedSsrc: 12 }, { mappedSsrc: 13 }],
    },
    paused: false,
  });
  tOut.consume(
    {
      transportId: 'out',
      consumerId: 'c',
      producerId: 'p',
      kind: 'video',
      rtpParameters: {
        codecs: [
          { ...vp8, payloadType: 101, rtcpFeedback: feedback },
          { mimeType: 'video/rtx', clockRate: 90000, payloadType: 102, parameters: { apt: 101 } },
        ],
        encodings: [5000, 5001, 5002].map((ssrc) => ({ ssrc, rtx: { ssrc: ssrc + 1000 } })),
        rtcp: { cname: 'x' },
      },
      paused: false,
      ignoreDtx: false,
      pipe: true,
      consumableRtpEncodings: [],
    },
    0,
  );
  return { router, tIn, tOut, consumer: router.consumers.get('c') };
}

const rtpSent = (t: ReturnType<typeof setup>['tOut']) =>
  t.sent.filter((s) => s.kind === 'rtp').map((s) => s.bytes);

describe('PipeConsumer', () => {
  it('forwards every stream under its own SSRC, sequence numbers unchanged', () => {
    const { tIn, tOut, consumer } = setup();
    expect(consumer).toBeInstanceOf(PipeConsumer);
    for (let seq = 100; seq < 103; seq++) {
      for (const ssrc of [1, 2, 3]) {
        const p = rtp(ssrc, seq);
        tIn.receiveRtp(p, p.length, seq);
        // The producer's packet is left as it came for the next consumer.
        expect(p.readUInt32BE(8)).toBe(ssrc);
      }
    }
    const out = rtpSent(tOut);
    expect(out).toHaveLength(9);
    expect(out.map((b) => b.readUInt32BE(8))).toEqual([5000, 5001, 5002, 5000, 5001, 5002, 5000, 5001, 5002]);
    expect(out.map((b) => b.readUInt16BE(2))).toEqual([100, 100, 100, 101, 101, 101, 102, 102, 102]);
    expect(new Set(out.map((b) => b[1] & 0x7f))).toEqual(new Set([101]));
    expect(consumer?.ssrcs).toEqual([5000, 5001, 5002, 6000, 6001, 6002]);
  });

  it('answers a NACK about one stream with RTX from the kept packets, and a PLI reaches that stream', () => {
    const { tIn, tOut, consumer } = setup();
    for (let seq = 100; seq < 105; seq++) {
      const p = rtp(2, seq);
      tIn.receiveRtp(p, p.length, seq);
    }
    const fci = Buffer.alloc(4);
    fci.writeUInt16BE(101, 0);
    fci.writeUInt16BE(0b10, 2); // 101 and 103
    const nack = rtcp(205, 1, 5001, fci);
    tOut.receiveRtcp(nack, nack.length, 200);
    const rtx = rtpSent(tOut).slice(5);
    // The OSN opens the RTX payload (after the extension block the receiving transport added).
    const osnAt = (b: Buffer) => {
      const v = new RtpPacketView();
      if (!v.wrap(b, b.length)) throw new Error('not RTP');
      return v.payloadOffset;
    };
    expect(rtx.map((b) => [b.readUInt32BE(8), b[1] & 0x7f, b.readUInt16BE(osnAt(b))])).toEqual([
      [6001, 102, 101],
      [6001, 102, 103],
    ]);
    // The original payload follows the OSN.
    expect(rtx[0][osnAt(rtx[0]) + 2 + 1]).toBe(101);

    const plisFor = (ssrc: number) =>
      tIn.sent.filter((s) => s.kind === 'rtcp' && s.bytes[1] === 206 && s.bytes.readUInt32BE(8) === ssrc)
        .length;
    const before = [1, 2, 3].map(plisFor);
    const pli = rtcp(206, 1, 5002);
    // Past the producer's keyframe request throttle (1 s) since the consumer's first request.
    tOut.receiveRtcp(pli, pli.length, 5000);
    expect([1, 2, 3].map(plisFor)).toEqual([before[0], before[1], before[2] + 1]);

    // Stats per stream: the NACK and its retransmissions were stream 2's, the PLI stream 3's.
    const stats = (consumer?.getStats() ?? []) as Array<{
      ssrc: number;
      packetCount: number;
      nackCount: number;
      packetsRetransmitted: number;
      pliCount: number;
    }>;
    expect(
      stats.map((x) => [x.ssrc, x.packetCount, x.nackCount, x.packetsRetransmitted, x.pliCount]),
    ).toEqual([
      [5000, 0, 0, 0, 0],
      [5001, 5, 1, 2, 0],
      [5002, 0, 0, 0, 1],
    ]);
  });
});
