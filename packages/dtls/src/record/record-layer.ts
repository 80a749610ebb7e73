import { marshalAlert } from '../alert.js';
import type { RecordCipher } from '../cipher-suite/record-cipher.js';
import type { DtlsState, DtlsTransportStats } from '../dtls-state.js';
import { type FlightItem, packFlight } from '../flight/flight.js';
import { ContentType } from './content-type.js';
import { DTLS_1_2, isAcceptedRecordVersion } from './protocol-version.js';
import { RECORD_HEADER_LENGTH, writeRecordHeader } from './record-header.js';
import { ReplayWindow } from './replay-window.js';

/** Protected records held while their keys are not there yet (reordering). */
const MAX_PENDING_RECORDS = 16;
/** Largest application-data record we send (2^14, RFC 5246 §6.2.1). */
const MAX_PLAINTEXT = 16384;

/** Where the record layer delivers what it reads, and what it asks about the connection. */
export interface RecordReceiver {
  /** 'connected' admits application data and makes plaintext alerts harmless. */
  connectionState(): DtlsState;
  /** Whether protected records that outrun their keys may be held (a handshake with state is under way). */
  holdsEarlyRecords(): boolean;
  onHandshake(body: Uint8Array, epoch: number, recordSeq: number): void;
  onAlert(body: Uint8Array): void;
  onApplicationData(data: Buffer): void;
}

/**
 * The DTLS record layer (RFC 6347 §4.1): epochs 0 and 1, 48-bit sequence
 * numbers per epoch, AEAD protection, the anti-replay window and a small
 * queue of protected records that arrived before their keys. Never throws
 * on input: what it cannot use is dropped and counted.
 */
export class RecordLayer {
  /** The epoch-1 cipher, once the handshake derived its keys. */
  cipher: RecordCipher | undefined;
  private readonly replay = new ReplayWindow(128);
  private readonly sendSeq = [0, 0];
  private sendEpoch = 0;
  private pending: Buffer[] = [];

  constructor(
    private readonly stats: DtlsTransportStats,
    private readonly sendDatagram: (d: Buffer) => void,
    private readonly receiver: RecordReceiver,
  ) {}

  /** Bytes of protected records held for later. */
  get pendingBytes(): number {
    let n = 0;
    for (const r of this.pending) n += r.length;
    return n;
  }

  /** Reads every record of a datagram, stopping if the connection fails or closes on the way. */
  receive(buf: Uint8Array): void {
    let off = 0;
    const len = buf.length;
    while (off < len) {
      if (off + RECORD_HEADER_LENGTH > len) {
        this.stats.droppedRecords++;
        return;
      }
      const type = buf[off];
      const version = (buf[off + 1] << 8) | buf[off + 2];
      const epoch = (buf[off + 3] << 8) | buf[off + 4];
      const seq =
        ((buf[off + 5] << 8) | buf[off + 6]) * 0x1_0000_0000 +
        ((buf[off + 7] << 24) >>> 0) +
        ((buf[off + 8] << 16) | (buf[off + 9] << 8) | buf[off + 10]);
      const bodyLength = (buf[off + 11] << 8) | buf[off + 12];
      const bodyOffset = off + RECORD_HEADER_LENGTH;
      if (bodyOffset + bodyLength > len) {
        this.stats.droppedRecords++;
        return;
      }
      off = bodyOffset + bodyLength;
      this.stats.recordsReceived++;
      if (
        type < ContentType.changeCipherSpec ||
        type > ContentType.applicationData ||
        !isAcceptedRecordVersion(version)
      ) {
        this.stats.droppedRecords++;
        continue;
      }
      if (epoch === 0) this.receivePlain(buf, type, seq, bodyOffset, bodyLength);
      else if (epoch === 1) this.receiveProtected(buf, type, version, seq, bodyOffset, bodyLength);
      else this.stats.droppedRecords++;
      const state = this.receiver.connectionState();
      if (state === 'closed' || state === 'failed') return;
    }
  }

  private receivePlain(buf: Uint8Array, type: number, seq: number, off: number, len: number): void {
    const body = buf.subarray(off, off + len);
    switch (type) {
      case ContentType.handshake:
        this.receiver.onHandshake(body, 0, seq);
        return;
      case ContentType.changeCipherSpec:
        // Epoch switches are driven by keys being ready; CCS only has to be well formed.
        if (len !== 1 || body[0] !== 1) this.stats.droppedRecords++;
        return;
      case ContentType.alert:
        // An unauthenticated alert may end a handshake, never an established session.
        if (this.receiver.connectionState() === 'connected') this.stats.droppedRecords++;
        else this.receiver.onAlert(body);
        return;
      default:
        this.stats.droppedRecords++;
    }
  }

