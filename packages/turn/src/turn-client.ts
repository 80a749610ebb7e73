/**
 * The client side of a 5-tuple: where answers and relayed data go. UDP clients
 * are (listening socket, address, port); a TCP/TLS connection is one client.
 */
import type { Socket as DgramSocket } from 'node:dgram';
import type { Socket as NetSocket } from 'node:net';

export type TurnClientProtocol = 'udp' | 'tcp' | 'tls';

export interface TurnClient {
  readonly protocol: TurnClientProtocol;
  readonly address: string;
  readonly port: number;
  /** True on TCP/TLS: ChannelData must be padded. */
  readonly isStream: boolean;
  /** Sends `data`, which the client now owns (never reused by the caller). */
  send(data: Uint8Array): void;
}

export class UdpTurnClient implements TurnClient {
  readonly protocol = 'udp';
  readonly isStream = false;

  constructor(
    private readonly socket: DgramSocket,
    readonly address: string,
    readonly port: number,
    private readonly onError: () => void,
  ) {}

  send(data: Uint8Array): void {
    try {
      this.socket.send(data, this.port, this.address, (e) => {
        if (e) this.onError();
      });
    } catch {
      this.onError(); // socket closed meanwhile
    }
  }
}

export class StreamTurnClient implements TurnClient {
  readonly isStream = true;

  constructor(
    readonly protocol: 'tcp' | 'tls',
    private readonly socket: NetSocket,
    readonly address: string,
    readonly port: number,
    private readonly onError: () => void,
  ) {}

  send(data: Uint8Array): void {
    if (this.socket.destroyed) return;
    try {
      this.socket.write(data);
    } catch {
      this.onError();
    }
  }
}
