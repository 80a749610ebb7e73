/**
 * A tsfu worker + router and synthetic WebRTC clients (tsfu's own ICE/DTLS/SRTP
 * packages as the client, `@tsfu/sfu/testing`) on loopback, with helpers that
 * build VP8/opus RTP and collect what the clients receive.
 */
import {
  type ParsedRtpPacket,
  parseRtcpPackets,
  parseRtpPacket,
  type RtcpPacket,
  serializeRtpPacket,
} from '@tsfu/rtp';
import {
  createWorker,
  type Router,
  type RouterRtpCodecCapability,
  type RtpParameters,
  type WebRtcTransport,
  type Worker,
} from '@tsfu/sfu';
import { SyntheticWebRtcClient } from '@tsfu/sfu/testing';

export const URI = {
  mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
  rid: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  rrid: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
  absSendTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  transportCc: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
} as const;

export const MEDIA_CODECS: RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

/** The extension ids the synthetic sender uses (Chromium's). */
export const EXT = { mid: 4, absSendTime: 2, transportCc: 3, rid: 10, rrid: 11 } as const;

const VIDEO_FEEDBACK = [
  { type: 'nack' },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
  { type: 'goog-remb' },
  { type: 'transport-cc' },
];

/** A VP8 producer's parameters as mediasoup-client sends them (PT 96, RTX 97). */
export function vp8ProducerParameters(opts: {
  mid: string;
  ssrc?: number;
  rtxSsrc?: number;
  rids?: string[];
}): RtpParameters {
  return {
    mid: opts.mid,
    codecs: [
      { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: VIDEO_FEEDBACK },
      { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
    ],
    headerExtensions: [
      { uri: URI.mid, id: EXT.mid },
      { uri: URI.absSendTime, id: EXT.absSendTime },
      { uri: URI.transportCc, id: EXT.transportCc },
      ...(opts.rids
        ? [
            { uri: URI.rid, id: EXT.rid },
            { uri: URI.rrid, id: EXT.rrid },
          ]
        : []),
    ],
    encodings: opts.rids
      ? opts.rids.map((rid) => ({ rid, scalabilityMode: 'L1T3' }))
      : [{ ssrc: opts.ssrc, rtx: opts.rtxSsrc ? { ssrc: opts.rtxSsrc } : undefined }],
    rtcp: { cname: 'synthetic', reducedSize: true },
  } as RtpParameters;
}

export function opusProducerParameters(mid: string, ssrc: number): RtpParameters {
  return {
    mid,
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
    headerExtensions: [{ uri: URI.mid, id: EXT.mid }],
    encodings: [{ ssrc }],
    rtcp: { cname: 'synthetic', reducedSize: true },
  } as RtpParameters;
}

/** A VP8 payload: descriptor with 15-bit picture id, TL0PICIDX and TID, then a payload header and `marker` bytes. */
export function vp8Payload(o: {
  keyframe: boolean;
  pictureId: number;
  tl0: number;
  tid: number;
  layerSync?: boolean;
  tag?: number;
}): Buffer {
  return Buffer.from([
    0x90, // X=1, S=1, PID=0
    0xe0, // I, L, T
    0x80 | ((o.pictureId >> 8) & 0x7f),
    o.pictureId & 0xff,
    o.tl0 & 0xff,
    ((o.tid & 3) << 6) | (o.layerSync ? 0x20 : 0),
    o.keyframe ? 0x00 : 0x01, // VP8 payload header: P bit
    o.tag ?? 0xaa,
    0xbb,
    0xcc,
  ]);
}

export interface SentPacket {
  ssrc: number;
  payloadType?: number;
  seq: number;
  ts: number;
  payload: Buffer;
  extensions?: Array<{ id: number; value: Uint8Array }>;
}

export function rtp(p: SentPacket): Buffer {
  return serializeRtpPacket({
    payloadType: p.payloadType ?? 96,
    sequenceNumber: p.seq & 0xffff,
    timestamp: p.ts >>> 0,
    ssrc: p.ssrc,
    extensions: p.extensions,
    payload: p.payload,
  });
}

export function sdes(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

/** A connected synthetic client and the server transport it talks to, with what it received. */
export interface Peer {
  transport: WebRtcTransport;
  client: SyntheticWebRtcClient;
  rtp: ParsedRtpPacket[];
  rtcp: RtcpPacket[];
  /** When each entry of `rtcp` arrived (Date.now()). */
  rtcpAt: number[];
}

export async function createPeer(router: Router): Promise<Peer> {
  const transport = await router.createWebRtcTransport({
    listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
  });
  const client = await SyntheticWebRtcClient.create();
  const peer: Peer = { transport, client, rtp: [], rtcp: [], rtcpAt: [] };
  client.onRtp = (b) => {
    const p = parseRtpPacket(b);
    if (p) peer.rtp.push(p);
  };
  client.onRtcp = (b) => {
    const list = parseRtcpPackets(b);
    if (!list) return;
    peer.rtcp.push(...list);
    const now = Date.now();
    for (let i = 0; i < list.length; i++) peer.rtcpAt.push(now);
  };
  await transport.connect({ dtlsParameters: client.dtlsParameters });
  await client.connect({
    iceParameters: transport.iceParameters,
    iceCandidates: transport.iceCandidates,
    dtlsParameters: transport.dtlsParameters,
  });
  // The server side selects the tuple and keys SRTP when DTLS completes on its side too.
  await waitFor(() => transport.dtlsState === 'connected', 5_000, 'server DTLS connected');
  return peer;
}

export async function createRig(): Promise<{ worker: Worker; router: Router }> {
  const worker = await createWorker({ logLevel: 'warn' });
  const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  return { worker, router };
}

export async function waitFor(cond: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Repeats `read` (e.g. a getStats() request) until `cond` holds on its result; bounded by `timeoutMs`. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  cond: (v: T) => boolean,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await read();
    if (cond(v)) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
