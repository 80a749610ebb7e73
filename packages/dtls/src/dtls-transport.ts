import { createHash, type KeyObject, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  SRTP_PROFILES,
  type SrtpCryptoSuite,
  type SrtpProfileInfo,
  srtpKeyingMaterialLength,
  srtpProfileById,
  srtpProfileByName,
} from '@tsfu/srtp';
import {
  type Alert,
  AlertDescription,
  AlertLevel,
  alertName,
  marshalAlert,
  unmarshalAlert,
} from './alert.js';
import {
  CIPHER_SUITES,
  type CipherSuite,
  type CipherSuiteName,
  cipherSuiteById,
} from './cipher-suite/cipher-suite.js';
import type { RecordCipher } from './cipher-suite/record-cipher.js';
import { type CookieGenerator, defaultCookieGenerator } from './cookie.js';
import { certificatePublicKey } from './crypto/certificate-public-key.js';
import {
  type DtlsNamedGroupName,
  type EcdheKeyShare,
  generateKeyShare,
  namedGroupByName,
  namedGroupName,
  SUPPORTED_GROUPS,
} from './crypto/named-group.js';
import * as Prf from './crypto/prf.js';
import {
  chooseSignatureScheme,
  SUPPORTED_SIGNATURE_SCHEMES,
  signatureSchemeKeyType,
  signWithScheme,
  verifyWithScheme,
} from './crypto/signature-scheme.js';
import { certificateDerToPem, type DtlsCertificate } from './dtls-certificate.js';
import {
  EC_POINT_FORMAT_UNCOMPRESSED,
  marshalEcPointFormats,
  unmarshalEcPointFormats,
} from './extension/ec-point-formats.js';
import {
  marshalExtendedMasterSecret,
  unmarshalExtendedMasterSecret,
} from './extension/extended-master-secret.js';
import { ExtensionType, findExtension, type RawExtension } from './extension/extension.js';
import {
  EMPTY_RENEGOTIATION_INFO_SCSV,
  marshalRenegotiationInfo,
  unmarshalRenegotiationInfo,
} from './extension/renegotiation-info.js';
import {
  marshalSignatureAlgorithms,
  unmarshalSignatureAlgorithms,
} from './extension/signature-algorithms.js';
import { marshalSupportedGroups, unmarshalSupportedGroups } from './extension/supported-groups.js';
import { marshalUseSrtp, unmarshalUseSrtp } from './extension/use-srtp.js';
import { type DtlsFingerprint, matchesFingerprint } from './fingerprint.js';
import { type FlightItem, packFlight } from './flight/flight.js';
import { type AssembledMessage, HandshakeReassembler } from './flight/handshake-reassembler.js';
import { marshalCertificate, unmarshalCertificate } from './handshake/certificate.js';
import {
  ClientCertificateType,
  marshalCertificateRequest,
  unmarshalCertificateRequest,
} from './handshake/certificate-request.js';
import { marshalCertificateVerify, unmarshalCertificateVerify } from './handshake/certificate-verify.js';
import { marshalClientHello, peekClientHelloCookie, unmarshalClientHello } from './handshake/client-hello.js';
import { marshalClientKeyExchange, unmarshalClientKeyExchange } from './handshake/client-key-exchange.js';
import { marshalFinished, unmarshalFinished } from './handshake/finished.js';
import {
  HANDSHAKE_HEADER_LENGTH,
  unmarshalHandshakeHeader,
  wrapHandshakeMessage,
} from './handshake/handshake-header.js';
import { HandshakeType } from './handshake/handshake-type.js';
import { marshalHelloVerifyRequest, unmarshalHelloVerifyRequest } from './handshake/hello-verify-request.js';
import { marshalServerHello, unmarshalServerHello } from './handshake/server-hello.js';
import { marshalServerHelloDone, unmarshalServerHelloDone } from './handshake/server-hello-done.js';
import {
  marshalEcdheParams,
  marshalServerKeyExchange,
  unmarshalServerKeyExchange,
} from './handshake/server-key-exchange.js';
import { ContentType } from './record/content-type.js';
import { DTLS_1_0, DTLS_1_2, isAcceptedRecordVersion } from './record/protocol-version.js';
import { RECORD_HEADER_LENGTH, writeRecordHeader } from './record/record-header.js';
import { ReplayWindow } from './record/replay-window.js';
import {
  DTLS_SRTP_EXPORTER_LABEL,
  type DtlsSrtpKeyingMaterial,
  srtpKeysForRole,
} from './srtp-keying-material.js';

/** Connection states, as mediasoup's `dtlsState`. */
export type DtlsState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

export interface DtlsTransportOptions {
  /** Which side of the handshake we play (resolve mediasoup's `auto` with `resolveDtlsRole`). */
  role: 'client' | 'server';
  /** Our certificate and key; see `DtlsCertificate.generate` / `fromPem`. */
  certificate: DtlsCertificate;
  /**
   * The peer's certificate fingerprints from signalling. When given, the peer
   * must present a certificate matching one of them, or the transport fails.
   * Can also be supplied later with `setRemoteFingerprints`.
   */
  remoteFingerprints?: DtlsFingerprint[];
  /** `use_srtp` profiles in preference order (default: `@tsfu/srtp`'s order, GCM first); `[]` disables it. */
  srtpProfiles?: SrtpCryptoSuite[];
  /** Cipher suites in preference order (default: every suite, ECDHE-ECDSA-AES128-GCM first). */
  cipherSuites?: CipherSuiteName[];
  /** ECDHE groups in preference order (default x25519, P-256, P-384). */
  groups?: DtlsNamedGroupName[];
  /** Largest datagram we send (default 1200). Handshake messages are fragmented to fit. */
  mtu?: number;
  /** First retransmission timeout of a flight, doubled after each loss (default 100 ms). */
  initialRetransmitMs?: number;
  /** Back-off ceiling (default 3000 ms). */
  maxRetransmitMs?: number;
  /**
   * The handshake must finish within this, or the transport fails (default 30000 ms). A client's clock
   * starts at `start()`, a server's when the first ClientHello with a valid cookie arrives.
   */
  handshakeTimeoutMs?: number;
  /** Server: ask the client for its certificate (default true, as WebRTC needs). */
  requestClientCertificate?: boolean;
  /** Server: binds HelloVerifyRequest cookies to the transport (e.g. the peer's address). */
  cookieContext?: string;
  /** Server: cookie secret holder (default: one per process). */
  cookieGenerator?: CookieGenerator;
  /**
   * Client: imitate another stack's ClientHello (interop testing). Extensions
   * given here replace ours of the same type or are appended; `cipherSuites`
   * replaces the offered list (unknown values, e.g. GREASE, are fine).
   */
  clientHelloOverrides?: { extensions?: RawExtension[]; cipherSuites?: number[] };
  /** Carries one datagram to the peer. Must not throw. */
  send: (datagram: Buffer) => void;
}

