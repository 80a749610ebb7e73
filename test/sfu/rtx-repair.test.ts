/**
 * RTX reaches consumers only when it repairs a loss (as mediasoup): Chromium's
 * bandwidth probes resend, on its RTX SSRC, packets that already arrived; an
 * SFU that forwarded them sent each such packet twice (seen by a DirectTransport
 * consumer of a Chromium camera in test/e2e/direct-peers.test.ts).
 */
import { parseRtpPacket } from '@tsfu/rtp';
import type { Worker } from '@tsfu/sfu';
import { afterAll, describe, expect, it } from 'vitest';
import { createRig, pollUntil, rtp, vp8Payload, vp8ProducerParameters, waitFor } from './media-rig.js';

const SSRC = 0x7100;
const RTX_SSRC = 0x7101;

let worker: Worker | undefined;
afterAll(() => worker?.close());

describe('RTX toward consumers', () => {
  it('a retransmission that repairs a loss is forwarded; one of a packet already received is not', async () => {
    const rig = await createRig();
    worker = rig.worker;
    const { router } = rig;
    const sender = await router.createDirectTransport();
    const receiver = await router.createDirectTransport();
    const producer = await sender.produce({
      kind: 'video',
      rtpParameters: vp8ProducerParameters({ mid: '0', ssrc: SSRC, rtxSsrc: RTX_SSRC }),
    });
    const consumer = await receiver.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
    });
    const got: number[] = [];
    consumer.on('rtp', (b) => got.push(parseRtpPacket(b)!.payload[7]));

    const payload = (seq: number) =>
      vp8Payload({ keyframe: seq === 1, pictureId: seq, tl0: 0, tid: 0, tag: seq });
    const media = (seq: number) =>
      rtp({ ssrc: SSRC, payloadType: 96, seq, ts: seq * 3000, payload: payload(seq) });
    // RTX (RFC 4588): its own sequence number, then the original one (OSN) before the original payload.
    let rtxSeq = 500;
    const rtx = (seq: number) =>
      rtp({
        ssrc: RTX_SSRC,
        payloadType: 97,
        seq: rtxSeq++,
        ts: seq * 3000,
        payload: Buffer.concat([Buffer.from([seq >> 8, seq & 0xff]), payload(seq)]),
      });

    for (const seq of [1, 2, 4]) producer.send(media(seq));
    await waitFor(() => got.length === 3, 5_000, 'media packets 1, 2, 4');
    producer.send(rtx(2)); // a probe: 2 already arrived
    producer.send(rtx(3)); // the repair of the loss
    producer.send(media(5));
    await waitFor(() => got.length >= 5, 5_000, 'the repair and packet 5');
    // Payload tags in the order the consumer sent them: 3 once (repaired), 2 only once (the probe dropped).
    expect(got).toEqual([1, 2, 4, 3, 5]);
    const [stat] = await pollUntil(
      () => producer.getStats(),
      (s) => (s[0]?.rtxPacketsDiscarded ?? 0) >= 1,
      5_000,
    );
    expect(stat.rtxPacketsDiscarded).toBe(1);
  });
});