  private receiveProtected(
    buf: Uint8Array,
    type: number,
    version: number,
    seq: number,
    off: number,
    len: number,
  ): void {
    const cipher = this.cipher;
    if (
      !cipher ||
      (this.receiver.connectionState() !== 'connected' && type === ContentType.applicationData)
    ) {
      this.holdEarly(buf, off, len);
      return;
    }
    if (!this.replay.check(seq)) {
      this.stats.replayedRecords++;
      return;
    }
    const plaintext = cipher.open(buf, off, len, type, version, 1, seq);
    if (!plaintext) {
      this.stats.badRecords++;
      return;
    }
    this.replay.accept(seq);
    switch (type) {
      case ContentType.applicationData:
        this.stats.applicationDataReceived++;
        this.receiver.onApplicationData(plaintext);
        return;
      case ContentType.handshake:
        this.receiver.onHandshake(plaintext, 1, seq);
        return;
      case ContentType.alert:
        this.receiver.onAlert(plaintext);
        return;
      default:
        return;
    }
  }

  /** Records may outrun the flight that makes their keys (reordering): keep a few. */
  private holdEarly(buf: Uint8Array, off: number, len: number): void {
    if (this.receiver.holdsEarlyRecords() && this.pending.length < MAX_PENDING_RECORDS) {
      const rec = Buffer.allocUnsafe(RECORD_HEADER_LENGTH + len);
      rec.set(buf.subarray(off - RECORD_HEADER_LENGTH, off + len));
      this.pending.push(rec);
    } else {
      this.stats.droppedRecords++;
    }
  }

  /** Reads the held records again (their keys, or the connection, may be ready now). */
  replayPending(): void {
    if (this.pending.length === 0) return;
    const pending = this.pending;
    this.pending = [];
    for (const rec of pending) {
      this.receive(rec);
      const state = this.receiver.connectionState();
      if (state === 'failed' || state === 'closed') return;
    }
  }

  /** A record in the current write epoch, with the next sequence number. */
  seal(type: number, payload: Uint8Array): Buffer {
    const epoch = this.sendEpoch;
    const seq = this.sendSeq[epoch]++;
    this.stats.recordsSent++;
    if (epoch === 0 || !this.cipher) return plainRecord(type, 0, seq, payload);
    return this.cipher.seal(type, DTLS_1_2, epoch, seq, payload);
  }

  /**
   * Sends a record outside the numbering (a stateless HelloVerifyRequest echoes
   * the ClientHello's sequence number, RFC 6347 §4.2.1).
   */
  sendStateless(type: number, seq: number, payload: Uint8Array, version: number): void {
    this.sendDatagram(plainRecord(type, 0, seq, payload, version));
    this.stats.recordsSent++;
  }

  /** Continues epoch 0 numbering from a sequence number the peer has already seen. */
  continueSequenceFrom(seq: number): void {
    this.sendSeq[0] = Math.max(this.sendSeq[0], seq);
  }

  /** Sends a flight: fragmented and packed to `mtu`, epoch 1 after its ChangeCipherSpec. */
  sendFlight(items: readonly FlightItem[], mtu: number): void {
    const overhead = (epoch: number) => (epoch === 0 ? 0 : (this.cipher?.overhead ?? 0));
    // CCS switches our write epoch mid-flight; restore it so a resend starts in epoch 0.
    const startEpoch = this.sendEpoch;
    this.sendEpoch = 0;
    const datagrams = packFlight(items, mtu, overhead, (type, epoch, payload) => {
      this.sendEpoch = epoch;
      const rec = this.seal(type, payload);
      if (type === ContentType.changeCipherSpec) this.sendEpoch = 1;
      return rec;
    });
    if (!items.some((i) => i.kind === 'changeCipherSpec')) this.sendEpoch = startEpoch;
    for (const d of datagrams) this.sendDatagram(d);
  }

  /** Sends application data in records of at most 16 KiB. */
  sendApplicationData(data: Uint8Array): void {
    if (data.length <= MAX_PLAINTEXT) {
      this.sendDatagram(this.seal(ContentType.applicationData, data));
      this.stats.applicationDataSent++;
      return;
    }
    let off = 0;
    do {
      const chunk = data.subarray(off, Math.min(off + MAX_PLAINTEXT, data.length));
      this.sendDatagram(this.seal(ContentType.applicationData, chunk));
      this.stats.applicationDataSent++;
      off += MAX_PLAINTEXT;
    } while (off < data.length);
  }

  sendAlert(level: number, description: number): void {
    try {
      this.sendDatagram(this.seal(ContentType.alert, marshalAlert({ level, description })));
    } catch {
      // the carrier is gone; nothing more to tell the peer
    }
  }
}

function plainRecord(
  type: number,
  epoch: number,
  seq: number,
  payload: Uint8Array,
  version = DTLS_1_2,
): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_LENGTH + payload.length);
  writeRecordHeader(out, 0, type, version, epoch, seq, payload.length);
  out.set(payload, RECORD_HEADER_LENGTH);
  return out;
}
