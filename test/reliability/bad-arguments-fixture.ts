/**
 * The objects the bad-argument table calls into, and well-formed arguments each
 * entry spoils one field of. Imports the built package (`pnpm build` first).
 */
import * as sfu from '@tsfu/sfu';

/** What mediasoup 3.27.1 rejects with: mostly TypeError; NotFoundError/UnsupportedError where it uses them. */
export type ErrorClass = new (...args: never[]) => Error;

/** One malformed call: what it is, what it must reject with, and the field its message must name. */
export interface BadCall {
  name: string;
  call: (c: Ctx) => Promise<unknown>;
  error: ErrorClass;
  field: RegExp;
}

export interface Ctx {
  worker: sfu.Worker;
  router: sfu.Router;
  server: sfu.WebRtcServer;
  /** Closed at setup: for `createWebRtcTransport({ webRtcServer })` with a closed server. */
  closedServer: sfu.WebRtcServer;
  transport: sfu.WebRtcTransport;
  audioProducer: sfu.Producer;
  videoProducer: sfu.Producer;
  consumer: sfu.Consumer;
}

export const MEDIA_CODECS: sfu.types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
];

/** A loopback UDP listen that picks its port. */
export const LISTEN: sfu.types.TransportListenInfo = {
  protocol: 'udp',
  ip: '127.0.0.1',
  tsfuLoopbackOnly: true,
};

/** A well-formed opus producer's RTP parameters. */
export function audioRtpParameters(): sfu.types.RtpParameters {
  return {
    mid: 'a0',
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 }],
    encodings: [{ ssrc: 11111111 }],
    rtcp: { cname: 'bad-args' },
  };
}

/** A well-formed VP8 producer's RTP parameters (with RTX). */
export function videoRtpParameters(): sfu.types.RtpParameters {
  return {
    mid: 'v0',
    codecs: [
      { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] },
      { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
    ],
    encodings: [{ ssrc: 22222222, rtx: { ssrc: 22222223 } }],
    rtcp: { cname: 'bad-args' },
  };
}

/** A well-formed remote DTLS fingerprint (sha-256: 32 bytes). */
export const SHA256_VALUE =
  '82:5A:68:3D:36:C3:0A:DE:AF:E7:32:43:D2:88:83:57:AC:2D:65:E5:80:C4:B6:FB:AF:1A:A0:21:9F:6D:0C:AD';

export async function setUp(): Promise<Ctx> {
  const worker = await sfu.createWorker({ logLevel: 'none' });
  const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  const server = await worker.createWebRtcServer({ listenInfos: [LISTEN] });
  const closedServer = await worker.createWebRtcServer({ listenInfos: [LISTEN] });
  closedServer.close();
  const transport = await router.createWebRtcTransport({ listenInfos: [LISTEN] });
  const audioProducer = await transport.produce({ kind: 'audio', rtpParameters: audioRtpParameters() });
  const videoProducer = await transport.produce({ kind: 'video', rtpParameters: videoRtpParameters() });
  const consumer = await transport.consume({
    producerId: videoProducer.id,
    rtpCapabilities: router.rtpCapabilities,
  });
  return { worker, router, server, closedServer, transport, audioProducer, videoProducer, consumer };
}

/** Everything the objects under test hold, as the worker thread and the main thread see it. */
export async function snapshot(c: Ctx): Promise<unknown> {
  const workerDump = await c.worker.dump();
  const routerDump = await c.router.dump();
  const transportDump = await c.transport.dump();
  return {
    webRtcServerIds: [...workerDump.webRtcServerIds].sort(),
    routerIds: workerDump.routerIds,
    transportIds: routerDump.transportIds,
    producerIds: [...transportDump.producerIds].sort(),
    consumerIds: transportDump.consumerIds,
    serverTransports: (await c.server.dump()).webRtcTransportIds,
    webRtcServers: c.worker.webRtcServersForTesting.size,
    routers: c.worker.routersForTesting.size,
    transports: c.router.transportsForTesting.size,
    producers: c.transport.producersForTesting.size,
    dtlsState: c.transport.dtlsState,
    consumerPriority: c.consumer.priority,
    consumerPaused: c.consumer.paused,
  };
}