/** Counters for what was received, dropped and resent. */
export interface DtlsTransportStats {
  datagramsReceived: number;
  recordsReceived: number;
  recordsSent: number;
  /** Malformed records, unknown epochs or content types, unexpected messages. */
  droppedRecords: number;
  /** Records that failed authentication (tampered or forged). */
  badRecords: number;
  /** Records rejected by the anti-replay window. */
  replayedRecords: number;
  /** Whole flights sent again (timer or peer retransmission). */
  retransmissions: number;
  helloVerifyRequestsSent: number;
  applicationDataReceived: number;
  applicationDataSent: number;
}

/** Events a `DtlsTransport` emits. */
export interface DtlsTransportEvents {
  statechange: [state: DtlsState];
  /** Decrypted application data (SCTP packets for data channels). */
  data: [data: Buffer];
  /** An alert from the peer. */
  alert: [alert: Alert];
  /** Why the transport failed (also in `failureReason`). Emitted only if someone listens. */
  error: [error: Error];
}

type Step =
  | 'idle'
  | 'clientWaitServerHello'
  | 'clientWaitServerFinished'
  | 'serverWaitClientHello'
  | 'serverWaitClientKeyExchange'
  | 'serverWaitClientFinished'
  | 'done';

class HandshakeFailure extends Error {
  constructor(
    message: string,
    readonly alert: number = AlertDescription.handshakeFailure,
  ) {
    super(message);
  }
}

const MAX_PENDING_RECORDS = 16;

/**
 * A DTLS 1.2 endpoint (RFC 6347) over any datagram carrier: feed it received
 * datagrams with `handle`, and it sends through the `send` callback. Does the
 * full ECDHE handshake with cookie exchange, fragmentation, retransmission and
 * mutual certificate authentication against signalled fingerprints, then
 * carries application data and exports DTLS-SRTP keys (RFC 5764).
 */
export class DtlsTransport extends EventEmitter {
  readonly role: 'client' | 'server';
  readonly certificate: DtlsCertificate;
  readonly stats: DtlsTransportStats = {
    datagramsReceived: 0,
    recordsReceived: 0,
    recordsSent: 0,
    droppedRecords: 0,
    badRecords: 0,
    replayedRecords: 0,
    retransmissions: 0,
    helloVerifyRequestsSent: 0,
    applicationDataReceived: 0,
    applicationDataSent: 0,
  };

  private currentState: DtlsState = 'new';
  private failure: string | undefined;
  private negotiatedSrtpProfile: SrtpProfileInfo | undefined;
  private negotiatedSuite: CipherSuite | undefined;
  private negotiatedGroup: DtlsNamedGroupName | undefined;
  private useExtendedMasterSecret = false;
  private readonly sendDatagram: (d: Buffer) => void;
  private remoteFingerprints: DtlsFingerprint[] | undefined;
  private readonly srtpProfileIds: number[];
  private readonly suiteIds: number[];
  private readonly groupIds: number[];
  private readonly mtu: number;
  private readonly initialRetransmitMs: number;
  private readonly maxRetransmitMs: number;
  private readonly handshakeTimeoutMs: number;
  private readonly requestClientCertificate: boolean;
  private readonly cookieContext: string;
  private readonly cookies: CookieGenerator;
  private readonly clientHelloOverrides: DtlsTransportOptions['clientHelloOverrides'];

  private step: Step = 'idle';
  private localRandom: Buffer = randomBytes(32);
  private remoteRandom: Uint8Array | undefined;
  private transcript: Buffer[] = [];
  private keyShare: EcdheKeyShare | undefined;
  private masterSecret: Buffer | undefined;
  private cipher: RecordCipher | undefined;
  private readonly replay = new ReplayWindow(128);
  private reassembler: HandshakeReassembler | undefined;
  private nextSendMessageSeq = 0;
  private readonly sendSeq = [0, 0];
  private sendEpoch = 0;
  private pendingRecords: Buffer[] = [];
  private peerCertificate: Buffer | undefined;
  private peerKey: KeyObject | undefined;
  private certificateRequested = false;
  private clientCertSchemes: number[] = [];
  private clientHelloBody: Buffer | undefined;

  private flight: FlightItem[] = [];
  private retransmitTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private retransmitMs: number;
  private lastFlightSentAt = 0;

  constructor(options: DtlsTransportOptions) {
    super();
    this.role = options.role;
    this.certificate = options.certificate;
    this.sendDatagram = options.send;
    this.remoteFingerprints = options.remoteFingerprints;
    this.srtpProfileIds = (options.srtpProfiles ?? SRTP_PROFILES.map((p) => p.cryptoSuite)).map((name) => {
      const p = srtpProfileByName(name);
      if (!p) throw new Error(`unknown SRTP profile ${name}`);
      return p.id;
    });
    this.suiteIds = (options.cipherSuites ?? CIPHER_SUITES.map((s) => s.name)).map((name) => {
      const s = CIPHER_SUITES.find((c) => c.name === name);
      if (!s) throw new Error(`unknown cipher suite ${name}`);
      return s.id;
    });
    this.groupIds = options.groups ? options.groups.map(namedGroupByName) : [...SUPPORTED_GROUPS];
    this.mtu = options.mtu ?? 1200;
    if (this.mtu < 200) throw new RangeError('mtu must be at least 200');
    this.initialRetransmitMs = options.initialRetransmitMs ?? 100;
    this.maxRetransmitMs = options.maxRetransmitMs ?? 3000;
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? 30_000;
    this.requestClientCertificate = options.requestClientCertificate ?? true;
    this.cookieContext = options.cookieContext ?? '';
    this.cookies = options.cookieGenerator ?? defaultCookieGenerator;
    this.retransmitMs = this.initialRetransmitMs;
    this.clientHelloOverrides = options.clientHelloOverrides;
  }

  override on<K extends keyof DtlsTransportEvents>(
    event: K,
    listener: (...args: DtlsTransportEvents[K]) => void,
  ): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  override once<K extends keyof DtlsTransportEvents>(
    event: K,
    listener: (...args: DtlsTransportEvents[K]) => void,
  ): this {
    return super.once(event, listener as (...args: unknown[]) => void);
  }

  /** Current state; `statechange` fires on each change. */
  get state(): DtlsState {
    return this.currentState;
  }

