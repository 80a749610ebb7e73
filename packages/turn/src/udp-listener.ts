/** TURN over UDP: one socket, many 5-tuples (a {@link UdpTupleScope}). */
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { UdpTupleScope } from './tuple-scope.js';
import type { TurnProtocol } from './turn-protocol.js';

export class UdpListener {
  private constructor(
    private readonly socket: DgramSocket,
    readonly scope: UdpTupleScope,
  ) {}

  static async listen(
    protocol: TurnProtocol,
    address: string,
    port: number,
    socketBufferSize: number | undefined,
  ): Promise<UdpListener> {
    const socket = createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    if (socketBufferSize !== undefined) {
      try {
        socket.setRecvBufferSize(socketBufferSize);
        socket.setSendBufferSize(socketBufferSize);
      } catch {
        // capped by the kernel
      }
    }
    const scope = new UdpTupleScope(socket, () => {
      protocol.stats.sendErrors++;
    });
    socket.on('message', (msg, rinfo) =>
      protocol.handlePacket(scope, rinfo.address, rinfo.port, msg, msg.length),
    );
    socket.on('error', () => {
      protocol.stats.sendErrors++;
    });
    return new UdpListener(socket, scope);
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
