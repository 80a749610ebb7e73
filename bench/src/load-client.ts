/**
 * The load generator's and receivers' endpoints, built from tsfu's own
 * packages (ICE controlling agent, DTLS client, SRTP) like
 * `@tsfu/sfu/testing`'s SyntheticWebRtcClient, plus what a benchmark needs:
 * a choice of SRTP profile (the DTLS client offers only that one), raw SRTP
 * or plain endpoints for the relay baselines, and receive counting with
 * sampled latency (the sender writes `process.hrtime` in µs into the last 8
 * bytes of each payload; a receiver decrypts one packet in `sampleEvery`).
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { DtlsCertificate, DtlsTransport } from '@tsfu/dtls';
import {
  randomIceString,
  StunAttr,
  StunClass,
  StunMessageWriter,
  StunMethod,
  shortTermKey,
} from '@tsfu/ice-lite';
import { serializeTransportCc } from '@tsfu/rtp';
import { TransportCcRecorder } from '@tsfu/sfu/internal';
import { SrtpContext, type SrtpCryptoSuite } from '@tsfu/srtp';

export interface IceDtlsInfo {
  iceParameters: { usernameFragment: string; password: string };
  iceCandidates: Array<{ protocol: string; address: string; port: number }>;
  dtlsParameters: { fingerprints: Array<{ algorithm: string; value: string }> };
}

export interface SrtpKeys {
  profile: SrtpCryptoSuite;
  masterKey: number[];
  masterSalt: number[];
}

export function nowUs(): number {
  return Number(process.hrtime.bigint()) / 1000;
}

let certificate: Promise<DtlsCertificate> | undefined;

export async function bindSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  try {
    socket.setRecvBufferSize(4 << 20);
    socket.setSendBufferSize(4 << 20);
  } catch {
    // not permitted: keep the default
  }
  return socket;
}

/** One endpoint: a socket, optional SRTP contexts, receive counters and latency samples. */
export class LoadEndpoint {
  received = 0;
  /** Latency samples in µs (one per `sampleEvery` received packets). */
  readonly samples: number[] = [];
  sampleEvery = 16;
  remotePort = 0;
  remoteAddress = '127.0.0.1';
  srtpSend: SrtpContext | undefined;
  srtpRecv: SrtpContext | undefined;
  private dtls: DtlsTransport | undefined;
  private stunTimer: NodeJS.Timeout | undefined;
  private iceUp = false;
  private readonly plain = Buffer.allocUnsafe(2048);
  private readonly stunWriter = new StunMessageWriter(new Uint8Array(548));
  private readonly localUfrag = randomIceString(8);
  /** Transport-cc: the extension id to read arrivals from (0: off) and what becomes the feedback. */
  private twccExtId = 0;
  private twcc: TransportCcRecorder | undefined;
  private twccTimer: NodeJS.Timeout | undefined;
  private twccFbCount = 0;
  private twccMediaSsrc = 0;
  private readonly rtcpOut = Buffer.allocUnsafe(1500);
  /** The transport-wide sequence number this endpoint writes into what it sends (when stamping). */
  twccSendSeq = 0;

  private constructor(readonly socket: Socket) {
    socket.on('message', (msg) => this.onDatagram(msg));
  }

  static async create(): Promise<LoadEndpoint> {
    return new LoadEndpoint(await bindSocket());
  }

  get port(): number {
    return this.socket.address().port;
  }

  static async fingerprint(): Promise<{ algorithm: string; value: string }> {
    certificate ??= DtlsCertificate.generate();
    const fp = (await certificate).fingerprints().find((f) => f.algorithm === 'sha-256')!;
    return { algorithm: 'sha-256', value: fp.value.toUpperCase() };
  }

  /** Keys SRTP directly (relay baselines): both directions use `keys`. */
  useKeys(keys: SrtpKeys): void {
    const o = {
      profile: keys.profile,
      masterKey: Buffer.from(keys.masterKey),
      masterSalt: Buffer.from(keys.masterSalt),
    };
    this.srtpSend = new SrtpContext(o);
    this.srtpRecv = new SrtpContext(o);
  }

