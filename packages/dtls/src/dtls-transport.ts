import { EventEmitter } from 'node:events';
import { type SrtpProfileInfo, srtpKeyingMaterialLength } from '@tsfu/srtp';
import { type Alert, AlertDescription, AlertLevel, alertName, unmarshalAlert } from './alert.js';
import type { CipherSuite } from './cipher-suite/cipher-suite.js';
import { exportKeyingMaterial } from './crypto/key-schedule.js';
import type { DtlsNamedGroupName } from './crypto/named-group.js';
import { certificateDerToPem, type DtlsCertificate } from './dtls-certificate.js';
import { createStats, type DtlsState, type DtlsTransportStats } from './dtls-state.js';
import { type DtlsTransportOptions, resolveHandshakeConfig } from './dtls-transport-options.js';
import { type DtlsFingerprint, matchesFingerprint } from './fingerprint.js';
import { Handshaker } from './handshaker/handshaker.js';
import { RecordLayer } from './record/record-layer.js';
import {
  DTLS_SRTP_EXPORTER_LABEL,
  type DtlsSrtpKeyingMaterial,
  srtpKeysForRole,
} from './srtp-keying-material.js';

export type { DtlsState, DtlsTransportStats } from './dtls-state.js';
export type { DtlsTransportOptions } from './dtls-transport-options.js';

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

/**
 * A DTLS 1.2 endpoint (RFC 6347) over any datagram carrier: feed it received
 * datagrams with `handle`, and it sends through the `send` callback. Does the
 * full ECDHE handshake with cookie exchange, fragmentation, retransmission and
 * mutual certificate authentication against signalled fingerprints, then
 * carries application data and exports DTLS-SRTP keys (RFC 5764).
 *
 * The façade over a `RecordLayer` (records, epochs, protection, anti-replay)
 * and a `Handshaker` (the flight state machine); it owns the connection state
 * and the events.
 */
export class DtlsTransport extends EventEmitter {
  readonly role: 'client' | 'server';
  readonly certificate: DtlsCertificate;
  readonly stats: DtlsTransportStats = createStats();

  private currentState: DtlsState = 'new';
  private failure: string | undefined;
  private readonly records: RecordLayer;
  private readonly handshaker: Handshaker;

  constructor(options: DtlsTransportOptions) {
    super();
    this.role = options.role;
    this.certificate = options.certificate;
    const config = resolveHandshakeConfig(options);
    this.records = new RecordLayer(this.stats, options.send, {
      connectionState: () => this.currentState,
      holdsEarlyRecords: () => this.currentState === 'connecting' && this.handshaker.hasState,
      onHandshake: (body, epoch, seq) => this.handshaker.onHandshakeRecord(body, epoch, seq),
      onAlert: (body) => this.handleAlert(body),
      onApplicationData: (data) => this.emit('data', data),
    });
    const host = {
      connectionState: () => this.currentState,
      fail: (reason: string, alert?: number) => this.fail(reason, alert),
      onHandshakeComplete: () => this.setState('connected'),
    };
    this.handshaker = new Handshaker(config, this.records, this.stats, host, options.remoteFingerprints);
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
    return this.handshaker.ctx.srtpProfile;
  }

  /** The negotiated cipher suite, once known. */
  get cipherSuite(): CipherSuite | undefined {
    return this.handshaker.ctx.suite;
  }

  /** The negotiated ECDHE group, once known. */
  get namedGroup(): DtlsNamedGroupName | undefined {
    return this.handshaker.ctx.group;
  }

  /** Whether RFC 7627's extended master secret is in use. */
  get extendedMasterSecret(): boolean {
    return this.handshaker.ctx.extendedMasterSecret;
  }

  /** Sets (or replaces) the signalled fingerprints; checks an already received certificate. */
  setRemoteFingerprints(fingerprints: DtlsFingerprint[]): void {
    const ctx = this.handshaker.ctx;
    ctx.remoteFingerprints = fingerprints;
    if (ctx.peerCertificate && !matchesFingerprint(ctx.peerCertificate, fingerprints)) {
      this.fail(
        'remote certificate does not match the signalled fingerprint',
        AlertDescription.badCertificate,
      );
    }
  }

  /** The peer's leaf certificate in PEM, once received. */
  get remoteCertificatePem(): string | undefined {
    const der = this.handshaker.ctx.peerCertificate;
    return der ? certificateDerToPem(der) : undefined;
  }

  /** The peer's leaf certificate in DER, once received. */
  get remoteCertificate(): Buffer | undefined {
    return this.handshaker.ctx.peerCertificate;
  }

  /** Bytes held for handshake reassembly and records that arrived early (bounded). */
  get bufferedBytes(): number {
    return this.handshaker.bufferedBytes + this.records.pendingBytes;
  }

  /** Begins the handshake: a client sends its ClientHello; a server waits for one. */
  start(): void {
    if (this.currentState !== 'new') return;
    this.setState('connecting');
    this.handshaker.start();
  }

  /**
   * Feeds one received datagram (which may hold several records). Never
   * throws: bad input is dropped and counted in `stats`.
   */
  handle(datagram: Uint8Array): void {
    if (this.currentState === 'closed' || this.currentState === 'failed') return;
    this.stats.datagramsReceived++;
    try {
      this.records.receive(datagram);
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
    if (this.currentState !== 'connected' || !this.records.cipher) return false;
    this.records.sendApplicationData(data);
    return true;
  }

  /** Sends close_notify (if connected) and stops. */
  close(): void {
    if (this.currentState === 'closed') return;
    if (this.currentState === 'connected') {
      this.records.sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
    }
    this.handshaker.stop();
    this.setState('closed');
  }

  /** RFC 5705 exporter (no context); available once connected. */
  exportKeyingMaterial(label: string, length: number): Buffer {
    const { masterSecret, suite, remoteRandom } = this.handshaker.ctx;
    if (this.currentState !== 'connected' || !masterSecret || !suite || !remoteRandom) {
      throw new Error('DTLS transport is not connected');
    }
    return exportKeyingMaterial(suite, masterSecret, this.handshaker.ctx.randoms, label, length);
  }

  /** SRTP master keys and salts for both directions, per RFC 5764 §4.2; undefined without `use_srtp`. */
  getSrtpKeyingMaterial(): DtlsSrtpKeyingMaterial | undefined {
    const profile = this.handshaker.ctx.srtpProfile;
    if (!profile) return undefined;
    const material = this.exportKeyingMaterial(DTLS_SRTP_EXPORTER_LABEL, srtpKeyingMaterialLength(profile));
    return srtpKeysForRole(material, profile, this.role);
  }

  private handleAlert(body: Uint8Array): void {
    const alert = unmarshalAlert(body);
    if (!alert) {
      this.stats.droppedRecords++;
      return;
    }
    this.emit('alert', alert);
    if (alert.description === AlertDescription.closeNotify) {
      if (this.currentState === 'connected') {
        this.records.sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
      }
      this.handshaker.stop();
      this.setState('closed');
    } else if (alert.level === AlertLevel.fatal) {
      this.fail(`peer sent fatal alert ${alertName(alert.description)}`);
    }
  }

  private fail(reason: string, alert?: number): void {
    if (this.currentState === 'failed' || this.currentState === 'closed') return;
    if (alert !== undefined) this.records.sendAlert(AlertLevel.fatal, alert);
    this.handshaker.stop();
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
