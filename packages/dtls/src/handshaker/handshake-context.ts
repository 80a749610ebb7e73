import { createHash, type KeyObject, randomBytes } from 'node:crypto';
import type { SrtpProfileInfo } from '@tsfu/srtp';
import { AlertDescription } from '../alert.js';
import type { CipherSuite } from '../cipher-suite/cipher-suite.js';
import { certificatePublicKey } from '../crypto/certificate-public-key.js';
import {
  computeMasterSecret,
  createRecordCipher,
  deriveRecordKeys,
  type SessionRandoms,
} from '../crypto/key-schedule.js';
import type { DtlsNamedGroupName, EcdheKeyShare } from '../crypto/named-group.js';
import * as Prf from '../crypto/prf.js';
import type { RawExtension } from '../extension/extension.js';
import { type DtlsFingerprint, matchesFingerprint } from '../fingerprint.js';
import type { FlightItem } from '../flight/flight.js';
import type { AssembledMessage, HandshakeReassembler } from '../flight/handshake-reassembler.js';
import { unmarshalCertificate } from '../handshake/certificate.js';
import { unmarshalFinished } from '../handshake/finished.js';
import { wrapHandshakeMessage } from '../handshake/handshake-header.js';
import type { RecordLayer } from '../record/record-layer.js';
import type { HandshakeConfig } from './handshake-config.js';
import { HandshakeFailure } from './handshake-failure.js';

/** What the server chose from a ClientHello (flight 0), for its flight 4. */
export interface ServerChoice {
  group: number;
  signatureScheme: number;
  extensions: RawExtension[];
}

/**
 * Everything one handshake negotiates and remembers (pion's `State`), shared
 * by the flight handlers, plus the helpers they all use: the transcript,
 * taking messages in order, checking the peer's certificate and Finished,
 * and turning the pre-master secret into record keys.
 */
export class HandshakeContext {
  /** Created on start (client) or when a cookie verifies (server): before that there is no state. */
  reassembler: HandshakeReassembler | undefined;
  readonly localRandom: Buffer = randomBytes(32);
  remoteRandom: Buffer | undefined;
  transcript: Buffer[] = [];
  nextSendMessageSeq = 0;
  keyShare: EcdheKeyShare | undefined;
  /** Client: the ECDHE output between reading flight 4 and writing flight 5. */
  preMasterSecret: Buffer | undefined;
  masterSecret: Buffer | undefined;
  suite: CipherSuite | undefined;
  group: DtlsNamedGroupName | undefined;
  extendedMasterSecret = false;
  srtpProfile: SrtpProfileInfo | undefined;
  peerCertificate: Buffer | undefined;
  peerKey: KeyObject | undefined;
  certificateRequested = false;
  /** Client: the schemes the server's CertificateRequest accepts. */
  clientCertSchemes: number[] = [];
  /** Client: our latest ClientHello, where the transcript starts. */
  clientHelloBody: Buffer | undefined;
  /** Client: the cookie of the latest HelloVerifyRequest (empty before one). */
  cookie: Uint8Array = new Uint8Array(0);
  /** Server: flight 0's choices for flight 4. */
  serverChoice: ServerChoice | undefined;

  constructor(
    readonly config: HandshakeConfig,
    readonly records: RecordLayer,
    public remoteFingerprints: DtlsFingerprint[] | undefined,
  ) {}

  get randoms(): SessionRandoms {
    const remote = this.remoteRandom ?? Buffer.alloc(0);
    return this.config.role === 'client'
      ? { clientRandom: this.localRandom, serverRandom: remote }
      : { clientRandom: remote, serverRandom: this.localRandom };
  }

  /** The reassembler; handlers run only once it exists. */
  get messages(): HandshakeReassembler {
    if (!this.reassembler) throw new Error('no handshake state');
    return this.reassembler;
  }

  /** The negotiated suite; handlers past the hellos run only once it is known. */
  get cipherSuite(): CipherSuite {
    if (!this.suite) throw new Error('no cipher suite yet');
    return this.suite;
  }

  /** The complete message `seq` if it is there; it must be of `type`. */
  take(seq: number, type: number): AssembledMessage | undefined {
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

  addToTranscript(m: { type: number; messageSeq: number; body: Uint8Array }): void {
    this.transcript.push(wrapHandshakeMessage(m.type, m.messageSeq, m.body));
  }

  transcriptHash(): Buffer {
    const h = createHash(this.cipherSuite.prfHash);
    for (const m of this.transcript) h.update(m);
    return h.digest();
  }

  /** One of our handshake messages, numbered and added to the transcript. */
  message(type: number, body: Buffer, epoch = 0): FlightItem {
    const m = { kind: 'handshake' as const, epoch, type, messageSeq: this.nextSendMessageSeq++, body };
    this.addToTranscript(m);
    return m;
  }

  /** Checks the peer's leaf certificate against the signalled fingerprints and the suite. */
  acceptPeerCertificate(body: Uint8Array, expectedKeyType: 'ecdsa' | 'rsa' | undefined): void {
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

  /** Master secret (EMS when agreed: the transcript so far is the session hash), then the epoch-1 cipher. */
  deriveKeys(preMaster: Buffer): void {
    const suite = this.cipherSuite;
    const randoms = this.randoms;
    const sessionHash = this.extendedMasterSecret ? this.transcriptHash() : undefined;
    this.masterSecret = computeMasterSecret(suite, preMaster, randoms, sessionHash);
    const keys = deriveRecordKeys(suite, this.masterSecret, randoms);
    this.records.cipher = createRecordCipher(suite, keys, this.config.role);
  }

  /** Finished.verify_data over the transcript so far. */
  verifyData(fromClient: boolean): Buffer {
    if (!this.masterSecret) throw new Error('no master secret yet');
    return Prf.verifyData(this.cipherSuite.prfHash, this.masterSecret, fromClient, this.transcriptHash());
  }

  /** The peer's Finished must come protected and carry the verify_data we expect. */
  checkFinished(m: AssembledMessage, fromClient: boolean): void {
    if (m.epoch !== 1)
      throw new HandshakeFailure('Finished was not protected', AlertDescription.unexpectedMessage);
    const got = unmarshalFinished(m.body);
    const want = this.verifyData(fromClient);
    if (!got || !want.equals(got))
      throw new HandshakeFailure('Finished verify_data mismatch', AlertDescription.decryptError);
  }
}
