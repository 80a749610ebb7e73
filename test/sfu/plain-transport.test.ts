/**
 * PlainTransport over real UDP sockets: a `node:dgram` peer sends RTP (and
 * SRTP) into a producer and receives a consumer's media and RTCP SRs, with
 * comedia and with `connect()`, RTCP muxed and on its own port. Packets from
 * other sources are dropped and counted.
 */
import { createSocket, type Socket } from 'node:dgram';
import { parseRtcpPackets, parseRtpPacket, serializeRtcpPackets } from '@tsfu/rtp';
import type { Consumer, DirectTransport, Router, SrtpParameters, Worker } from '@tsfu/sfu';
import { SrtpContext, srtpProfileByName } from '@tsfu/srtp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRig,
  MEDIA_CODECS,
  opusProducerParameters,
  pollUntil,
  rtp,
  vp8Payload,
  vp8ProducerParameters,
  waitFor,
} from './media-rig.js';

let worker: Worker;
let router: Router;
let sink: DirectTransport;
const sockets: Socket[] = [];

async function udpPeer(): Promise<{ socket: Socket; port: number; got: Buffer[] }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, got };
}

function sendTo(socket: Socket, port: number, data: Buffer): void {
  socket.send(data, port, '127.0.0.1');
}

function srtpPair(params: SrtpParameters): SrtpContext {
  const profile = srtpProfileByName(params.cryptoSuite)!;
  const key = Buffer.from(params.keyBase64, 'base64');
  return new SrtpContext({
    profile,
    masterKey: key.subarray(0, profile.masterKeyLength),
    masterSalt: key.subarray(profile.masterKeyLength),
  });
}

const audio = (ssrc: number, i: number) =>
  rtp({ ssrc, payloadType: 111, seq: 100 + i, ts: 960 * i, payload: Buffer.from([i & 0xff, 0xab]) });

/** A DirectTransport consumer of `producerId`, collecting what it forwards. */
async function collect(producerId: string): Promise<{ consumer: Consumer; got: Buffer[] }> {
  const consumer = await sink.consume({ producerId, rtpCapabilities: router.rtpCapabilities });
  const got: Buffer[] = [];
  consumer.on('rtp', (b) => got.push(b));
  return { consumer, got };
}

beforeAll(async () => {
  ({ worker, router } = await createRig());
  sink = await router.createDirectTransport();
});

afterAll(() => {
  for (const s of sockets) s.close();
  worker?.close();
});

