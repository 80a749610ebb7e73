/**
 * A WebRtcTransport's ICE candidates as mediasoup 3.27 lists them: one host
 * candidate per listen socket, in `listenInfos` order, each with local
 * preference 10000 − 100 × its index (type preference 64, component 1); a
 * listen info with `announcedAddress` and `exposeInternalIp` adds a second
 * candidate on its `ip` right after, 1000 lower. On a WebRtcServer the
 * transport's `enableUdp`/`enableTcp` pick the sockets (the index still counts
 * every server socket) and `preferUdp`/`preferTcp` add 1000 to the local
 * preference of that protocol; a transport's own listen infos ignore all four.
 */
import { isIP } from 'node:net';
import { candidateFoundation, candidatePriority } from '@tsfu/ice-lite';
import type { IceCandidate } from '../../types/webrtc-transport.js';
import type { ListenSocket } from './webrtc-transport.js';

const TYPE_PREFERENCE = 64;
const DEFAULT_LOCAL_PREFERENCE = 10000;

export interface ServerCandidateOptions {
  enableUdp: boolean;
  enableTcp: boolean;
  preferUdp: boolean;
  preferTcp: boolean;
}

/** Candidates of a transport's own sockets (`listenInfos`). */
export function transportIceCandidates(sockets: readonly ListenSocket[]): IceCandidate[] {
  return sockets.flatMap((s, index) => candidatesOf(s, DEFAULT_LOCAL_PREFERENCE - 100 * index));
}

/** Candidates of a transport on a WebRtcServer's sockets, and the sockets they use. */
export function serverIceCandidates(
  sockets: readonly ListenSocket[],
  o: ServerCandidateOptions,
): { sockets: ListenSocket[]; candidates: IceCandidate[] } {
  const used: ListenSocket[] = [];
  const candidates: IceCandidate[] = [];
  sockets.forEach((s, index) => {
    const udp = s.protocol === 'udp';
    if (udp ? !o.enableUdp : !o.enableTcp) return;
    const preferred = udp ? o.preferUdp : o.preferTcp;
    used.push(s);
    candidates.push(...candidatesOf(s, DEFAULT_LOCAL_PREFERENCE - 100 * index + (preferred ? 1000 : 0)));
  });
  return { sockets: used, candidates };
}

function candidatesOf(s: ListenSocket, localPreference: number): IceCandidate[] {
  if (isIP(s.ip) === 0) throw new TypeError(`listen ip is not an IP address: ${s.ip}`);
  const priority = candidatePriority(TYPE_PREFERENCE, localPreference);
  const first = candidate(s, s.announcedAddress ?? s.ip, priority);
  if (!s.announcedAddress || !s.exposeInternalIp) return [first];
  return [first, candidate(s, s.ip, priority - 1000)];
}

function candidate(s: ListenSocket, address: string, priority: number): IceCandidate {
  const c: IceCandidate = {
    foundation: candidateFoundation('host', s.protocol, s.ip),
    priority,
    address,
    ip: address,
    protocol: s.protocol,
    port: s.port,
    type: 'host',
  };
  if (s.protocol === 'tcp') c.tcpType = 'passive';
  return c;
}
