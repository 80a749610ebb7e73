/**
 * WebRTC data channels over one SCTP association (RFC 8831) with DCEP
 * (RFC 8832): channel ids by DTLS role (client even, server odd), the
 * DATA_CHANNEL_OPEN / ACK exchange, and channel close by stream reset in both
 * directions (RFC 8831 §6.7), after which the id can be used again.
 */
import { EventEmitter } from 'node:events';
import { DataChannel, type DataChannelInit, type DataChannelLink } from './data-channel.js';
import {
  ChannelType,
  DcepMessageType,
  marshalDcepAck,
  marshalDcepOpen,
  Ppid,
  unmarshalDcepOpen,
} from './dcep.js';
import { SctpAssociation, type SctpAssociationOptions, type SendOptions } from './sctp-association.js';

export interface DataChannelTransportOptions extends SctpAssociationOptions {
  /** Our DTLS role: the DTLS client uses even stream ids, the server odd ones (RFC 8832 §6). */
  dtlsRole: 'client' | 'server';
}

export interface DataChannelTransportEvents {
  /** The association is up; channels created earlier open now. */
  open: [];
  /** The peer opened a channel with DATA_CHANNEL_OPEN. */
  datachannel: [channel: DataChannel];
  close: [reason: string];
}

export interface DataChannelTransportStats {
  dcepMalformed: number;
  messagesOnUnknownStream: number;
  unknownPpid: number;
}

