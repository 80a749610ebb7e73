/**
 * Binds relay sockets on ports from the configured range, and keeps the odd
 * port reserved by an EVEN-PORT request with the R bit (RFC 8656 §7.2,
 * §18.7) under a RESERVATION-TOKEN until it is claimed or expires.
 */

import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import type { PortPool } from './port-pool.js';

export interface RelaySocket {
  socket: DgramSocket;
  port: number;
}

interface Reservation extends RelaySocket {
  expiresAt: number;
}

/** Ports tried per allocation when some are taken by another process. */
const BIND_ATTEMPTS = 8;

function bindUdp(address: string, port: number): Promise<DgramSocket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
    const onError = () => {
      socket.close();
      resolve(undefined);
    };
    socket.once('error', onError);
    socket.bind(port, address, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

export class RelaySockets {
  private readonly reservations = new Map<string, Reservation>();

  constructor(
    private readonly pool: PortPool,
    private readonly bindAddress: string,
    /** UDP socket buffer sizes, when set. */
    private readonly socketBufferSize: number | undefined,
  ) {}

  get reservationCount(): number {
    return this.reservations.size;
  }

  /**
   * A bound relay socket: any port, an even one, or an even one whose
   * successor is reserved too (then `token` is the RESERVATION-TOKEN).
   * Undefined when no port could be bound (508).
   */
  async bind(
    even: boolean,
    reserveNext: boolean,
    reservationSeconds: number,
  ): Promise<(RelaySocket & { token?: Buffer }) | undefined> {
    const failed = new Set<number>();
    for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
      const port = this.pool.take(reserveNext, even, failed);
      if (port < 0) return undefined;
      const socket = await bindUdp(this.bindAddress, port);
      if (socket === undefined) {
        failed.add(port);
        this.pool.release(port);
        if (reserveNext) this.pool.release(port + 1);
        continue;
      }
      this.tune(socket);
      if (!reserveNext) return { socket, port };
      const next = await bindUdp(this.bindAddress, port + 1);
      if (next === undefined) {
        socket.close();
        failed.add(port);
        this.pool.release(port);
        this.pool.release(port + 1);
        continue;
      }
      this.tune(next);
      // Nothing may arrive on a reserved port before it is claimed.
      next.on('message', () => {});
      const token = randomBytes(8);
      this.reservations.set(token.toString('hex'), {
        socket: next,
        port: port + 1,
        expiresAt: Date.now() + reservationSeconds * 1000,
      });
      return { socket, port, token };
    }
    return undefined;
  }

  /** The socket reserved under `token`, now claimed; undefined when unknown or expired. */
  claim(token: Uint8Array): RelaySocket | undefined {
    const key = Buffer.from(token).toString('hex');
    const r = this.reservations.get(key);
    if (r === undefined) return undefined;
    this.reservations.delete(key);
    r.socket.removeAllListeners('message');
    return { socket: r.socket, port: r.port };
  }

  /** Gives a relay port back to the pool once its socket is closed. */
  release(port: number): void {
    this.pool.release(port);
  }

  /** Closes reservations past their time. */
  sweep(now: number): void {
    for (const [key, r] of this.reservations) {
      if (r.expiresAt <= now) {
        this.reservations.delete(key);
        r.socket.close();
        this.pool.release(r.port);
      }
    }
  }

  close(): void {
    for (const r of this.reservations.values()) {
      r.socket.close();
      this.pool.release(r.port);
    }
    this.reservations.clear();
  }

  private tune(socket: DgramSocket): void {
    if (this.socketBufferSize === undefined) return;
    try {
      socket.setRecvBufferSize(this.socketBufferSize);
      socket.setSendBufferSize(this.socketBufferSize);
    } catch {
      // the kernel caps it; keep its default
    }
  }
}
