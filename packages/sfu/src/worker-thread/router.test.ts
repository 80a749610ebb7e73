/**
 * The worker Router owns the producer → consumers fan-out: one packet a
 * transport receives reaches every consumer of its producer, on any
 * transport; pausing, closing the producer or a consumer, and closing a
 * transport change the fan-out and tell the main thread. Transports are the
 * recording kind (no sockets); notifications are collected as sent.
 */
import { serializeRtpPacket } from '@tsfu/rtp';
import { describe, expect, it } from 'vitest';
import type { NotifyMain } from '../protocol/worker-protocol.js';
import type { RtpParameters } from '../types/rtp-parameters.js';
import { Router } from './router.js';
import { recordingTransport } from './transport/recording-transport.test-util.js';

const opus: RtpParameters = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  headerExtensions: [],
  encodings: [{ ssrc: 0x1111 }],
  rtcp: { cname: 'x' },
};

function consumerParams(ssrc: number): RtpParameters {
  return {
    codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
    headerExtensions: [],
    encodings: [{ ssrc }],
    rtcp: { cname: 'x' },
  };
}

function room() {
  const notes: Array<[string, string]> = [];
  const router = new Router('r');
  const notify: NotifyMain = (event, targetId, ..._data) => {
    notes.push([event, targetId]);
  };
  const send = recordingTransport('send', router, notify);
  const a = recordingTransport('a', router, notify);
  const b = recordingTransport('b', router, notify);
  for (const t of [send, a, b]) router.addTransport(t);
  send.produce({
    transportId: 'send',
    producerId: 'p',
    kind: 'audio',
    rtpParameters: opus,
    rtpMapping: { codecs: [{ payloadType: 111, mappedPayloadType: 100 }], encodings: [{ mappedSsrc: 9 }] },
    paused: false,
  });
  const consume = (t: typeof a, id: string, ssrc: number) =>
    t.consume(
      {
        transportId: t.id,
        consumerId: id,
        producerId: 'p',
        kind: 'audio',
        rtpParameters: consumerParams(ssrc),
        paused: false,
        ignoreDtx: false,
        pipe: false,
        consumableRtpEncodings: [],
      },
      0,
    );
  consume(a, 'ca', 0xa);
  consume(b, 'cb', 0xb);
  let seq = 0;
  const packet = () => {
    seq++;
    const bytes = serializeRtpPacket({
      payloadType: 111,
      sequenceNumber: seq,
      timestamp: seq * 960,
      ssrc: 0x1111,
      payload: Buffer.alloc(20, 1),
    });
    send.receiveRtp(bytes, bytes.length, 1000 + seq * 20);
  };
  const ssrcsSent = (t: typeof a) =>
    t.sent.filter((s) => s.kind === 'rtp').map((s) => s.bytes.readUInt32BE(8));
  return { router, send, a, b, notes, packet, ssrcsSent };
}

describe('Router (worker side): the producer → consumers fan-out', () => {
  it('one packet reaches each consumer, on its own transport, with its own SSRC and payload type', () => {
    const { router, a, b, packet, ssrcsSent } = room();
    packet();
    packet();
    expect(ssrcsSent(a)).toEqual([0xa, 0xa]);
    expect(ssrcsSent(b)).toEqual([0xb, 0xb]);
    expect(a.sent[0].bytes[1] & 0x7f).toBe(100);
    expect(router.dump().mapProducerIdConsumerIds).toEqual([{ key: 'p', values: ['ca', 'cb'] }]);
  });

  it('each consumer rewrites the packet in place and puts it back: the next one sees it as it came', () => {
    const { send, a, b } = room();
    const bytes = serializeRtpPacket({
      payloadType: 111,
      sequenceNumber: 7,
      timestamp: 7 * 960,
      ssrc: 0x1111,
      payload: Buffer.from('opus payload'),
    });
    const original = Buffer.from(bytes);
    send.receiveRtp(bytes, bytes.length, 1000);
    expect(bytes.equals(original)).toBe(true);
    for (const t of [a, b]) {
      const out = t.sent.filter((s) => s.kind === 'rtp')[0].bytes;
      expect(out.subarray(12).equals(original.subarray(12))).toBe(true);
      expect(out[1] & 0x7f).toBe(100);
    }
    expect(a.sent[0].bytes.readUInt32BE(8)).toBe(0xa);
    expect(b.sent[0].bytes.readUInt32BE(8)).toBe(0xb);
  });

  it('a paused producer feeds nobody; its consumers are told both ways', () => {
    const { router, a, b, notes, packet, ssrcsSent } = room();
    const producer = router.getProducer('p');
    producer.pause();
    packet();
    expect([ssrcsSent(a), ssrcsSent(b)]).toEqual([[], []]);
    producer.resume();
    packet();
    expect([ssrcsSent(a), ssrcsSent(b)]).toEqual([[0xa], [0xb]]);
    expect(notes.filter(([e]) => e.startsWith('consumer.producer'))).toEqual([
      ['consumer.producerpause', 'ca'],
      ['consumer.producerpause', 'cb'],
      ['consumer.producerresume', 'ca'],
      ['consumer.producerresume', 'cb'],
    ]);
  });

  it('a closed consumer leaves the fan-out; the others keep receiving', () => {
    const { router, a, b, packet, ssrcsSent } = room();
    const ca = router.consumers.get('ca');
    if (!ca) throw new Error('no consumer ca');
    a.closeConsumer(ca);
    packet();
    expect([ssrcsSent(a), ssrcsSent(b)]).toEqual([[], [0xb]]);
    expect(router.consumers.has('ca')).toBe(false);
    expect(a.consumers.size).toBe(0);
  });

  it("closing the producer's transport closes its consumers on the other transports (producerclose)", () => {
    const { router, send, a, b, notes } = room();
    router.closeTransport(send);
    expect(notes.filter(([e]) => e === 'consumer.producerclose')).toEqual([
      ['consumer.producerclose', 'ca'],
      ['consumer.producerclose', 'cb'],
    ]);
    expect([router.producers.size, router.consumers.size, a.consumers.size, b.consumers.size]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(router.transports.has('send')).toBe(false);
  });

  it('consuming a producer the router does not have is refused', () => {
    const { a } = room();
    expect(() =>
      a.consume(
        {
          transportId: 'a',
          consumerId: 'x',
          producerId: 'nope',
          kind: 'audio',
          rtpParameters: consumerParams(1),
          paused: false,
          ignoreDtx: false,
          pipe: false,
          consumableRtpEncodings: [],
        },
        0,
      ),
    ).toThrow('Producer not found [producerId:nope]');
  });
});