  /** ICE (controlling, USE-CANDIDATE) then DTLS (client, offering only `profile`); resolves when SRTP is keyed. */
  async connect(info: IceDtlsInfo, profile: SrtpCryptoSuite): Promise<void> {
    const cand = info.iceCandidates.find((c) => c.protocol === 'udp')!;
    this.remotePort = cand.port;
    this.remoteAddress = cand.address;
    certificate ??= DtlsCertificate.generate();
    this.dtls = new DtlsTransport({
      role: 'client',
      certificate: await certificate,
      remoteFingerprints: info.dtlsParameters.fingerprints.map((f) => ({
        algorithm: f.algorithm,
        value: f.value.toLowerCase(),
      })) as never,
      srtpProfiles: [profile],
      send: (d: Uint8Array) => this.socket.send(d, this.remotePort, this.remoteAddress),
    });
    const key = shortTermKey(info.iceParameters.password);
    const user = `${info.iceParameters.usernameFragment}:${this.localUfrag}`;
    const check = () => {
      const w = this.stunWriter
        .begin(StunMethod.Binding, StunClass.Request, randomBytes(12))
        .addString(StunAttr.Username, user)
        .addUint32(StunAttr.Priority, 0x6e0001ff)
        .addUint64(StunAttr.IceControlling, 0x1234567890n)
        .addFlag(StunAttr.UseCandidate)
        .addIntegrity(key)
        .addFingerprint();
      this.socket.send(w.toBuffer(), this.remotePort, this.remoteAddress);
    };
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('load client: connect timed out')), 20_000);
      this.dtls!.on('statechange', (state: string) => {
        if (state === 'connected') {
          const k = this.dtls!.getSrtpKeyingMaterial()!;
          this.srtpSend = new SrtpContext({
            profile: k.profile,
            masterKey: k.localMasterKey,
            masterSalt: k.localMasterSalt,
          });
          this.srtpRecv = new SrtpContext({
            profile: k.profile,
            masterKey: k.remoteMasterKey,
            masterSalt: k.remoteMasterSalt,
          });
          clearTimeout(timer);
          resolve();
        } else if (state === 'failed' || state === 'closed') {
          clearTimeout(timer);
          reject(new Error(`DTLS ${state}`));
        }
      });
      check();
      this.stunTimer = setInterval(check, 100);
      // Consent freshness every 2 s once up.
      this.iceTick = () => {
        clearInterval(this.stunTimer);
        this.stunTimer = setInterval(check, 2000);
        this.stunTimer.unref();
      };
    });
  }

  private iceTick: (() => void) | undefined;

  /**
   * Like a browser receiving with transport-cc negotiated: records the arrival of every RTP packet
   * carrying extension `extId` (the header is in the clear under SRTP) and sends a transport-cc
   * feedback (SRTCP) every `intervalMs`; `extId` 0 stops it.
   */
  sendTransportCc(extId: number, intervalMs = 50): void {
    clearInterval(this.twccTimer);
    this.twccTimer = undefined;
    this.twccExtId = extId;
    if (extId === 0) return;
    this.twcc ??= new TransportCcRecorder();
    this.twccTimer = setInterval(() => this.flushTransportCc(), intervalMs);
    this.twccTimer.unref();
  }

  private flushTransportCc(): void {
    const fb = this.twcc?.takeFeedback();
    if (!fb || !this.srtpSend) return;
    const pkt = serializeTransportCc({
      kind: 'transport-cc',
      senderSsrc: 0x5eed0001,
      mediaSsrc: this.twccMediaSsrc,
      baseSequenceNumber: fb.baseSequenceNumber,
      referenceTime: fb.referenceTime,
      fbPktCount: this.twccFbCount++ & 0xff,
      packetStatusCount: fb.packetStatusCount,
      received: fb.received,
    });
    const n = this.srtpSend.protectRtcp(pkt, pkt.length, this.rtcpOut);
    if (n > 0) this.socket.send(this.rtcpOut.subarray(0, n), this.remotePort, this.remoteAddress);
  }

  /** Where the value of one-byte-header extension `id` starts in an RTP packet (-1: absent); `len` its length. */
  static extensionOffset(msg: Buffer, id: number, len: number): number {
    if ((msg[0] & 0x10) === 0) return -1;
    let o = 12 + (msg[0] & 0x0f) * 4;
    if (o + 4 > msg.length || msg[o] !== 0xbe || msg[o + 1] !== 0xde) return -1;
    const end = o + 4 + msg.readUInt16BE(o + 2) * 4;
    o += 4;
    while (o < end && o < msg.length) {
      const b = msg[o];
      if (b === 0) {
        o++;
        continue;
      }
      const l = (b & 0x0f) + 1;
      if (b >> 4 === id) return l === len && o + 1 + l <= msg.length ? o + 1 : -1;
      o += 1 + l;
    }
    return -1;
  }

  private onDatagram(msg: Buffer): void {
    const b0 = msg[0];
    if (b0 < 4) {
      if (!this.iceUp && msg[0] === 0x01 && msg[1] === 0x01) {
        this.iceUp = true;
        this.iceTick?.();
        this.dtls?.start();
      }
      return;
    }
    if (b0 >= 20 && b0 <= 63) {
      this.dtls?.handle(Buffer.from(msg));
      return;
    }
    const pt = msg[1];
    if (pt >= 192 && pt <= 223) return; // RTCP: not counted
    this.received++;
    if (this.twccExtId !== 0) {
      const o = LoadEndpoint.extensionOffset(msg, this.twccExtId, 2);
      if (o >= 0) {
        this.twccMediaSsrc = msg.readUInt32BE(8);
        this.twcc!.record((msg[o] << 8) | msg[o + 1], performance.now());
      }
    }
    if (this.received % this.sampleEvery !== 0) return;
    let n = msg.length;
    let buf = msg;
    if (this.srtpRecv) {
      n = this.srtpRecv.unprotectRtp(msg, msg.length, this.plain);
      if (n < 0) return;
      buf = this.plain;
    }
    if (n < 20) return;
    const sent = buf.readDoubleLE(n - 8);
    this.samples.push(nowUs() - sent);
  }

  /** Sends one RTP packet (protected when SRTP is keyed), stamping the send time into its last 8 bytes. */
  sendRtp(packet: Buffer): void {
    packet.writeDoubleLE(nowUs(), packet.length - 8);
    if (this.srtpSend) {
      const out = Buffer.allocUnsafe(packet.length + 32);
      const n = this.srtpSend.protectRtp(packet, packet.length, out);
      if (n < 0) return;
      this.socket.send(out.subarray(0, n), this.remotePort, this.remoteAddress);
    } else {
      this.socket.send(Buffer.from(packet), this.remotePort, this.remoteAddress);
    }
  }

  close(): void {
    clearInterval(this.stunTimer);
    clearInterval(this.twccTimer);
    try {
      this.dtls?.close();
    } catch {
      // already closed
    }
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
