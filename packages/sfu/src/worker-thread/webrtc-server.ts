/**
 * The worker half of a WebRtcServer: the listening sockets its transports
 * share (opened in the I/O thread, possibly shared with other workers) and
 * the transports that use them.
 */
import type { WebRtcServerDump } from '../types/webrtc-server.js';
import type { ListenSocket, WebRtcTransport } from './transport/webrtc-transport.js';

export class WebRtcServer {
  readonly transports = new Set<WebRtcTransport>();

  constructor(
    readonly id: string,
    readonly sockets: ListenSocket[],
  ) {}

  dump(): WebRtcServerDump {
    const ipPort = (p: 'udp' | 'tcp') =>
      this.sockets.filter((s) => s.protocol === p).map((s) => ({ ip: s.ip, port: s.port }));
    const transports = [...this.transports].filter((t) => !t.isClosed);
    return {
      id: this.id,
      udpSockets: ipPort('udp'),
      tcpServers: ipPort('tcp'),
      webRtcTransportIds: transports.map((t) => t.id),
      localIceUsernameFragments: transports.flatMap((t) =>
        t.localUsernameFragments.map((ufrag) => ({
          localIceUsernameFragment: ufrag,
          webRtcTransportId: t.id,
        })),
      ),
    };
  }
}