export class DataChannelTransport
  extends EventEmitter<DataChannelTransportEvents>
  implements DataChannelLink
{
  readonly association: SctpAssociation;
  readonly dtlsRole: 'client' | 'server';
  readonly stats: DataChannelTransportStats = {
    dcepMalformed: 0,
    messagesOnUnknownStream: 0,
    unknownPpid: 0,
  };
  private readonly channels = new Map<number, DataChannel>();
  /** Opens to send once the association is up. */
  private pendingOpens: DataChannel[] = [];
  /** Ids we reset outgoing whose peer-side (incoming) reset has not arrived yet. */
  private readonly awaitingIncomingReset = new Set<number>();
  private readonly sendOptions = new Map<number, SendOptions>();

  constructor(options: DataChannelTransportOptions) {
    super();
    this.dtlsRole = options.dtlsRole;
    this.association = new SctpAssociation(options);
    const a = this.association;
    a.on('open', () => this.onAssociationOpen());
    a.on('message', (sid, ppid, data) => this.onMessage(sid, ppid, data));
    a.on('streamsReset', (ids) => this.onIncomingReset(ids));
    a.on('outgoingStreamsReset', (ids) => this.onOutgoingReset(ids));
    a.on('bufferedAmountLow', (sid) => {
      const ch = this.channels.get(sid);
      if (ch && ch.readyState === 'open') ch.emit('bufferedamountlow');
    });
    a.on('close', (reason, detail) => {
      for (const ch of this.channels.values()) ch.setClosed();
      this.channels.clear();
      this.pendingOpens = [];
      this.emit('close', detail ? `${reason}: ${detail}` : reason);
    });
  }

  /** Starts the SCTP handshake (sends INIT). Either side, or both, may call it. */
  connect(): void {
    this.association.connect();
  }

  /** Feeds one SCTP packet (e.g. a DTLS application data record's content). */
  handle(packet: Buffer): void {
    this.association.handle(packet);
  }

  /** Ids closed by us whose reverse reset from the peer has not arrived yet; not reused until it does. */
  get resettingStreamIds(): ReadonlySet<number> {
    return this.awaitingIncomingReset;
  }

  /** Open channels by id. */
  get dataChannels(): ReadonlyMap<number, DataChannel> {
    return this.channels;
  }

  /** Creates a channel; announced with DATA_CHANNEL_OPEN unless `negotiated`. */
  createDataChannel(label: string, init: DataChannelInit = {}): DataChannel {
    if (this.association.closed) throw new Error('association is closed');
    let id = init.id;
    if (id === undefined) {
      if (init.negotiated) throw new TypeError('a negotiated channel needs an id');
      id = this.allocateId();
    } else if (this.channels.has(id)) {
      throw new Error(`stream id ${id} is in use`);
    }
    const ch = new DataChannel(this, id, label, init);
    this.channels.set(id, ch);
    this.sendOptions.set(id, {
      unordered: !ch.ordered,
      maxRetransmits: ch.maxRetransmits ?? undefined,
      maxPacketLifeTimeMs: ch.maxPacketLifeTime ?? undefined,
    });
    if (this.association.isEstablished) this.announce(ch);
    else this.pendingOpens.push(ch);
    return ch;
  }

  /** Graceful SCTP SHUTDOWN; channels close when it completes. */
  close(): void {
    this.association.shutdown();
  }

  private allocateId(): number {
    const limit = this.association.outboundStreamCount || 65535;
    for (let id = this.dtlsRole === 'client' ? 0 : 1; id < limit; id += 2) {
      if (!this.channels.has(id) && !this.awaitingIncomingReset.has(id)) return id;
    }
    throw new Error('no free stream id');
  }

  private announce(ch: DataChannel): void {
    // `open` fires after the current call returns (as in browsers), so a listener
    // added right after createDataChannel() still sees it.
    if (ch.negotiated) {
      queueMicrotask(() => ch.setOpen());
      return;
    }
    let type: number = ch.ordered ? ChannelType.RELIABLE : ChannelType.RELIABLE_UNORDERED;
    let reliability = 0;
    if (ch.maxRetransmits !== null) {
      type = ChannelType.PARTIAL_RELIABLE_REXMIT | (ch.ordered ? 0 : 0x80);
      reliability = ch.maxRetransmits;
    } else if (ch.maxPacketLifeTime !== null) {
      type = ChannelType.PARTIAL_RELIABLE_TIMED | (ch.ordered ? 0 : 0x80);
      reliability = ch.maxPacketLifeTime;
    }
    const open = marshalDcepOpen({
      channelType: type,
      priority: 0,
      reliability,
      label: ch.label,
      protocol: ch.protocol,
    });
    this.association.sendMessage(ch.id, Ppid.DCEP, open);
    // Like browsers, the opener may send without waiting for the ACK (RFC 8832 §6);
    // until the ACK its messages go ordered so none can overtake the OPEN.
    queueMicrotask(() => ch.setOpen());
  }

  private onAssociationOpen(): void {
    const pending = this.pendingOpens;
    this.pendingOpens = [];
    for (const ch of pending) if (ch.readyState === 'connecting') this.announce(ch);
    this.emit('open');
  }

  private onMessage(sid: number, ppid: number, data: Buffer): void {
    if (ppid === Ppid.DCEP) {
      this.onDcep(sid, data);
      return;
    }
    const ch = this.channels.get(sid);
    if (!ch) {
      this.stats.messagesOnUnknownStream++;
      return;
    }
    // Any user message implies the peer processed our OPEN (RFC 8832 §6).
    if (!ch.peerAcked) ch.peerAcked = true;
    if (!ch.receive(ppid, data)) this.stats.unknownPpid++;
  }

  private onDcep(sid: number, data: Buffer): void {
    if (data.length === 0) {
      this.stats.dcepMalformed++;
      return;
    }
    if (data[0] === DcepMessageType.ACK) {
      const ch = this.channels.get(sid);
      if (ch) ch.peerAcked = true;
      return;
    }
    const open = unmarshalDcepOpen(data);
    if (!open || this.channels.has(sid)) {
      this.stats.dcepMalformed++;
      return;
    }
    const unordered = (open.channelType & 0x80) !== 0;
    const kind = open.channelType & 0x7f;
    const init: DataChannelInit = { ordered: !unordered, protocol: open.protocol };
    if (kind === ChannelType.PARTIAL_RELIABLE_REXMIT) init.maxRetransmits = open.reliability;
    if (kind === ChannelType.PARTIAL_RELIABLE_TIMED) init.maxPacketLifeTime = open.reliability;
    this.awaitingIncomingReset.delete(sid);
    const ch = new DataChannel(this, sid, open.label, init);
    ch.peerAcked = true;
    this.channels.set(sid, ch);
    this.sendOptions.set(sid, {
      unordered,
      maxRetransmits: init.maxRetransmits,
      maxPacketLifeTimeMs: init.maxPacketLifeTime,
    });
    this.association.sendMessage(sid, Ppid.DCEP, marshalDcepAck());
    ch.readyState = 'open';
    this.emit('datachannel', ch);
    ch.emit('open');
  }

  /** The peer reset its outgoing stream: close our side too (RFC 8831 §6.7). */
  private onIncomingReset(ids: number[]): void {
    for (const id of ids) {
      if (this.awaitingIncomingReset.delete(id)) continue;
      const ch = this.channels.get(id);
      if (!ch) continue;
      if (ch.readyState !== 'closing') {
        ch.readyState = 'closing';
        this.association.resetStreams([id]);
      }
    }
  }

  private onOutgoingReset(ids: number[]): void {
    for (const id of ids) {
      const ch = this.channels.get(id);
      if (!ch) continue;
      this.channels.delete(id);
      this.sendOptions.delete(id);
      ch.setClosed();
    }
  }

  // ---- DataChannelLink

  /** @internal */
  sendChannelMessage(ch: DataChannel, ppid: number, data: Uint8Array): void {
    const opts = this.sendOptions.get(ch.id);
    if (!ch.peerAcked && opts?.unordered) {
      this.association.sendMessage(ch.id, ppid, data, { ...opts, unordered: false });
      return;
    }
    this.association.sendMessage(ch.id, ppid, data, opts);
  }

  /** @internal */
  closeChannel(ch: DataChannel): void {
    if (!this.association.isEstablished) {
      this.channels.delete(ch.id);
      this.pendingOpens = this.pendingOpens.filter((c) => c !== ch);
      ch.setClosed();
      return;
    }
    // Our reset goes first; the peer answers with its own, which we then expect.
    this.awaitingIncomingReset.add(ch.id);
    this.association.resetStreams([ch.id]);
  }

  /** @internal */
  bufferedAmount(streamId: number): number {
    return this.association.bufferedAmount(streamId);
  }

  /** @internal */
  setBufferedAmountLowThreshold(streamId: number, bytes: number): void {
    this.association.setBufferedAmountLowThreshold(streamId, bytes);
  }
}