  /** Why the transport failed, once it has. */
  get failureReason(): string | undefined {
    return this.failure;
  }

  /** The negotiated SRTP profile (undefined if `use_srtp` was not agreed). */
  get srtpProfile(): SrtpProfileInfo | undefined {
    return this.negotiatedSrtpProfile;
  }

  /** The negotiated cipher suite, once known. */
  get cipherSuite(): CipherSuite | undefined {
    return this.negotiatedSuite;
  }

  /** The negotiated ECDHE group, once known. */
  get namedGroup(): DtlsNamedGroupName | undefined {
    return this.negotiatedGroup;
  }

  /** Whether RFC 7627's extended master secret is in use. */
  get extendedMasterSecret(): boolean {
    return this.useExtendedMasterSecret;
  }

  /** Sets (or replaces) the signalled fingerprints; checks an already received certificate. */
  setRemoteFingerprints(fingerprints: DtlsFingerprint[]): void {
    this.remoteFingerprints = fingerprints;
    if (this.peerCertificate && !matchesFingerprint(this.peerCertificate, fingerprints)) {
      this.fail(
        'remote certificate does not match the signalled fingerprint',
        AlertDescription.badCertificate,
      );
    }
  }

  /** The peer's leaf certificate in PEM, once received. */
  get remoteCertificatePem(): string | undefined {
    return this.peerCertificate ? certificateDerToPem(this.peerCertificate) : undefined;
  }

  /** The peer's leaf certificate in DER, once received. */
  get remoteCertificate(): Buffer | undefined {
    return this.peerCertificate;
  }

  /** Bytes held for handshake reassembly and records that arrived early (bounded). */
  get bufferedBytes(): number {
    let n = this.reassembler?.bufferedBytes ?? 0;
    for (const r of this.pendingRecords) n += r.length;
    return n;
  }

  /** Begins the handshake: a client sends its ClientHello; a server waits for one. */
  start(): void {
    if (this.currentState !== 'new') return;
    this.setState('connecting');
    if (this.role === 'client') {
      this.armHandshakeTimer();
      this.reassembler = new HandshakeReassembler();
      this.step = 'clientWaitServerHello';
      this.sendClientHello(new Uint8Array(0));
    } else {
      this.step = 'serverWaitClientHello';
    }
  }

  /**
   * Feeds one received datagram (which may hold several records). Never
   * throws: bad input is dropped and counted in `stats`.
   */
  handle(datagram: Uint8Array): void {
    if (this.currentState === 'closed' || this.currentState === 'failed') return;
    this.stats.datagramsReceived++;
    try {
      this.handleRecords(datagram);
    } catch (err) {
      // A bug must not escape the receive path; fail the handshake instead.
      this.fail(`internal error: ${(err as Error).message}`, AlertDescription.internalError);
    }
  }

  /**
   * Sends application data (split into records of at most 16 KiB). Returns
   * false when not connected.
   */
  send(data: Uint8Array): boolean {
    if (this.currentState !== 'connected' || !this.cipher) return false;
    if (data.length <= 16384) {
      this.sendDatagram(this.sealRecord(ContentType.applicationData, data));
      this.stats.applicationDataSent++;
      return true;
    }
    let off = 0;
    do {
      const chunk = data.subarray(off, Math.min(off + 16384, data.length));
      this.sendDatagram(this.sealRecord(ContentType.applicationData, chunk));
      this.stats.applicationDataSent++;
      off += 16384;
    } while (off < data.length);
    return true;
  }

  /** Sends close_notify (if connected) and stops. */
  close(): void {
    if (this.currentState === 'closed') return;
    if (this.currentState === 'connected') {
      this.sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
    }
    this.stopTimers();
    this.setState('closed');
  }

  /** RFC 5705 exporter (no context); available once connected. */
  exportKeyingMaterial(label: string, length: number): Buffer {
    if (
      this.currentState !== 'connected' ||
      !this.masterSecret ||
      !this.negotiatedSuite ||
      !this.remoteRandom
    ) {
      throw new Error('DTLS transport is not connected');
    }
    const [clientRandom, serverRandom] =
      this.role === 'client' ? [this.localRandom, this.remoteRandom] : [this.remoteRandom, this.localRandom];
    return Prf.exportKeyingMaterial(
      this.negotiatedSuite.prfHash,
      this.masterSecret,
      label,
      clientRandom,
      serverRandom,
      length,
    );
  }

  /** SRTP master keys and salts for both directions, per RFC 5764 §4.2; undefined without `use_srtp`. */
  getSrtpKeyingMaterial(): DtlsSrtpKeyingMaterial | undefined {
    const profile = this.negotiatedSrtpProfile;
    if (!profile) return undefined;
    const material = this.exportKeyingMaterial(DTLS_SRTP_EXPORTER_LABEL, srtpKeyingMaterialLength(profile));
    return srtpKeysForRole(material, profile, this.role);
  }

  // ---------------------------------------------------------------- records

