/** A DtlsTransport carried by a real UDP socket on 127.0.0.1 (port 0). */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { DtlsTransport, type DtlsTransportOptions } from '../dtls-transport.js';

export interface UdpDtls {
  transport: DtlsTransport;
  socket: Socket;
  port: number;
  /** Application data received, in order. */
  received: Buffer[];
  /** The first datagrams that arrived (up to 64), as received. */
  datagrams: Buffer[];
  connected: Promise<void>;
  close(): Promise<void>;
}

export async function udpDtls(
  options: Omit<DtlsTransportOptions, 'send'>,
  remote?: { port: number; address?: string },
): Promise<UdpDtls> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let peer: Pick<RemoteInfo, 'port' | 'address'> | undefined = remote
    ? { port: remote.port, address: remote.address ?? '127.0.0.1' }
    : undefined;
  const transport = new DtlsTransport({
    ...options,
    send: (d) => {
      if (peer) socket.send(d, peer.port, peer.address);
    },
  });
  const received: Buffer[] = [];
  const datagrams: Buffer[] = [];
  socket.on('message', (m, rinfo) => {
    peer ??= rinfo;
    if (datagrams.length < 64) datagrams.push(m);
    transport.handle(m);
  });
  transport.on('data', (d) => received.push(d));
  const connected = new Promise<void>((resolve, reject) => {
    transport.on('statechange', (s) => {
      if (s === 'connected') resolve();
      else if (s === 'failed' || s === 'closed') reject(new Error(`DTLS ${s}: ${transport.failureReason}`));
    });
  });
  connected.catch(() => {});
  return {
    transport,
    socket,
    port: socket.address().port,
    received,
    datagrams,
    connected,
    async close() {
      transport.close();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

/** Resolves once `cond()` holds, polling; rejects after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
