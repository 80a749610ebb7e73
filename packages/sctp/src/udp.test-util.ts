/**
 * Test helpers for interop over real UDP sockets on 127.0.0.1 (ephemeral ports):
 * our DataChannelTransport on one socket, werift's stack on the other.
 */
import { createSocket, type Socket } from 'node:dgram';
import { RTCDataChannel, RTCDataChannelParameters, RTCSctpTransport } from 'werift';
import { DataChannelTransport, type DataChannelTransportOptions } from './data-channel-transport.js';
import { seededRandom } from './pair.test-util.js';

export async function bindLoopback(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  return s;
}

export function portOf(s: Socket): number {
  return s.address().port;
}

/** Drops DATA-carrying packets (first chunk type 0) with a seeded probability. */
export function lossFilter(
  loss: number,
  seed: number,
): { pass: (p: Buffer) => boolean; dropped: () => number } {
  const rnd = seededRandom(seed);
  let n = 0;
  return {
    pass: (p) => {
      if (loss > 0 && p.length > 12 && p[12] === 0 && rnd() < loss) {
        n++;
        return false;
      }
      return true;
    },
    dropped: () => n,
  };
}

export interface TsfuUdpPeer {
  transport: DataChannelTransport;
  socket: Socket;
}

export async function tsfuUdpPeer(
  remote: Socket,
  options: Partial<DataChannelTransportOptions> & { dtlsRole: 'client' | 'server' },
  pass: (p: Buffer) => boolean = () => true,
): Promise<TsfuUdpPeer> {
  const socket = await bindLoopback();
  const remotePort = portOf(remote);
  const transport = new DataChannelTransport({
    rtoInitialMs: 200,
    rtoMinMs: 100,
    ...options,
    send: (p) => {
      if (pass(p)) socket.send(p, remotePort, '127.0.0.1');
    },
  });
  socket.on('message', (m) => transport.handle(m));
  return { transport, socket };
}

/**
 * werift's own data channel stack (RTCSctpTransport + RTCDataChannel with its
 * DCEP) given a minimal stand-in for its DTLS transport that carries SCTP
 * packets over plain UDP. werift picks even ids when it is not ICE-controlling
 * and then waits for INIT; when controlling it uses odd ids and sends INIT.
 */
export interface WeriftPeer {
  sctp: RTCSctpTransport;
  socket: Socket;
  createDataChannel(label: string, init?: Partial<RTCDataChannelParameters>): RTCDataChannel;
}

export async function weriftUdpPeer(
  socket: Socket,
  remotePort: number,
  controlling: boolean,
  pass: (p: Buffer) => boolean = () => true,
): Promise<WeriftPeer> {
  const sctp = new RTCSctpTransport(5000, 262144);
  const shim = {
    id: `udp-shim-${portOf(socket)}`,
    dataReceiver: (_: Buffer): void => {},
    sendData: async (data: Buffer): Promise<void> => {
      if (pass(data)) socket.send(data, remotePort, '127.0.0.1');
    },
    onStateChange: { subscribe: () => ({ unSubscribe: () => {} }) },
    iceTransport: { role: controlling ? 'controlling' : 'controlled' },
  };
  socket.on('message', (m) => shim.dataReceiver(m));
  // biome-ignore lint/suspicious/noExplicitAny: a stand-in for werift's RTCDtlsTransport
  sctp.setDtlsTransport(shim as any);
  sctp.setRemoteMaxMessageSize(262144);
  void sctp.start(5000);
  return {
    sctp,
    socket,
    createDataChannel: (label, init = {}) =>
      new RTCDataChannel(sctp, new RTCDataChannelParameters({ label, ordered: true, ...init })),
  };
}
