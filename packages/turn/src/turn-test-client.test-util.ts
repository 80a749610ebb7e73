/**
 * A small TURN client on @tsfu/ice-lite's codec, for the tests: UDP, TCP or
 * TLS to the server, long-term credentials (401 → REALM/NONCE → retry), and
 * queues of what arrives (STUN answers, ChannelData, Data indications).
 */
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  longTermKey,
  StunAttr,
  StunClass,
  StunMessageView,
  StunMessageWriter,
  StunParseResult,
  verifyStunIntegrity,
  verifyStunIntegritySha256,
} from '@tsfu/ice-lite';
import { TurnAttr, TurnMethod } from './turn-constants.js';
import { TurnStreamFramer } from './turn-stream-framer.js';

export interface Answer {
  raw: Buffer;
  view: StunMessageView;
  code: number | undefined;
}

type Extra = (w: StunMessageWriter) => void;

export class TestTurnClient {
  readonly answers = new Map<string, (a: Answer) => void>();
  readonly channelData: { channel: number; data: Buffer }[] = [];
  readonly dataIndications: { peer: string; port: number; data: Buffer }[] = [];
  realm = '';
  nonce = '';
  username: string;
  password: string;
  sha256 = false;
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly sendRaw: (b: Buffer) => void,
    readonly localPort: () => number,
    private readonly closeFn: () => void,
    readonly isStream: boolean,
    username: string,
    password: string,
  ) {
    this.username = username;
    this.password = password;
  }

  static async udp(port: number, username = 'alice', password = 'pw'): Promise<TestTurnClient> {
    const s: DgramSocket = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    const c = new TestTurnClient(
      (b) => s.send(b, port, '127.0.0.1'),
      () => s.address().port,
      () => s.close(),
      false,
      username,
      password,
    );
    s.on('message', (m) => c.onMessage(m));
    return c;
  }

  static async stream(
    port: number,
    tls: boolean,
    username = 'alice',
    password = 'pw',
  ): Promise<TestTurnClient> {
    const s: Socket = await new Promise((resolve, reject) => {
      const sock = tls
        ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => resolve(sock))
        : netConnect({ port, host: '127.0.0.1' }, () => resolve(sock));
      sock.once('error', reject);
    });
    const c = new TestTurnClient(
      (b) => s.write(b),
      () => s.localPort ?? 0,
      () => s.destroy(),
      true,
      username,
      password,
    );
    const framer = new TurnStreamFramer((m) => c.onMessage(Buffer.from(m)));
    s.on('data', (d) => framer.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      c.closed = true;
      c.wake();
    });
    return c;
  }

  closed = false;

  private onMessage(m: Buffer): void {
    if ((m[0] & 0xc0) === 0x40) {
      const len = m.readUInt16BE(2);
      this.channelData.push({ channel: m.readUInt16BE(0), data: m.subarray(4, 4 + len) });
    } else {
      const v = new StunMessageView();
      if (v.parse(m) !== StunParseResult.Ok) return;
      if (v.cls === StunClass.Indication && v.method === TurnMethod.Data) {
        const peer = v.addressAt(v.findAttribute(TurnAttr.XorPeerAddress))!;
        const at = v.findAttribute(TurnAttr.Data);
        const o = v.attributeOffsets[at];
        this.dataIndications.push({
          peer: peer.address,
          port: peer.port,
          data: m.subarray(o, o + v.attributeLengths[at]),
        });
      } else {
        const key = v.transactionIdHex();
        this.answers.get(key)?.({ raw: m, view: v, code: v.errorCode?.code });
        this.answers.delete(key);
      }
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `cond()` holds, re-checked on each arrival; rejects after `ms`. */
  async until(cond: () => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  send(b: Buffer): void {
    this.sendRaw(b);
  }

  get key(): Buffer {
    return longTermKey(this.username, this.realm, this.password);
  }

  /** Builds a request; signs it when a nonce is known (unless `sign` is false). */
  build(method: number, extra?: Extra, sign = true, txId?: Uint8Array): Buffer {
    const w = new StunMessageWriter(new Uint8Array(2048));
    w.begin(method, StunClass.Request, txId);
    extra?.(w);
    if (sign && this.nonce !== '') {
      w.addString(StunAttr.Username, this.username)
        .addString(StunAttr.Realm, this.realm)
        .addString(StunAttr.Nonce, this.nonce);
      if (this.sha256) w.addIntegritySha256(this.key);
      else w.addIntegrity(this.key);
    }
    w.addFingerprint();
    return w.toBuffer();
  }

  /** Sends `raw` and waits for the answer with its transaction id (retransmitting on UDP). */
  async transact(raw: Buffer): Promise<Answer> {
    const key = raw.subarray(8, 20).toString('hex');
    const answer = new Promise<Answer>((resolve) => this.answers.set(key, resolve));
    let timer: NodeJS.Timeout | undefined;
    const retransmit = () => {
      this.send(raw);
      if (!this.isStream) timer = setTimeout(retransmit, 500);
    };
    retransmit();
    const deadline = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no answer')), 10_000).unref(),
    );
    try {
      return await Promise.race([answer, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A request; a 401/438 teaches realm and nonce and the request is signed and sent again. */
  async request(method: number, extra?: Extra): Promise<Answer> {
    let a = await this.transact(this.build(method, extra));
    if (a.code === 401 || a.code === 438) {
      if (this.nonce !== '' && a.code === 401) return a; // signed and still refused
      this.realm = a.view.realm ?? '';
      this.nonce = a.view.nonce ?? '';
      a = await this.transact(this.build(method, extra));
    }
    return a;
  }

  /** True when the answer's MESSAGE-INTEGRITY (or -SHA256) verifies with our key. */
  verifies(a: Answer): boolean {
    return a.view.integritySha256Offset >= 0
      ? verifyStunIntegritySha256(a.view, this.key)
      : verifyStunIntegrity(a.view, this.key);
  }

  async allocate(extra?: Extra): Promise<Answer> {
    return this.request(TurnMethod.Allocate, (w) => {
      w.addBytes(TurnAttr.RequestedTransport, Uint8Array.of(17, 0, 0, 0));
      extra?.(w);
    });
  }

  close(): void {
    this.closeFn();
  }
}

/** The relayed address of a successful Allocate answer. */
export function relayedAddress(a: Answer): { address: string; port: number } {
  const r = a.view.addressAt(a.view.findAttribute(TurnAttr.XorRelayedAddress));
  if (r === undefined) throw new Error(`no XOR-RELAYED-ADDRESS (code ${a.code})`);
  return r;
}

export function u32Attr(a: Answer, type: number): number | undefined {
  const i = a.view.findAttribute(type);
  return i < 0 ? undefined : a.raw.readUInt32BE(a.view.attributeOffsets[i]);
}

/** ChannelData from the client side. */
export function channelData(channel: number, data: Buffer, pad: boolean): Buffer {
  const padded = pad ? (data.length + 3) & ~3 : data.length;
  const out = Buffer.alloc(4 + padded);
  out.writeUInt16BE(channel, 0);
  out.writeUInt16BE(data.length, 2);
  data.copy(out, 4);
  return out;
}
