/**
 * A worker's listen requests to the I/O thread: one socket per listen info,
 * all or none, on its fixed port or the first free port of its range
 * (`listen-ports.ts`). WebRtcServer sockets are `shared` with other workers'
 * servers on the same ip:port, but a port one of this worker's servers (or an
 * earlier entry of the same request) holds is unavailable, as a second bind
 * would be. A PlainTransport's sockets `deliverUnknown`: every datagram on
 * them comes to this worker.
 */
import type { IoListenRequest, IoSocketInfo } from '../protocol/io-protocol.js';
import type { TransportListenInfo } from '../types/index.js';
import type { IoLink } from './io-link.js';
import { isPortInUse, type PortRange, portChoice, portsToTry } from './listen-ports.js';
import type { ListenSocket } from './transport/webrtc-transport.js';

export interface ListenOptions {
  shared: boolean;
  deliverUnknown: boolean;
  /** Socket indices this request may not reuse (grows with each socket opened). */
  taken: Set<number>;
  /** The worker's `rtcMinPort`..`rtcMaxPort`. */
  range: PortRange;
}

export async function listenSockets(
  link: IoLink,
  listenInfos: TransportListenInfo[],
  o: ListenOptions,
): Promise<ListenSocket[]> {
  const opened: ListenSocket[] = [];
  try {
    for (const info of listenInfos) {
      const socket = await listenOne(link, info, o);
      o.taken.add(socket.index);
      opened.push(socket);
    }
  } catch (error) {
    link.unlisten(opened.map((s) => s.index));
    throw error;
  }
  return opened;
}

/** One listen info: its fixed port, or the first free port of its range. */
async function listenOne(link: IoLink, info: TransportListenInfo, o: ListenOptions): Promise<ListenSocket> {
  const choice = portChoice(info, o.range);
  const ports = typeof choice === 'number' ? [choice] : portsToTry(choice);
  let attempts = 0;
  for (const port of ports) {
    attempts++;
    let socket: IoSocketInfo;
    try {
      [socket] = await link.listen([listenRequest(info, port, o)]);
    } catch (error) {
      if (typeof choice !== 'number' && isPortInUse(error)) continue;
      throw error;
    }
    if (o.taken.has(socket.index)) {
      link.unlisten([socket.index]);
      if (typeof choice !== 'number') continue;
      throw new Error(`${info.protocol} ${info.ip}:${port} is in use by this worker (EADDRINUSE)`);
    }
    const announced = info.announcedAddress ?? info.announcedIp;
    return {
      ...socket,
      ...(announced ? { announcedAddress: announced } : {}),
      ...(info.exposeInternalIp ? { exposeInternalIp: true } : {}),
    };
  }
  throw new Error(
    `no more available ports [protocol:${info.protocol}, ip:'${info.ip}', numAttempt:${attempts}]`,
  );
}

/** The I/O thread's request for one listen info on `port`. */
function listenRequest(info: TransportListenInfo, port: number, o: ListenOptions): IoListenRequest {
  return {
    protocol: info.protocol,
    ip: info.ip,
    port,
    shared: o.shared,
    deliverUnknown: o.deliverUnknown,
    reusePort: info.flags?.udpReusePort === true && info.protocol === 'udp',
    loopbackOnly: info.tsfuLoopbackOnly === true,
    connectedUdp: info.tsfuConnectedUdp === true && info.protocol === 'udp',
    sendBufferSize: info.sendBufferSize,
    recvBufferSize: info.recvBufferSize,
    maxTcpConnections: info.tsfuMaxTcpConnections,
    maxPendingTcpConnectionsPerIp: info.tsfuMaxPendingTcpConnectionsPerIp,
    tcpAuthTimeoutMs: info.tsfuTcpAuthTimeoutMs,
    tcpFirstFrameTimeoutMs: info.tsfuTcpFirstFrameTimeoutMs,
  };
}