  private handleRecords(buf: Uint8Array): void {
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
      if (epoch === 0) {
        this.handlePlainRecord(buf, type, seq, bodyOffset, bodyLength);
      } else if (epoch === 1) {
        this.handleProtectedRecord(buf, type, version, seq, bodyOffset, bodyLength);
      } else {
        this.stats.droppedRecords++;
      }
      if (this.currentState === 'closed' || this.currentState === 'failed') return;
    }
  }

  private handlePlainRecord(buf: Uint8Array, type: number, seq: number, off: number, len: number): void {
    const body = buf.subarray(off, off + len);
    switch (type) {
      case ContentType.handshake:
        this.handleHandshakeFragments(body, 0, seq);
        return;
      case ContentType.changeCipherSpec:
        // Epoch switches are driven by keys being ready; CCS only has to be well formed.
        if (len !== 1 || body[0] !== 1) this.stats.droppedRecords++;
        return;
      case ContentType.alert:
        // An unauthenticated alert may end a handshake, never an established session.
        if (this.currentState === 'connected') this.stats.droppedRecords++;
        else this.handleAlert(body);
        return;
      default:
        this.stats.droppedRecords++;
    }
  }

  private handleProtectedRecord(
    buf: Uint8Array,
    type: number,
    version: number,
    seq: number,
    off: number,
    len: number,
  ): void {
    const cipher = this.cipher;
    if (!cipher || (this.currentState !== 'connected' && type === ContentType.applicationData)) {
      // Records may outrun the flight that makes their keys (reordering): keep a few.
      if (
        this.currentState === 'connecting' &&
        this.reassembler &&
        this.pendingRecords.length < MAX_PENDING_RECORDS
      ) {
        const rec = Buffer.allocUnsafe(RECORD_HEADER_LENGTH + len);
        rec.set(buf.subarray(off - RECORD_HEADER_LENGTH, off + len));
        this.pendingRecords.push(rec);
      } else {
        this.stats.droppedRecords++;
      }
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
        this.emit('data', plaintext);
        return;
      case ContentType.handshake:
        this.handleHandshakeFragments(plaintext, 1, seq);
        return;
      case ContentType.alert:
        this.handleAlert(plaintext);
        return;
      default:
        return;
    }
  }

  private replayPendingRecords(): void {
    if (this.pendingRecords.length === 0) return;
    const pending = this.pendingRecords;
    this.pendingRecords = [];
    for (const rec of pending) {
      this.handleRecords(rec);
      if (this.currentState === 'failed' || this.currentState === 'closed') return;
    }
  }

  private sealRecord(type: number, payload: Uint8Array): Buffer {
    const epoch = this.sendEpoch;
    const seq = this.sendSeq[epoch]++;
    this.stats.recordsSent++;
    if (epoch === 0 || !this.cipher) return this.plainRecord(type, 0, seq, payload);
    return this.cipher.seal(type, DTLS_1_2, epoch, seq, payload);
  }

  private plainRecord(
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

  private sendAlert(level: number, description: number): void {
    try {
      this.sendDatagram(this.sealRecord(ContentType.alert, marshalAlert({ level, description })));
    } catch {
      // the carrier is gone; nothing more to tell the peer
    }
  }

  private handleAlert(body: Uint8Array): void {
    const alert = unmarshalAlert(body);
    if (!alert) {
      this.stats.droppedRecords++;
      return;
    }
    this.emit('alert', alert);
    if (alert.description === AlertDescription.closeNotify) {
      if (this.currentState === 'connected') this.sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
      this.stopTimers();
      this.setState('closed');
    } else if (alert.level === AlertLevel.fatal) {
      this.fail(`peer sent fatal alert ${alertName(alert.description)}`);
    }
  }

  // ------------------------------------------------------------ handshake

  private handleHandshakeFragments(data: Uint8Array, epoch: number, recordSeq: number): void {
    let off = 0;
    let sawOld = false;
    while (off < data.length) {
      const h = unmarshalHandshakeHeader(data, off);
      if (!h) {
        this.stats.droppedRecords++;
        return;
      }
      const fragment = data.subarray(
        off + HANDSHAKE_HEADER_LENGTH,
        off + HANDSHAKE_HEADER_LENGTH + h.fragmentLength,
      );
      off += HANDSHAKE_HEADER_LENGTH + h.fragmentLength;
      if (this.step === 'serverWaitClientHello' && !this.reassembler) {
        // Stateless until a ClientHello brings back our cookie.
        if (!this.checkCookie(h.type, h.fragmentOffset, h.messageSeq, fragment, recordSeq)) continue;
      }
      if (!this.reassembler) {
        this.stats.droppedRecords++;
        continue;
      }
      const r = this.reassembler.accept(h, fragment, epoch);
      if (r === 'old') sawOld = true;
      else if (r === 'dropped') this.stats.droppedRecords++;
    }
    if (sawOld) this.onPeerRetransmission();
    this.advance();
  }

  /**
   * Server, before any state exists: answers a cookie-less ClientHello with a
   * HelloVerifyRequest and returns false; returns true (and creates handshake
   * state) once a ClientHello's first fragment carries a valid cookie.
   */
  private checkCookie(
    type: number,
    fragmentOffset: number,
    messageSeq: number,
    fragment: Uint8Array,
    recordSeq: number,
  ): boolean {
    if (type !== HandshakeType.clientHello || fragmentOffset !== 0) {
      this.stats.droppedRecords++;
      return false;
    }
    const peek = peekClientHelloCookie(fragment);
    if (!peek) {
      this.stats.droppedRecords++;
      return false;
    }
    const random = fragment.subarray(peek.randomOffset, peek.randomOffset + 32);
    const cookie = fragment.subarray(peek.cookieOffset, peek.cookieOffset + peek.cookieLength);
    if (peek.cookieLength > 0 && this.cookies.verify(cookie, random, this.cookieContext)) {
      this.reassembler = new HandshakeReassembler();
      this.reassembler.minSeq = messageSeq;
      // A server's handshake clock starts with the first verified ClientHello.
      this.armHandshakeTimer();
      // Continue the record numbering the client has seen (the HVR reused its seq).
      this.sendSeq[0] = Math.max(this.sendSeq[0], recordSeq);
      this.nextSendMessageSeq = messageSeq;
      return true;
    }
    const hvr = marshalHelloVerifyRequest({
      version: DTLS_1_0,
      cookie: this.cookies.generate(random, this.cookieContext),
    });
    const payload = wrapHandshakeMessage(HandshakeType.helloVerifyRequest, 0, hvr);
    // RFC 6347 §4.2.1: echo the ClientHello's record sequence number.
    this.sendDatagram(this.plainRecord(ContentType.handshake, 0, recordSeq, payload, DTLS_1_0));
    this.stats.helloVerifyRequestsSent++;
    this.stats.recordsSent++;
    return false;
  }

  /** Runs the state machine as far as the buffered messages allow. */
  private advance(): void {
    if (!this.reassembler) return;
    try {
      for (;;) {
        let progressed = false;
        switch (this.step) {
          case 'clientWaitServerHello':
            progressed = this.clientOnServerFlight();
            break;
          case 'clientWaitServerFinished':
            progressed = this.clientOnServerFinished();
            break;
          case 'serverWaitClientHello':
            progressed = this.serverOnClientHello();
            break;
          case 'serverWaitClientKeyExchange':
            progressed = this.serverOnClientKeyExchange();
            break;
          case 'serverWaitClientFinished':
            progressed = this.serverOnClientFinished();
            break;
          case 'done':
            progressed = this.refuseRenegotiation();
            break;
          default:
            break;
        }
        if (!progressed || this.currentState === 'failed' || this.currentState === 'closed') return;
      }
    } catch (err) {
      if (err instanceof HandshakeFailure) this.fail(err.message, err.alert);
      else throw err;
    }
  }

  private take(seq: number, type: number): AssembledMessage | undefined {
    const m = this.reassembler?.get(seq);
    if (!m) return undefined;
    if (m.type !== type) {
      throw new HandshakeFailure(
        `unexpected handshake message ${m.type}`,
        AlertDescription.unexpectedMessage,
      );
    }
    return m;
  }

  private addToTranscript(m: { type: number; messageSeq: number; body: Uint8Array }): void {
    this.transcript.push(wrapHandshakeMessage(m.type, m.messageSeq, m.body));
  }

  private transcriptHash(): Buffer {
    const h = createHash(this.negotiatedSuite!.prfHash);
    for (const m of this.transcript) h.update(m);
    return h.digest();
  }

  // ---- client

  private sendClientHello(cookie: Uint8Array): void {
    const exts: RawExtension[] = [
      { type: ExtensionType.supportedGroups, data: marshalSupportedGroups(this.groupIds) },
      { type: ExtensionType.ecPointFormats, data: marshalEcPointFormats() },
      {
        type: ExtensionType.signatureAlgorithms,
        data: marshalSignatureAlgorithms(SUPPORTED_SIGNATURE_SCHEMES),
      },
      { type: ExtensionType.extendedMasterSecret, data: marshalExtendedMasterSecret() },
      { type: ExtensionType.renegotiationInfo, data: marshalRenegotiationInfo() },
    ];
    if (this.srtpProfileIds.length > 0) {
      exts.push({
        type: ExtensionType.useSrtp,
        data: marshalUseSrtp({ profiles: this.srtpProfileIds, mki: new Uint8Array(0) }),
      });
    }
    for (const e of this.clientHelloOverrides?.extensions ?? []) {
      const i = exts.findIndex((x) => x.type === e.type);
      if (i >= 0) exts[i] = e;
      else exts.push(e);
    }
    this.clientHelloBody = marshalClientHello({
      version: DTLS_1_2,
      random: this.localRandom,
      sessionId: new Uint8Array(0),
      cookie,
      cipherSuites: this.clientHelloOverrides?.cipherSuites ?? this.suiteIds,
      compressionMethods: [0],
      extensions: exts,
    });
    const seq = this.nextSendMessageSeq++;
    this.sendFlight([
      {
        kind: 'handshake',
        epoch: 0,
        type: HandshakeType.clientHello,
        messageSeq: seq,
        body: this.clientHelloBody,
      },
    ]);
  }

  /** Flight 2 (HelloVerifyRequest) or flight 4 (ServerHello … ServerHelloDone). */
  private clientOnServerFlight(): boolean {
    const r = this.reassembler!;
    const first = r.lowestComplete();
    if (!first) return false;
    if (first.type === HandshakeType.helloVerifyRequest) {
      const hvr = unmarshalHelloVerifyRequest(first.body);
      if (!hvr || hvr.cookie.length === 0)
        throw new HandshakeFailure('malformed HelloVerifyRequest', AlertDescription.decodeError);
      r.consumeThrough(first.messageSeq);
      this.sendClientHello(hvr.cookie);
      return true;
    }
    if (first.type !== HandshakeType.serverHello) return false;
    const s = first.messageSeq;
    const msgs: AssembledMessage[] = [first];
    for (let seq = s + 1; ; seq++) {
      const m = r.get(seq);
      if (!m) return false;
      msgs.push(m);
      if (m.type === HandshakeType.serverHelloDone) break;
      if (msgs.length > 5)
        throw new HandshakeFailure('unexpected message in server flight', AlertDescription.unexpectedMessage);
    }
    r.consumeThrough(msgs[msgs.length - 1].messageSeq);
    this.processServerFlight(msgs);
    return true;
  }

  private processServerFlight(msgs: AssembledMessage[]): void {
    const [shMsg, certMsg, skeMsg] = msgs;
    const crMsg = msgs.length === 5 ? msgs[3] : undefined;
    if (
      msgs.length < 4 ||
      certMsg.type !== HandshakeType.certificate ||
      skeMsg.type !== HandshakeType.serverKeyExchange ||
      (crMsg && crMsg.type !== HandshakeType.certificateRequest)
    ) {
      throw new HandshakeFailure('unexpected message in server flight', AlertDescription.unexpectedMessage);
    }
    const sh = unmarshalServerHello(shMsg.body);
    if (!sh) throw new HandshakeFailure('malformed ServerHello', AlertDescription.decodeError);
    if (sh.version !== DTLS_1_2)
      throw new HandshakeFailure(
        'server chose a version other than DTLS 1.2',
        AlertDescription.protocolVersion,
      );
    const suite = cipherSuiteById(sh.cipherSuite);
    if (!suite || !this.suiteIds.includes(sh.cipherSuite) || sh.compressionMethod !== 0) {
      throw new HandshakeFailure(
        'server chose a cipher suite we did not offer',
        AlertDescription.illegalParameter,
      );
    }
    this.negotiatedSuite = suite;
    this.remoteRandom = Buffer.from(sh.random);
    const reneg = findExtension(sh.extensions, ExtensionType.renegotiationInfo);
    if (reneg && !unmarshalRenegotiationInfo(reneg))
      throw new HandshakeFailure('bad renegotiation_info', AlertDescription.handshakeFailure);
    this.useExtendedMasterSecret =
      findExtension(sh.extensions, ExtensionType.extendedMasterSecret) !== undefined;
    const srtpExt = findExtension(sh.extensions, ExtensionType.useSrtp);
    if (srtpExt) {
      const v = unmarshalUseSrtp(srtpExt);
      if (v?.profiles.length !== 1 || !this.srtpProfileIds.includes(v.profiles[0])) {
        throw new HandshakeFailure(
          'server chose an SRTP profile we did not offer',
          AlertDescription.illegalParameter,
        );
      }
      this.negotiatedSrtpProfile = srtpProfileById(v.profiles[0]);
    }

    this.transcript = [];
    this.addToTranscript({
      type: HandshakeType.clientHello,
      messageSeq: this.nextSendMessageSeq - 1,
      body: this.clientHelloBody!,
    });
    for (const m of msgs) this.addToTranscript(m);

    this.acceptPeerCertificate(certMsg.body, suite.auth);

    const ske = unmarshalServerKeyExchange(skeMsg.body);
    if (!ske) throw new HandshakeFailure('malformed ServerKeyExchange', AlertDescription.decodeError);
    if (!this.groupIds.includes(ske.namedGroup))
      throw new HandshakeFailure('server chose a group we did not offer', AlertDescription.illegalParameter);
    if (signatureSchemeKeyType(ske.signatureScheme) !== suite.auth) {
      throw new HandshakeFailure(
        'ServerKeyExchange signature scheme does not fit the suite',
        AlertDescription.illegalParameter,
      );
    }
    const signed = Buffer.concat([
      this.localRandom,
      this.remoteRandom,
      marshalEcdheParams(ske.namedGroup, ske.publicKey),
    ]);
    if (!verifyWithScheme(ske.signatureScheme, this.peerKey!, signed, ske.signature)) {
      throw new HandshakeFailure(
        'ServerKeyExchange signature does not verify',
        AlertDescription.decryptError,
      );
    }
    this.negotiatedGroup = namedGroupName(ske.namedGroup);
    this.keyShare = generateKeyShare(ske.namedGroup)!;
    const preMaster = this.keyShare.computeSecret(ske.publicKey);
    if (!preMaster)
      throw new HandshakeFailure('invalid server ECDHE public key', AlertDescription.illegalParameter);

    if (crMsg) {
      const cr = unmarshalCertificateRequest(crMsg.body);
      if (!cr) throw new HandshakeFailure('malformed CertificateRequest', AlertDescription.decodeError);
      this.certificateRequested = true;
      this.clientCertSchemes = cr.signatureSchemes;
    }
    const shd = msgs[msgs.length - 1];
    if (!unmarshalServerHelloDone(shd.body))
      throw new HandshakeFailure('malformed ServerHelloDone', AlertDescription.decodeError);

    // Flight 5
    const items: FlightItem[] = [];
    const push = (type: number, body: Buffer, epoch = 0) => {
      const m = { kind: 'handshake' as const, epoch, type, messageSeq: this.nextSendMessageSeq++, body };
      items.push(m);
      this.addToTranscript(m);
    };
    if (this.certificateRequested) {
      push(HandshakeType.certificate, marshalCertificate({ certificates: [...this.certificate.chain] }));
    }
    push(HandshakeType.clientKeyExchange, marshalClientKeyExchange({ publicKey: this.keyShare.publicKey }));
    this.deriveKeys(preMaster);
    if (this.certificateRequested) {
      const scheme = chooseSignatureScheme(
        this.certificate.keyType,
        this.clientCertSchemes,
        this.certificate.curve,
      );
      if (scheme === undefined)
        throw new HandshakeFailure(
          'no signature scheme fits our certificate',
          AlertDescription.handshakeFailure,
        );
      const signature = signWithScheme(scheme, this.certificate.privateKey, Buffer.concat(this.transcript));
      push(HandshakeType.certificateVerify, marshalCertificateVerify({ signatureScheme: scheme, signature }));
    }
    items.push({ kind: 'changeCipherSpec' });
    const verify = Prf.verifyData(suite.prfHash, this.masterSecret!, true, this.transcriptHash());
    push(HandshakeType.finished, marshalFinished(verify), 1);
    this.step = 'clientWaitServerFinished';
    this.sendFlight(items);
    this.replayPendingRecords();
  }

  private clientOnServerFinished(): boolean {
    const r = this.reassembler!;
    const m = this.take(r.minSeq, HandshakeType.finished);
    if (!m) return false;
    r.consumeThrough(m.messageSeq);
    this.checkFinished(m, false);
    this.addToTranscript(m);
    this.onConnected();
    return true;
  }

  // ---- server

  private serverOnClientHello(): boolean {
    const r = this.reassembler!;
    const m = this.take(r.minSeq, HandshakeType.clientHello);
    if (!m) return false;
    r.consumeThrough(m.messageSeq);
    const ch = unmarshalClientHello(m.body);
    if (!ch) throw new HandshakeFailure('malformed ClientHello', AlertDescription.decodeError);
    // DTLS versions count down: 0xfefd (1.2) < 0xfeff (1.0).
    if (ch.version > DTLS_1_2) {
      throw new HandshakeFailure('client does not offer DTLS 1.2', AlertDescription.protocolVersion);
    }
    if (!ch.compressionMethods.includes(0))
      throw new HandshakeFailure('no null compression', AlertDescription.illegalParameter);
    this.remoteRandom = Buffer.from(ch.random);

    // Unknown extensions, groups and schemes (DTLS 1.3 key shares, PQ hybrids…) are skipped.
    const groupsExt = findExtension(ch.extensions, ExtensionType.supportedGroups);
    const clientGroups = groupsExt ? unmarshalSupportedGroups(groupsExt) : undefined;
    if (groupsExt && !clientGroups)
      throw new HandshakeFailure('malformed supported_groups', AlertDescription.decodeError);
    const group = this.groupIds.find((g) => !clientGroups || clientGroups.includes(g));
    if (group === undefined)
      throw new HandshakeFailure('no common ECDHE group', AlertDescription.handshakeFailure);
    const pfExt = findExtension(ch.extensions, ExtensionType.ecPointFormats);
    if (pfExt) {
      const formats = unmarshalEcPointFormats(pfExt);
      if (!formats?.includes(EC_POINT_FORMAT_UNCOMPRESSED))
        throw new HandshakeFailure('no uncompressed points', AlertDescription.illegalParameter);
    }
    const sigExt = findExtension(ch.extensions, ExtensionType.signatureAlgorithms);
    const clientSchemes = sigExt ? unmarshalSignatureAlgorithms(sigExt) : undefined;
    if (sigExt && !clientSchemes)
      throw new HandshakeFailure('malformed signature_algorithms', AlertDescription.decodeError);
    const scheme = chooseSignatureScheme(
      this.certificate.keyType,
      clientSchemes ?? SUPPORTED_SIGNATURE_SCHEMES,
      this.certificate.curve,
    );
    if (scheme === undefined)
      throw new HandshakeFailure(
        'no signature scheme fits our certificate',
        AlertDescription.handshakeFailure,
      );
    const suiteId = this.suiteIds.find(
      (id) => ch.cipherSuites.includes(id) && cipherSuiteById(id)!.auth === this.certificate.keyType,
    );
    if (suiteId === undefined)
      throw new HandshakeFailure('no common cipher suite', AlertDescription.handshakeFailure);
    const suite = cipherSuiteById(suiteId)!;
    this.negotiatedSuite = suite;

    const exts: RawExtension[] = [];
    const reneg = findExtension(ch.extensions, ExtensionType.renegotiationInfo);
    if (reneg && !unmarshalRenegotiationInfo(reneg))
      throw new HandshakeFailure('bad renegotiation_info', AlertDescription.handshakeFailure);
    if (reneg || ch.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV)) {
      exts.push({ type: ExtensionType.renegotiationInfo, data: marshalRenegotiationInfo() });
    }
    const ems = findExtension(ch.extensions, ExtensionType.extendedMasterSecret);
    this.useExtendedMasterSecret = ems !== undefined && unmarshalExtendedMasterSecret(ems);
    if (this.useExtendedMasterSecret)
      exts.push({ type: ExtensionType.extendedMasterSecret, data: marshalExtendedMasterSecret() });
    const srtpExt = findExtension(ch.extensions, ExtensionType.useSrtp);
    if (srtpExt) {
      const offer = unmarshalUseSrtp(srtpExt);
      if (!offer) throw new HandshakeFailure('malformed use_srtp', AlertDescription.decodeError);
      const chosen = this.srtpProfileIds.find((id) => offer.profiles.includes(id));
      if (chosen !== undefined) {
        this.negotiatedSrtpProfile = srtpProfileById(chosen);
        exts.push({
          type: ExtensionType.useSrtp,
          data: marshalUseSrtp({ profiles: [chosen], mki: new Uint8Array(0) }),
        });
      }
    }
    if (pfExt) exts.push({ type: ExtensionType.ecPointFormats, data: marshalEcPointFormats() });

    this.negotiatedGroup = namedGroupName(group);
    this.keyShare = generateKeyShare(group)!;
    this.transcript = [];
    this.addToTranscript(m);

    const items: FlightItem[] = [];
    const push = (type: number, body: Buffer) => {
      const msg = { kind: 'handshake' as const, epoch: 0, type, messageSeq: this.nextSendMessageSeq++, body };
      items.push(msg);
      this.addToTranscript(msg);
    };
    push(
      HandshakeType.serverHello,
      marshalServerHello({
        version: DTLS_1_2,
        random: this.localRandom,
        sessionId: new Uint8Array(0),
        cipherSuite: suite.id,
        compressionMethod: 0,
        extensions: exts,
      }),
    );
    push(HandshakeType.certificate, marshalCertificate({ certificates: [...this.certificate.chain] }));
    const params = marshalEcdheParams(group, this.keyShare.publicKey);
    const signature = signWithScheme(
      scheme,
      this.certificate.privateKey,
      Buffer.concat([this.remoteRandom, this.localRandom, params]),
    );
    push(
      HandshakeType.serverKeyExchange,
      marshalServerKeyExchange({
        namedGroup: group,
        publicKey: this.keyShare.publicKey,
        signatureScheme: scheme,
        signature,
      }),
    );
    if (this.requestClientCertificate) {
      this.certificateRequested = true;
      push(
        HandshakeType.certificateRequest,
        marshalCertificateRequest({
          certificateTypes: [ClientCertificateType.ecdsaSign, ClientCertificateType.rsaSign],
          signatureSchemes: [...SUPPORTED_SIGNATURE_SCHEMES],
        }),
      );
    }
    push(HandshakeType.serverHelloDone, marshalServerHelloDone());
    this.step = 'serverWaitClientKeyExchange';
    this.sendFlight(items);
    return true;
  }

  private serverOnClientKeyExchange(): boolean {
    const r = this.reassembler!;
    let seq = r.minSeq;
    let certMsg: AssembledMessage | undefined;
    if (this.certificateRequested) {
      certMsg = this.take(seq, HandshakeType.certificate);
      if (!certMsg) return false;
      seq++;
    }
    const ckeMsg = this.take(seq, HandshakeType.clientKeyExchange);
    if (!ckeMsg) return false;
    let clientCertificates: Uint8Array[] = [];
    if (certMsg) {
      const c = unmarshalCertificate(certMsg.body);
      if (!c) throw new HandshakeFailure('malformed client Certificate', AlertDescription.decodeError);
      clientCertificates = c.certificates;
    }
    let cvMsg: AssembledMessage | undefined;
    if (clientCertificates.length > 0) {
      cvMsg = this.take(seq + 1, HandshakeType.certificateVerify);
      if (!cvMsg) return false;
    }
    r.consumeThrough((cvMsg ?? ckeMsg).messageSeq);

    if (certMsg) this.addToTranscript(certMsg);
    if (clientCertificates.length > 0) {
      this.acceptPeerCertificate(certMsg!.body, undefined);
    } else if (this.remoteFingerprints) {
      throw new HandshakeFailure('client sent no certificate', AlertDescription.handshakeFailure);
    }
    const cke = unmarshalClientKeyExchange(ckeMsg.body);
    if (!cke) throw new HandshakeFailure('malformed ClientKeyExchange', AlertDescription.decodeError);
    this.addToTranscript(ckeMsg);
    const preMaster = this.keyShare!.computeSecret(cke.publicKey);
    if (!preMaster)
      throw new HandshakeFailure('invalid client ECDHE public key', AlertDescription.illegalParameter);
    this.deriveKeys(preMaster);
    if (cvMsg) {
      const cv = unmarshalCertificateVerify(cvMsg.body);
      if (!cv) throw new HandshakeFailure('malformed CertificateVerify', AlertDescription.decodeError);
      if (
        !verifyWithScheme(cv.signatureScheme, this.peerKey!, Buffer.concat(this.transcript), cv.signature)
      ) {
        throw new HandshakeFailure('CertificateVerify does not verify', AlertDescription.decryptError);
      }
      this.addToTranscript(cvMsg);
    }
    this.step = 'serverWaitClientFinished';
    this.replayPendingRecords();
    return true;
  }

  private serverOnClientFinished(): boolean {
    const r = this.reassembler!;
    const m = this.take(r.minSeq, HandshakeType.finished);
    if (!m) return false;
    r.consumeThrough(m.messageSeq);
    this.checkFinished(m, true);
    this.addToTranscript(m);
    const verify = Prf.verifyData(
      this.negotiatedSuite!.prfHash,
      this.masterSecret!,
      false,
      this.transcriptHash(),
    );
    const fin = {
      kind: 'handshake' as const,
      epoch: 1,
      type: HandshakeType.finished,
      messageSeq: this.nextSendMessageSeq++,
      body: marshalFinished(verify),
    };
    this.addToTranscript(fin);
    // Flight 6 is the last: no timer; it is resent when flight 5 is.
    this.sendFlight([{ kind: 'changeCipherSpec' }, fin], false);
    this.onConnected();
    return true;
  }

  // ---- shared

  /** After the handshake, a new ClientHello / HelloRequest gets no_renegotiation (RFC 5746 §4.2). */
  private refuseRenegotiation(): boolean {
    if (this.currentState !== 'connected') return false;
    const r = this.reassembler!;
    const m = r.get(r.minSeq);
    if (!m) return false;
    r.consumeThrough(m.messageSeq);
    if (m.epoch === 1 && (m.type === HandshakeType.clientHello || m.type === HandshakeType.helloRequest)) {
      this.sendAlert(AlertLevel.warning, AlertDescription.noRenegotiation);
    } else {
      this.stats.droppedRecords++;
    }
    return true;
  }

  private acceptPeerCertificate(body: Uint8Array, expectedKeyType: 'ecdsa' | 'rsa' | undefined): void {
    const msg = unmarshalCertificate(body);
    if (!msg || msg.certificates.length === 0)
      throw new HandshakeFailure('peer sent no certificate', AlertDescription.badCertificate);
    const der = Buffer.from(msg.certificates[0]);
    if (this.remoteFingerprints && !matchesFingerprint(der, this.remoteFingerprints)) {
      throw new HandshakeFailure(
        'remote certificate does not match the signalled fingerprint',
        AlertDescription.badCertificate,
      );
    }
    const key = certificatePublicKey(der);
    if (!key)
      throw new HandshakeFailure('peer certificate cannot be parsed', AlertDescription.badCertificate);
    const kt = key.asymmetricKeyType === 'ec' ? 'ecdsa' : key.asymmetricKeyType === 'rsa' ? 'rsa' : undefined;
    if (!kt || (expectedKeyType && kt !== expectedKeyType)) {
      throw new HandshakeFailure(
        'peer certificate key does not fit the suite',
        AlertDescription.unsupportedCertificate,
      );
    }
    this.peerCertificate = der;
    this.peerKey = key;
  }

  private deriveKeys(preMaster: Buffer): void {
    const suite = this.negotiatedSuite!;
    const [clientRandom, serverRandom] =
      this.role === 'client'
        ? [this.localRandom, this.remoteRandom!]
        : [this.remoteRandom!, this.localRandom];
    this.masterSecret = this.useExtendedMasterSecret
      ? Prf.extendedMasterSecret(suite.prfHash, preMaster, this.transcriptHash())
      : Prf.masterSecret(suite.prfHash, preMaster, clientRandom, serverRandom);
    const k = suite.keyLength;
    const iv = suite.fixedIvLength;
    const block = Prf.keyBlock(suite.prfHash, this.masterSecret, clientRandom, serverRandom, 2 * k + 2 * iv);
    const clientKey = block.subarray(0, k);
    const serverKey = block.subarray(k, 2 * k);
    const clientIv = block.subarray(2 * k, 2 * k + iv);
    const serverIv = block.subarray(2 * k + iv, 2 * k + 2 * iv);
    this.cipher =
      this.role === 'client'
        ? suite.createCipher(clientKey, clientIv, serverKey, serverIv)
        : suite.createCipher(serverKey, serverIv, clientKey, clientIv);
  }

  private checkFinished(m: AssembledMessage, fromClient: boolean): void {
    if (m.epoch !== 1)
      throw new HandshakeFailure('Finished was not protected', AlertDescription.unexpectedMessage);
    const got = unmarshalFinished(m.body);
    const want = Prf.verifyData(
      this.negotiatedSuite!.prfHash,
      this.masterSecret!,
      fromClient,
      this.transcriptHash(),
    );
    if (!got || !want.equals(got))
      throw new HandshakeFailure('Finished verify_data mismatch', AlertDescription.decryptError);
  }

  private onConnected(): void {
    this.step = 'done';
    if (this.retransmitTimer) clearTimeout(this.retransmitTimer);
    this.retransmitTimer = undefined;
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.keyShare = undefined;
    if (this.role === 'client') this.flight = [];
    this.setState('connected');
    this.replayPendingRecords();
  }

  // ------------------------------------------------------- flights, timers

  private sendFlight(items: FlightItem[], withTimer = true): void {
    this.flight = items;
    this.retransmitMs = this.initialRetransmitMs;
    this.transmitFlight();
    if (this.retransmitTimer) clearTimeout(this.retransmitTimer);
    this.retransmitTimer = undefined;
    if (withTimer) this.armRetransmitTimer();
  }

  private transmitFlight(): void {
    const overhead = (epoch: number) => (epoch === 0 ? 0 : (this.cipher?.overhead ?? 0));
    // CCS switches our write epoch mid-flight; restore it so a resend starts in epoch 0.
    const startEpoch = this.sendEpoch;
    this.sendEpoch = 0;
    const datagrams = packFlight(this.flight, this.mtu, overhead, (type, epoch, payload) => {
      this.sendEpoch = epoch;
      const rec = this.sealRecord(type, payload);
      if (type === ContentType.changeCipherSpec) this.sendEpoch = 1;
      return rec;
    });
    if (!this.flight.some((i) => i.kind === 'changeCipherSpec')) this.sendEpoch = startEpoch;
    this.lastFlightSentAt = Date.now();
    for (const d of datagrams) this.sendDatagram(d);
  }

  private armHandshakeTimer(): void {
    if (this.handshakeTimer) return;
    this.handshakeTimer = setTimeout(() => this.fail('handshake timeout'), this.handshakeTimeoutMs);
    this.handshakeTimer.unref?.();
  }

  private armRetransmitTimer(): void {
    this.retransmitTimer = setTimeout(() => this.onRetransmitTimer(), this.retransmitMs);
    this.retransmitTimer.unref?.();
  }

  private onRetransmitTimer(): void {
    this.retransmitTimer = undefined;
    if (this.currentState !== 'connecting' || this.flight.length === 0) return;
    this.retransmitMs = Math.min(this.retransmitMs * 2, this.maxRetransmitMs);
    this.stats.retransmissions++;
    try {
      this.transmitFlight();
    } catch (err) {
      // A throwing `send` must not become an uncaught exception in a timer.
      this.fail(`send failed: ${(err as Error).message}`);
      return;
    }
    this.armRetransmitTimer();
  }

  /** The peer resent its previous flight, so ours was lost: resend it (rate-limited). */
  private onPeerRetransmission(): void {
    if (this.flight.length === 0) return;
    if (Date.now() - this.lastFlightSentAt < this.initialRetransmitMs / 2) return;
    this.stats.retransmissions++;
    this.transmitFlight();
  }

  private stopTimers(): void {
    if (this.retransmitTimer) clearTimeout(this.retransmitTimer);
    if (this.handshakeTimer) clearTimeout(this.handshakeTimer);
    this.retransmitTimer = undefined;
    this.handshakeTimer = undefined;
  }

  private fail(reason: string, alert?: number): void {
    if (this.currentState === 'failed' || this.currentState === 'closed') return;
    if (alert !== undefined) this.sendAlert(AlertLevel.fatal, alert);
    this.stopTimers();
    this.step = 'done';
    this.failure = reason;
    this.setState('failed');
    if (this.listenerCount('error') > 0) this.emit('error', new Error(reason));
  }

  private setState(state: DtlsState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('statechange', state);
  }
}
