/**
 * Creating the worker's UDP transports of their own sockets: PlainTransport
 * (RTP/RTCP sockets, comedia, SRTP) and PipeTransport (one socket, router to
 * router). The worker thread checks its transport cap and counts the
 * transport as starting while the I/O thread opens the sockets (`listen`).
 */
import type {
  CreatePipeTransportRequest,
  CreatePlainTransportRequest,
  NotifyMain,
} from '../protocol/worker-protocol.js';
import type { PipeTransportState } from '../types/pipe-transport.js';
import type { PlainTransportState } from '../types/plain-transport.js';
import type { TransportListenInfo } from '../types/transport.js';
import type { IoLink } from './io-link.js';
import type { PacketRoutes } from './packet-routes.js';
import type { Router } from './router.js';
import { PipeTransport } from './transport/pipe-transport.js';
import { PlainTransport } from './transport/plain-transport.js';
import type { ListenSocket } from './transport/webrtc-transport.js';

export interface UdpTransportContext {
  router: Router;
  link: IoLink;
  routes: PacketRoutes;
  notify: NotifyMain;
  /** Opens sockets of its own (every datagram to this worker) for `infos`, all or none. */
  listen(infos: TransportListenInfo[]): Promise<ListenSocket[]>;
}

/** mediasoup's PipeTransport SRTP suite (fixed there). */
export const PIPE_SRTP_CRYPTO_SUITE = 'AEAD_AES_256_GCM';

export async function openPlainTransport(
  ctx: UdpTransportContext,
  req: CreatePlainTransportRequest,
): Promise<PlainTransportState> {
  const infos = req.rtcpListenInfo ? [req.listenInfo, req.rtcpListenInfo] : [req.listenInfo];
  const sockets = await ctx.listen(infos);
  const transport = new PlainTransport({
    id: req.transportId,
    listener: ctx.router,
    notify: ctx.notify,
    initialAvailableOutgoingBitrate: 600000,
    sctpParameters: req.sctpParameters,
    maxSendMessageSize: req.maxSendMessageSize,
    maxReceiveMessageSize: req.maxReceiveMessageSize,
    link: ctx.link,
    rtpSocket: sockets[0],
    rtcpSocket: sockets[1],
    comedia: req.comedia,
    srtpCryptoSuite: req.enableSrtp ? req.srtpCryptoSuite : undefined,
  });
  for (const index of transport.socketIndices) ctx.routes.addPlainSocket(index, transport);
  ctx.router.addTransport(transport);
  return { ...transport.state, sctpParameters: req.sctpParameters };
}

export async function openPipeTransport(
  ctx: UdpTransportContext,
  req: CreatePipeTransportRequest,
): Promise<PipeTransportState> {
  const [socket] = await ctx.listen([req.listenInfo]);
  const transport = new PipeTransport({
    id: req.transportId,
    listener: ctx.router,
    notify: ctx.notify,
    initialAvailableOutgoingBitrate: 0,
    sctpParameters: req.sctpParameters,
    maxSendMessageSize: req.maxSendMessageSize,
    maxReceiveMessageSize: req.maxReceiveMessageSize,
    link: ctx.link,
    rtpSocket: socket,
    srtpCryptoSuite: req.enableSrtp ? PIPE_SRTP_CRYPTO_SUITE : undefined,
    enableRtx: req.enableRtx,
  });
  for (const index of transport.socketIndices) ctx.routes.addPlainSocket(index, transport);
  ctx.router.addTransport(transport);
  return { ...transport.pipeState, ...(req.sctpParameters ? { sctpParameters: req.sctpParameters } : {}) };
}
