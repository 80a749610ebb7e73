/**
 * Where a packet the I/O thread (or a connected socket) hands this worker
 * goes: to the WebRtcTransport that owns its tuple id, or — a STUN request
 * from a tuple nobody bound — to the transport whose ICE ufrag its USERNAME
 * names; a datagram on a PlainTransport's own socket, to that transport.
 * Transports tell it which ufrags, tuples and sockets are theirs
 * (`WebRtcTransportRoutes`, `addPlainSocket`). Packets of a tuple the I/O thread bound before
 * this thread read the bind answer are parked until it does.
 */
import { isIPv6 } from 'node:net';
import { IceUfragTable } from '@tsfu/ice-lite';
import {
  ADDRESS_HEADER_LENGTH,
  PROTOCOL_TCP,
  readAddressHeader,
  TUPLE_UNKNOWN,
} from '../protocol/io-protocol.js';
import { ThreadLogger } from '../protocol/thread-logger.js';
import type { LinkPacketHandler, LinkTuple } from './io-link.js';
import { ParkedPackets } from './parked-packets.js';
import type { PlainTransport } from './transport/plain-transport.js';
import type { WebRtcTransport, WebRtcTransportRoutes } from './transport/webrtc-transport.js';

const logger = new ThreadLogger('Worker');

interface Route {
  transport: WebRtcTransport;
  tuple: LinkTuple;
}

export class PacketRoutes implements WebRtcTransportRoutes {
  private readonly byTupleId = new Map<number, Route>();
  private readonly byUfrag = new IceUfragTable<WebRtcTransport>();
  /** PlainTransports by the index of their own sockets: everything on those is theirs. */
  private readonly plainBySocket = new Map<number, PlainTransport>();
  /**
   * Ring records are copied here so transports get a Buffer at offset 0 (what SRTP, STUN and DTLS
   * read); a connected socket's datagram is one already and is handed over as it is.
   */
  private readonly scratch = Buffer.allocUnsafe(65536 + ADDRESS_HEADER_LENGTH);
  /** Packets of tuples bound in the I/O thread whose bind answer has not arrived yet. */
  private readonly parked: ParkedPackets;
  /** Packets for a tuple or ufrag no transport of this worker owns; ring records this thread cannot read. */
  packetsForUnknownTuple = 0;
  malformedRecords = 0;

  constructor(maxParkedPackets: number) {
    this.parked = new ParkedPackets(maxParkedPackets, (n) => {
      logger.warnTag('ice', `onPacket() | dropped ${n} parked packets of unbound tuples`);
      this.packetsForUnknownTuple += n;
    });
  }

  /** Parked packets dropped because `tsfuMaxParkedPackets` were held. */
  get parkedPacketsDropped(): number {
    return this.parked.dropped;
  }

  readonly onPacket: LinkPacketHandler = (data, offset, length, meta, aux) => {
    if (meta === TUPLE_UNKNOWN) {
      this.onUnknownTuple(data, offset, length, aux);
      return;
    }
    const route = this.byTupleId.get(meta);
    if (route === undefined) {
      // The I/O thread routes a tuple by id as soon as it bound it, which can be before this thread
      // has read the bind answer; over TCP nothing is retransmitted, so park a few such packets.
      // At most tsfuMaxParkedPackets are held; more are dropped (tsfuCounters.parkedPacketsDropped).
      this.parked.park(meta, data, offset, length);
      return;
    }
    let buf = data;
    if (offset !== 0) {
      data.copy(this.scratch, 0, offset, offset + length);
      buf = this.scratch;
    }
    if (buf[0] === 0x00 && buf[1] === 0x01 && route.tuple.protocol === 'udp') {
      // A Binding Request naming another transport's ufrag: the address now belongs to a new ICE
      // session (a TURN relay port or NAT mapping handed out again). That transport checks it as
      // from an unknown tuple and, once valid, takes the tuple over (onTupleAdded).
      const owner = this.byUfrag.lookup(buf, length);
      if (owner !== undefined && owner !== route.transport) {
        owner.handleUnknownTupleStun(unboundCopy(route.tuple), buf, length);
        if (owner.tuples.known(route.tuple) !== undefined) {
          // Valid: the tuple leaves the old session now; its packets wait (parked) for the new bind.
          this.byTupleId.delete(meta);
          route.transport.handleTupleTakenOver(meta);
        }
        return;
      }
    }
    route.transport.handlePacket(route.tuple, buf, length);
  };

