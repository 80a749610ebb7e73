/**
 * A WebRTC data channel (RFC 8831) on one SCTP stream: the W3C-like object an
 * application sees. Created by `DataChannelTransport`; its messages travel as
 * SCTP messages with the WebRTC PPIDs.
 */
import { EventEmitter } from 'node:events';
import { Ppid } from './dcep.js';

export type DataChannelState = 'connecting' | 'open' | 'closing' | 'closed';

/** Options of `createDataChannel`, as in the W3C `RTCDataChannelInit`. */
export interface DataChannelInit {
  /** Ordered delivery (default true). */
  ordered?: boolean;
  /** Partial reliability by retransmission count. Exclusive with `maxPacketLifeTime`. */
  maxRetransmits?: number;
  /** Partial reliability by lifetime in ms. Exclusive with `maxRetransmits`. */
  maxPacketLifeTime?: number;
  /** Sub-protocol name carried in DATA_CHANNEL_OPEN. */
  protocol?: string;
  /** Out-of-band negotiated channel: no DCEP, both sides create it with the same `id`. */
  negotiated?: boolean;
  /** Stream id; required when negotiated, otherwise picked by DTLS role (client even, server odd). */
  id?: number;
}

/** What a channel needs from its transport (kept narrow so it can be tested alone). */
export interface DataChannelLink {
  sendChannelMessage(channel: DataChannel, ppid: number, data: Uint8Array): void;
  closeChannel(channel: DataChannel): void;
  bufferedAmount(streamId: number): number;
  setBufferedAmountLowThreshold(streamId: number, bytes: number): void;
}

export interface DataChannelEvents {
  open: [];
  /** Text arrives as a string, binary as a Buffer. */
  message: [data: string | Buffer];
  bufferedamountlow: [];
  close: [];
}

const EMPTY_PAYLOAD = Buffer.from([0]);

export class DataChannel extends EventEmitter<DataChannelEvents> {
  readyState: DataChannelState = 'connecting';
  private lowThreshold = 0;
  readonly ordered: boolean;
  readonly maxRetransmits: number | null;
  readonly maxPacketLifeTime: number | null;
  readonly protocol: string;
  readonly negotiated: boolean;
  /** Set once the peer's DATA_CHANNEL_ACK (or its first message) arrived. */
  peerAcked: boolean;

  constructor(
    private readonly link: DataChannelLink,
    readonly id: number,
    readonly label: string,
    init: DataChannelInit,
  ) {
    super();
    this.ordered = init.ordered ?? true;
    this.maxRetransmits = init.maxRetransmits ?? null;
    this.maxPacketLifeTime = init.maxPacketLifeTime ?? null;
    this.protocol = init.protocol ?? '';
    this.negotiated = init.negotiated ?? false;
    this.peerAcked = this.negotiated;
    if (this.maxRetransmits !== null && this.maxPacketLifeTime !== null) {
      throw new TypeError('maxRetransmits and maxPacketLifeTime are exclusive');
    }
  }

  /** `bufferedamountlow` fires when `bufferedAmount` falls to or below this (bytes). */
  get bufferedAmountLowThreshold(): number {
    return this.lowThreshold;
  }

  set bufferedAmountLowThreshold(bytes: number) {
    this.lowThreshold = bytes;
    this.link.setBufferedAmountLowThreshold(this.id, bytes);
  }

  /** Bytes queued on this channel's stream and not yet acknowledged. */
  get bufferedAmount(): number {
    return this.link.bufferedAmount(this.id);
  }

  /**
   * Sends a text (PPID 51/56) or binary (PPID 53/57) message. A Buffer is not
   * copied: do not modify it after the call. Throws unless the channel is open.
   */
  send(data: string | Uint8Array): void {
    if (this.readyState !== 'open') throw new Error(`data channel is ${this.readyState}`);
    if (typeof data === 'string') {
      if (data.length === 0) this.link.sendChannelMessage(this, Ppid.STRING_EMPTY, EMPTY_PAYLOAD);
      else this.link.sendChannelMessage(this, Ppid.STRING, Buffer.from(data, 'utf8'));
    } else if (data.length === 0) {
      this.link.sendChannelMessage(this, Ppid.BINARY_EMPTY, EMPTY_PAYLOAD);
    } else {
      this.link.sendChannelMessage(this, Ppid.BINARY, data);
    }
  }

  /** Starts closing: resets the outgoing stream; `close` fires when done. */
  close(): void {
    if (this.readyState === 'closing' || this.readyState === 'closed') return;
    this.readyState = 'closing';
    this.link.closeChannel(this);
  }

  /** @internal Delivers one message with its PPID; unknown PPIDs are dropped. */
  receive(ppid: number, data: Buffer): boolean {
    if (this.readyState === 'closed') return false;
    let value: string | Buffer;
    switch (ppid) {
      case Ppid.STRING:
        value = data.toString('utf8');
        break;
      case Ppid.STRING_EMPTY:
        value = '';
        break;
      case Ppid.BINARY:
        value = data;
        break;
      case Ppid.BINARY_EMPTY:
        value = Buffer.alloc(0);
        break;
      default:
        return false;
    }
    this.emit('message', value);
    return true;
  }

  /** @internal */
  setOpen(): void {
    if (this.readyState !== 'connecting') return;
    this.readyState = 'open';
    this.emit('open');
  }

  /** @internal */
  setClosed(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.emit('close');
  }
}
