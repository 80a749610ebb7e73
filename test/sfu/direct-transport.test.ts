/**
 * DirectTransport: RTP from this process into the router (`producer.send()`)
 * and out of it (a consumer's `rtp` event), RTCP both ways (`sendRtcp()`, the
 * `rtcp` event), to a DirectTransport consumer and to a synthetic WebRTC
 * client; bad packets are dropped and counted, never thrown.
 */
import { parseRtcpPackets, parseRtpPacket, serializeRtcpPackets } from '@tsfu/rtp';
import type { Consumer, DirectTransport, Producer, Router, Worker } from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPeer,
  createRig,
  opusProducerParameters,
  type Peer,
  pollUntil,
  rtp,
  waitFor,
} from './media-rig.js';

const SSRC = 0x5151;
const COUNT = 1000;
/** The first input sequence number: the input wraps at 65535 on the way. */
const FIRST_SEQ = 65000;

let worker: Worker;
let router: Router;
let sender: DirectTransport;
let receiver: DirectTransport;
let producer: Producer;
let consumer: Consumer;
let peer: Peer;

const packet = (i: number) =>
  rtp({
    ssrc: SSRC,
    payloadType: 111,
    seq: FIRST_SEQ + i,
    ts: 1000 + i * 960,
    payload: Buffer.from([i & 0xff, i >> 8]),
  });

beforeAll(async () => {
  ({ worker, router } = await createRig());
  sender = await router.createDirectTransport({ appData: { role: 'sender' } });
  receiver = await router.createDirectTransport();
  producer = await sender.produce({ kind: 'audio', rtpParameters: opusProducerParameters('0', SSRC) });
  consumer = await receiver.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  peer = await createPeer(router);
});

afterAll(() => worker?.close());

describe('DirectTransport', () => {
  it('forwards 1,000 producer.send() packets in order, gapless, to a DirectTransport consumer and a WebRTC client', async () => {
    const webrtcConsumer = await peer.transport.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
    });
    const got: Buffer[] = [];
    consumer.on('rtp', (b) => got.push(b));
    // In bursts of 50, each forwarded before the next: a loopback UDP socket's default receive buffer
    // (the WebRTC client's) holds a few hundred small datagrams, not a thousand at once.
    for (let i = 0; i < COUNT; i += 50) {
      for (let j = i; j < i + 50; j++) producer.send(packet(j));
      await waitFor(() => got.length >= i + 50, 5_000, `direct consumer packets up to ${i + 50}`);
    }
    const webrtcSsrc = webrtcConsumer.rtpParameters.encodings?.[0].ssrc;
    await waitFor(
      () => peer.rtp.filter((p) => p.ssrc === webrtcSsrc).length >= COUNT,
      10_000,
      'WebRTC consumer packets',
    );

    const ssrc = consumer.rtpParameters.encodings?.[0].ssrc;
    const parsed = got.map((b) => parseRtpPacket(b));
    expect(parsed.every((p) => p !== undefined && p.ssrc === ssrc)).toBe(true);
    for (let i = 0; i < COUNT; i++) {
      const p = parsed[i]!;
      expect(p.sequenceNumber).toBe((parsed[0]!.sequenceNumber + i) & 0xffff);
      expect(Buffer.from(p.payload)).toEqual(Buffer.from([i & 0xff, i >> 8]));
    }
    const atClient = peer.rtp.filter((p) => p.ssrc === webrtcSsrc);
    for (let i = 1; i < COUNT; i++) {
      expect(atClient[i].sequenceNumber).toBe((atClient[i - 1].sequenceNumber + 1) & 0xffff);
    }
    const [stat] = await receiver.getStats();
    expect(stat.type).toBe('direct-transport');
    expect(stat.rtpBytesSent).toBeGreaterThan(0);
    const [inStat] = await sender.getStats();
    expect(inStat.bytesReceived).toBe(got.reduce((n, b) => n + b.length, 0));
  });

  it('drops and counts bad packets given to producer.send() (never throws them back)', async () => {
    const before = (await sender.getStats())[0].tsfuCounters.media;
    expect(() => producer.send(Buffer.from([1, 2, 3]))).not.toThrow();
    expect(() => producer.send(Buffer.alloc(0))).not.toThrow();
    expect(() =>
      producer.send(rtp({ ssrc: 0xdead, payloadType: 111, seq: 1, ts: 1, payload: Buffer.from([1]) })),
    ).not.toThrow();
    expect(() =>
      producer.send(rtp({ ssrc: SSRC, payloadType: 77, seq: 1, ts: 1, payload: Buffer.from([1]) })),
    ).not.toThrow();
    // Not a Buffer at all: an argument error, as mediasoup's.
    expect(() => producer.send('nope' as unknown as Buffer)).toThrow(TypeError);
    const after = await pollUntil(
      async () => (await sender.getStats())[0].tsfuCounters.media,
      (m) => m.rtpMalformed - before.rtpMalformed === 2 && m.rtpUnknownSsrc - before.rtpUnknownSsrc === 1,
      5_000,
      'bad packets counted',
    );
    expect(after.rtpUnknownPayloadType - before.rtpUnknownPayloadType).toBe(1);
    expect(worker.closed).toBe(false);
  });

  it('sendRtcp() reaches the consumer (receiver report) and the rtcp event carries the worker SRs', async () => {
    const ssrc = consumer.rtpParameters.encodings?.[0].ssrc ?? 0;
    const rtcpSeen: Buffer[] = [];
    receiver.on('rtcp', (b) => rtcpSeen.push(b));
    receiver.sendRtcp(
      serializeRtcpPackets([
        {
          kind: 'rr',
          ssrc: 0x777,
          reports: [
            { ssrc, fractionLost: 64, packetsLost: 7, highestSequence: 0, jitter: 0, lsr: 0, dlsr: 0 },
          ],
        },
      ]),
    );
    const stats = await pollUntil(
      () => consumer.getStats(),
      (s) => s[0].packetsLost === 7,
      5_000,
      'RR applied to the consumer',
    );
    expect(stats[0].fractionLost).toBe(64);
    expect(() => receiver.sendRtcp(Buffer.from([0xff]))).not.toThrow();
    expect(() => receiver.sendRtcp(42 as unknown as Buffer)).toThrow(TypeError);
    // The consumer sent media, so the transport's compound reports carry an SR for it (RTCP interval ≤ 5 s).
    await waitFor(
      () =>
        rtcpSeen.some((b) => parseRtcpPackets(b)?.some((p) => p.kind === 'sr' && p.ssrc === ssrc) === true),
      12_000,
      'SR on the rtcp event',
    );
  }, 20_000);

  it('DirectTransport specifics: connect() is a no-op, bitrate setters are unsupported, close cascades', async () => {
    await expect(sender.connect()).resolves.toBeUndefined();
    await expect(sender.setMaxIncomingBitrate(100000)).rejects.toThrow('not implemented');
    const closed = new Promise<void>((resolve) => consumer.once('producerclose', () => resolve()));
    sender.close();
    await closed;
    expect(producer.closed).toBe(true);
    expect(() => producer.send(packet(0))).not.toThrow();
  });
});