  /** A STUN request the I/O thread routed by ufrag: the record starts with the remote's address. */
  private onUnknownTuple(data: Buffer, offset: number, length: number, socketIndex: number): void {
    const h = readAddressHeader(data, offset, length);
    if (!h) {
      // The I/O thread wrote a record this thread cannot read: a bug on one side (logs are rate-bounded).
      this.malformedRecords++;
      logger.error(`onPacket() | malformed record from the I/O thread [length:${length}]`);
      return;
    }
    const n = length - ADDRESS_HEADER_LENGTH;
    data.copy(this.scratch, 0, offset + ADDRESS_HEADER_LENGTH, offset + length);
    const plain = this.plainBySocket.get(socketIndex);
    if (plain !== undefined) {
      plain.handleDatagram(socketIndex, h.address, h.port, this.scratch, n);
      return;
    }
    const transport = this.byUfrag.lookup(this.scratch, n);
    if (!transport) {
      this.packetsForUnknownTuple++;
      logger.warnTag('ice', 'onPacket() | ignoring packet from unknown tuple with no known ICE ufrag');
      return;
    }
    const tuple: LinkTuple = {
      address: h.address,
      port: h.port,
      family: isIPv6(h.address) ? 'IPv6' : 'IPv4',
      protocol: h.protocol === PROTOCOL_TCP ? 'tcp' : 'udp',
      socketIndex,
      connId: h.connId,
      tupleId: 0,
    };
    transport.handleUnknownTupleStun(tuple, this.scratch, n);
  }

  /** The I/O thread saw TCP connection `tupleId` close. */
  onTcpClosed(tupleId: number): void {
    const route = this.byTupleId.get(tupleId);
    if (!route) return;
    this.byTupleId.delete(tupleId);
    route.transport.handleTcpClosed(tupleId);
  }

  /** A transport of another worker validated tuple `tupleId`: the I/O thread routes it there now. */
  onTupleTakenOver(tupleId: number): void {
    const route = this.byTupleId.get(tupleId);
    if (!route) return;
    this.byTupleId.delete(tupleId);
    route.transport.handleTupleTakenOver(tupleId);
  }

  // ---- WebRtcTransportRoutes -------------------------------------------------------------

  onIceUsernameFragmentAdded(transport: WebRtcTransport, ufrag: string): void {
    this.byUfrag.set(ufrag, transport);
  }

  onIceUsernameFragmentRemoved(transport: WebRtcTransport, ufrag: string): void {
    if (this.byUfrag.get(ufrag) === transport) this.byUfrag.delete(ufrag);
  }

  onTupleAdded(transport: WebRtcTransport, tupleId: number): void {
    const tuple = transport.tuples.withId(tupleId);
    if (!tuple) return;
    // Validated by another transport of this worker before: that one's session there is over.
    const previous = this.byTupleId.get(tupleId);
    if (previous !== undefined && previous.transport !== transport) {
      previous.transport.handleTupleTakenOver(tupleId);
    }
    const route = { transport, tuple };
    this.byTupleId.set(tupleId, route);
    const parked = this.parked.take(tupleId);
    if (!parked) return;
    for (const p of parked) {
      p.copy(this.scratch, 0);
      transport.handlePacket(tuple, this.scratch, p.length);
    }
  }

  /** The transport dropped the tuple (over its tuple cap) or closed: stop routing it there. */
  onTupleRemoved(transport: WebRtcTransport, tupleId: number): void {
    if (this.byTupleId.get(tupleId)?.transport === transport) this.byTupleId.delete(tupleId);
  }

  /** Routes every datagram on `transport`'s sockets to it. */
  addPlainSocket(socketIndex: number, transport: PlainTransport): void {
    this.plainBySocket.set(socketIndex, transport);
  }

  removePlainSocket(socketIndex: number, transport: PlainTransport): void {
    if (this.plainBySocket.get(socketIndex) === transport) this.plainBySocket.delete(socketIndex);
  }

  /** Drops what is parked (the worker closes). */
  clear(): void {
    this.parked.clear();
  }
}

/** `t`'s address as a tuple not bound yet (tuple id 0, no connected socket). */
function unboundCopy(t: LinkTuple): LinkTuple {
  return {
    address: t.address,
    port: t.port,
    family: t.family,
    protocol: t.protocol,
    socketIndex: t.socketIndex,
    connId: t.connId,
    tupleId: 0,
  };
}