describe('PlainTransport (real UDP)', () => {
  it('comedia: learns the peer from its first RTP packet, forwards its media, drops other sources', async () => {
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      comedia: true,
    });
    const producer = await transport.produce({
      kind: 'audio',
      rtpParameters: opusProducerParameters('0', 0x1001),
    });
    const { got } = await collect(producer.id);
    const peer = await udpPeer();
    const tupleEvent = new Promise<{ remotePort?: number }>((resolve) => transport.once('tuple', resolve));
    const port = transport.tuple.localPort;
    for (let i = 0; i < 20; i++) sendTo(peer.socket, port, audio(0x1001, i));
    expect((await tupleEvent).remotePort).toBe(peer.port);
    await waitFor(() => got.length >= 20, 5_000, 'forwarded comedia RTP');
    expect(got.map((b) => parseRtpPacket(b)?.payload[0])).toEqual([...Array(20).keys()]);
    expect(transport.tuple.remotePort).toBe(peer.port);

    // Another source, once the tuple is learnt: dropped and counted, not forwarded.
    const stranger = await udpPeer();
    for (let i = 20; i < 25; i++) sendTo(stranger.socket, port, audio(0x1001, i));
    const [stat] = await pollUntil(
      () => transport.getStats(),
      (s) => s[0].tsfuCounters.packetsFromUnknownTuple === 5,
      5_000,
      'stranger packets counted',
    );
    expect(stat.type).toBe('plain-rtp-transport');
    expect(got.length).toBe(20);
  });

  it('connect() with rtcpMux off: a consumer toward the peer gets its RTP on the RTP port and SRs on the RTCP port', async () => {
    const source = await router.createDirectTransport();
    const producer = await source.produce({
      kind: 'audio',
      rtpParameters: opusProducerParameters('0', 0x2002),
    });
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
    });
    expect(transport.rtcpTuple?.localPort).toBeGreaterThan(0);
    const rtpPeer = await udpPeer();
    const rtcpPeer = await udpPeer();
    await transport.connect({ ip: '127.0.0.1', port: rtpPeer.port, rtcpPort: rtcpPeer.port });
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
    });
    for (let i = 0; i < 30; i++) producer.send(audio(0x2002, i));
    await waitFor(() => rtpPeer.got.length >= 30, 5_000, 'RTP at the peer');
    const ssrc = consumer.rtpParameters.encodings?.[0].ssrc;
    const parsed = rtpPeer.got.map((b) => parseRtpPacket(b));
    expect(parsed.every((p) => p?.ssrc === ssrc)).toBe(true);
    for (let i = 1; i < parsed.length; i++) {
      expect(parsed[i]!.sequenceNumber).toBe((parsed[i - 1]!.sequenceNumber + 1) & 0xffff);
    }
    await waitFor(
      () =>
        rtcpPeer.got.some(
          (b) => parseRtcpPackets(b)?.some((p) => p.kind === 'sr' && p.ssrc === ssrc) === true,
        ),
      12_000,
      'SR on the RTCP port',
    );
    // RTCP is not sent on the RTP port when not muxed.
    expect(rtpPeer.got.every((b) => parseRtpPacket(b) !== undefined)).toBe(true);
  }, 20_000);

  it.each([
    ['AEAD_AES_256_GCM', 44],
    ['AEAD_AES_128_GCM', 28],
    ['AES_CM_128_HMAC_SHA1_80', 30],
    ['AES_CM_128_HMAC_SHA1_32', 30],
  ] as const)(
    'SRTP %s, comedia: protected media both ways with the exchanged keys',
    async (suite, keyLength) => {
      const transport = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        comedia: true,
        enableSrtp: true,
        srtpCryptoSuite: suite,
      });
      const local = transport.srtpParameters!;
      expect(local.cryptoSuite).toBe(suite);
      expect(Buffer.from(local.keyBase64, 'base64').length).toBe(keyLength);
      const ssrcIn = 0x3003 + keyLength + suite.length;
      const peerKey: SrtpParameters = {
        cryptoSuite: suite,
        keyBase64: Buffer.alloc(keyLength, 7).toString('base64'),
      };
      await transport.connect({ srtpParameters: peerKey });
      const peerSend = srtpPair(peerKey);
      const peerRecv = srtpPair(transport.srtpParameters!);
      const producer = await transport.produce({
        kind: 'audio',
        rtpParameters: opusProducerParameters('0', ssrcIn),
      });
      const { got } = await collect(producer.id);
      const consumer = await transport.consume({
        producerId: producer.id,
        rtpCapabilities: router.rtpCapabilities,
      });
      const peer = await udpPeer();
      const port = transport.tuple.localPort;
      // A packet protected with a wrong key first: dropped (and it does not teach comedia the tuple).
      const wrong = srtpPair({
        cryptoSuite: suite,
        keyBase64: Buffer.alloc(keyLength, 9).toString('base64'),
      });
      const out = Buffer.alloc(2048);
      let n = wrong.protectRtp(audio(ssrcIn, 0), undefined, out);
      sendTo(peer.socket, port, Buffer.from(out.subarray(0, n)));
      await pollUntil(
        () => transport.getStats(),
        (s) => s[0].tsfuCounters.srtpFailures === 1,
        5_000,
        'bad SRTP counted',
      );
      expect(transport.tuple.remotePort).toBeUndefined();
      for (let i = 1; i <= 20; i++) {
        n = peerSend.protectRtp(audio(ssrcIn, i), undefined, out);
        sendTo(peer.socket, port, Buffer.from(out.subarray(0, n)));
      }
      await waitFor(() => got.length >= 20, 5_000, 'SRTP forwarded to the direct consumer');
      // The same packets come back to the peer (its consumer), protected with the transport's key; each
      // datagram is unprotected once (a second time would be a replay); SRTCP reports fail unprotectRtp.
      const plain = Buffer.alloc(2048);
      const ssrc = consumer.rtpParameters.encodings?.[0].ssrc;
      const decrypted: ReturnType<typeof parseRtpPacket>[] = [];
      let seen = 0;
      const drain = () => {
        for (; seen < peer.got.length; seen++) {
          const b = peer.got[seen];
          if ((b[1] & 0x7f) >= 72 && (b[1] & 0x7f) <= 79) continue; // RTCP (RFC 5761)
          const m = peerRecv.unprotectRtp(b, b.length, plain);
          const p = m < 0 ? undefined : parseRtpPacket(Buffer.from(plain.subarray(0, m)));
          if (p?.ssrc === ssrc) decrypted.push(p);
        }
        return decrypted.length;
      };
      await waitFor(() => drain() >= 20, 5_000, 'SRTP at the peer');
      expect(decrypted.length).toBe(20);
      expect(decrypted.map((p) => p?.payload[0])).toEqual([...Array(20).keys()].map((i) => i + 1));
    },
  );

  it('a video consumer toward the peer: NACK gets an RTX retransmission, PLI reaches the producer as a PLI', async () => {
    const source = await router.createDirectTransport();
    const producer = await source.produce({
      kind: 'video',
      rtpParameters: vp8ProducerParameters({ mid: '0', ssrc: 0x4004, rtxSsrc: 0x4005 }),
      // Keyframe requests are otherwise spaced by 1 s: the receiver's PLI follows the consumer's first one.
      keyFrameRequestDelay: 1,
    });
    const upstream: Buffer[] = [];
    source.on('rtcp', (b) => upstream.push(b));
    const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
    const peer = await udpPeer();
    await transport.connect({ ip: '127.0.0.1', port: peer.port });
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
    });
    const enc = consumer.rtpParameters.encodings![0];
    for (let i = 0; i < 10; i++) {
      producer.send(
        rtp({
          ssrc: 0x4004,
          seq: 500 + i,
          ts: 3000 * i,
          payload: vp8Payload({ keyframe: i === 0, pictureId: i, tl0: i, tid: 0 }),
        }),
      );
    }
    const media = () => peer.got.map((b) => parseRtpPacket(b)).filter((p) => p?.ssrc === enc.ssrc);
    await waitFor(() => media().length >= 10, 5_000, 'video at the peer');
    const target = media()[4]!;
    const nack = serializeRtcpPackets([
      { kind: 'nack', senderSsrc: 0xb0b, mediaSsrc: enc.ssrc!, lost: [target.sequenceNumber] },
    ]);
    sendTo(peer.socket, transport.tuple.localPort, nack);
    await waitFor(
      () => peer.got.some((b) => parseRtpPacket(b)?.ssrc === enc.rtx?.ssrc),
      5_000,
      'RTX retransmission at the peer',
    );
    // The consumer asked for a keyframe when it started: count PLIs from here.
    const plis = () =>
      upstream.filter((b) => parseRtcpPackets(b)?.some((p) => p.kind === 'pli' && p.mediaSsrc === 0x4004))
        .length;
    const before = plis();
    const pli = serializeRtcpPackets([{ kind: 'pli', senderSsrc: 0xb0b, mediaSsrc: enc.ssrc! }]);
    sendTo(peer.socket, transport.tuple.localPort, pli);
    await waitFor(() => plis() > before, 5_000, 'PLI toward the producer');
  });

  it('comedia with rtcpMux off: RTP and RTCP tuples are learnt separately; SRs go to the learnt RTCP tuple', async () => {
    const source = await router.createDirectTransport();
    const producer = await source.produce({
      kind: 'audio',
      rtpParameters: opusProducerParameters('0', 0x6006),
    });
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: true,
    });
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
    });
    const rtpPeer = await udpPeer();
    const rtcpPeer = await udpPeer();
    const tuple = new Promise<{ remotePort?: number }>((resolve) => transport.once('tuple', resolve));
    const rtcpTuple = new Promise<{ remotePort?: number }>((resolve) => transport.once('rtcptuple', resolve));
    // Any RTP learns the RTP tuple (this one's SSRC is unknown: dropped after that, and counted).
    sendTo(rtpPeer.socket, transport.tuple.localPort, audio(0x9999, 0));
    expect((await tuple).remotePort).toBe(rtpPeer.port);
    const rr = serializeRtcpPackets([{ kind: 'rr', ssrc: 0x777, reports: [] }]);
    sendTo(rtcpPeer.socket, transport.rtcpTuple!.localPort, rr);
    expect((await rtcpTuple).remotePort).toBe(rtcpPeer.port);
    expect(transport.rtcpTuple?.remotePort).toBe(rtcpPeer.port);
    for (let i = 0; i < 10; i++) producer.send(audio(0x6006, i));
    const ssrc = consumer.rtpParameters.encodings?.[0].ssrc;
    await waitFor(() => rtpPeer.got.length >= 10, 5_000, 'RTP at the learnt RTP tuple');
    await waitFor(
      () =>
        rtcpPeer.got.some(
          (b) => parseRtcpPackets(b)?.some((p) => p.kind === 'sr' && p.ssrc === ssrc) === true,
        ),
      12_000,
      'SR at the learnt RTCP tuple',
    );
  }, 20_000);

  it('close() and router.close() release the sockets: the same fixed port binds again', async () => {
    const first = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' } });
    const port = first.tuple.localPort;
    first.close();
    const second = await pollUntil(
      () =>
        router
          .createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1', port } })
          .catch(() => undefined),
      (t) => t !== undefined,
      5_000,
      'the port bound again after close()',
    );
    expect(second?.tuple.localPort).toBe(port);
    const other = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    second?.close();
    const third = await pollUntil(
      () =>
        other
          .createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1', port } })
          .catch(() => undefined),
      (t) => t !== undefined,
      5_000,
      'the port bound in another router',
    );
    other.close();
    expect(third?.closed).toBe(true);
    await pollUntil(
      () =>
        router
          .createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1', port } })
          .catch(() => undefined),
      (t) => t !== undefined,
      5_000,
      'the port bound again after router.close()',
    );
  });
});
