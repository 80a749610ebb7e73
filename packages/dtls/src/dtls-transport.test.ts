/**
 * DtlsTransport against itself over an in-process link driven by fake
 * timers: every suite/group/certificate pairing, Chromium-like fragmented
 * ClientHellos, back-off schedule, timeouts, a seeded lossy link,
 * fingerprints, tampering, replay, close, and statelessness before the cookie.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CIPHER_SUITES } from './cipher-suite/cipher-suite.js';
import { NamedGroup } from './crypto/named-group.js';
import { DtlsCertificate } from './dtls-certificate.js';
import { DtlsTransport } from './dtls-transport.js';
import { ExtensionType, type RawExtension } from './extension/extension.js';
import { marshalClientHello } from './handshake/client-hello.js';
import { unmarshalHandshakeHeader, wrapHandshakeMessage } from './handshake/handshake-header.js';
import { ContentType } from './record/content-type.js';
import { writeRecordHeader } from './record/record-header.js';
import { type LinkOptions, makePair, type Pair, type PairOptions, prng } from './testing/link.test-util.js';

let ecdsa: DtlsCertificate;
let ecdsa2: DtlsCertificate;
let rsa: DtlsCertificate;

beforeAll(async () => {
  [ecdsa, ecdsa2, rsa] = await Promise.all([
    DtlsCertificate.generate(),
    DtlsCertificate.generate(),
    DtlsCertificate.generate({ type: 'rsa' }),
  ]);
});

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

const fp = (c: DtlsCertificate) => [{ algorithm: 'sha-256' as const, value: c.fingerprint('sha-256') }];

/** Advances fake time in small steps until `cond` holds or `maxMs` passes; returns elapsed ms. */
function runUntil(cond: () => boolean, maxMs = 30_000, stepMs = 5): number {
  let t = 0;
  while (!cond() && t < maxMs) {
    vi.advanceTimersByTime(stepMs);
    t += stepMs;
  }
  return t;
}

function connect(
  clientOpts: Partial<PairOptions>,
  serverOpts: Partial<PairOptions>,
  link: LinkOptions = {},
): Pair {
  const pair = makePair(
    { certificate: ecdsa, remoteFingerprints: fp(ecdsa2), ...clientOpts },
    { certificate: ecdsa2, remoteFingerprints: fp(ecdsa), ...serverOpts },
    link,
  );
  pair.server.start();
  pair.client.start();
  runUntil(() => bothDone(pair));
  return pair;
}

const bothDone = (p: Pair) =>
  p.client.state !== 'connecting' && p.server.state !== 'connecting' && p.client.state !== 'new';

function collect(t: DtlsTransport): Buffer[] {
  const out: Buffer[] = [];
  t.on('data', (d) => out.push(d));
  return out;
}

describe('handshake between two DtlsTransports', () => {
  const rows: {
    suite: string;
    serverCert: () => DtlsCertificate;
    clientCert: () => DtlsCertificate;
    group: 'x25519' | 'P-256' | 'P-384';
  }[] = [
    {
      suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      serverCert: () => ecdsa2,
      clientCert: () => ecdsa,
      group: 'x25519',
    },
    {
      suite: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      serverCert: () => ecdsa2,
      clientCert: () => rsa,
      group: 'P-384',
    },
    {
      suite: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
      serverCert: () => ecdsa2,
      clientCert: () => ecdsa,
      group: 'P-256',
    },
    {
      suite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      serverCert: () => rsa,
      clientCert: () => ecdsa,
      group: 'x25519',
    },
    {
      suite: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
      serverCert: () => rsa,
      clientCert: () => rsa,
      group: 'P-256',
    },
    {
      suite: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
      serverCert: () => rsa,
      clientCert: () => ecdsa,
      group: 'P-384',
    },
  ];
  for (const row of rows) {
    it(`${row.suite} over ${row.group}`, () => {
      const s = row.serverCert();
      const c = row.clientCert();
      const pair = connect(
        {
          certificate: c,
          remoteFingerprints: fp(s),
          cipherSuites: [row.suite as never],
          groups: [row.group],
        },
        { certificate: s, remoteFingerprints: fp(c) },
      );
      expect(pair.client.state).toBe('connected');
      expect(pair.server.state).toBe('connected');
      for (const t of [pair.client, pair.server]) {
        expect(t.cipherSuite?.name).toBe(row.suite);
        expect(t.namedGroup).toBe(row.group);
        expect(t.extendedMasterSecret).toBe(true);
      }
      expect(pair.client.remoteCertificate?.equals(s.der)).toBe(true);
      expect(pair.server.remoteCertificate?.equals(c.der)).toBe(true);
      expect(pair.server.remoteCertificatePem).toBe(c.certificatePem);
      // Same exporter output on both sides; SRTP halves mirror each other.
      expect(pair.client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60)).toEqual(
        pair.server.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60),
      );
      const ck = pair.client.getSrtpKeyingMaterial()!;
      const sk = pair.server.getSrtpKeyingMaterial()!;
      expect(ck.profile.cryptoSuite).toBe('AEAD_AES_256_GCM');
      expect(ck.localMasterKey).toEqual(sk.remoteMasterKey);
      expect(ck.remoteMasterKey).toEqual(sk.localMasterKey);
      expect(ck.localMasterSalt).toEqual(sk.remoteMasterSalt);
      expect(ck.localMasterKey).not.toEqual(ck.remoteMasterKey);
      // Application data both ways, including an empty record and one above 16 KiB.
      const atServer = collect(pair.server);
      const atClient = collect(pair.client);
      expect(pair.client.send(Buffer.from('to server'))).toBe(true);
      expect(pair.server.send(Buffer.alloc(20_000, 7))).toBe(true);
      vi.advanceTimersByTime(10);
      expect(atServer.map((d) => d.toString())).toEqual(['to server']);
      expect(Buffer.concat(atClient)).toEqual(Buffer.alloc(20_000, 7));
      expect(atClient.length).toBe(2);
    });
  }

  it('negotiates the server-preferred SRTP profile among the client offer, either order', () => {
    const a = connect(
      { srtpProfiles: ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'] },
      { srtpProfiles: ['AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80'] },
    );
    expect(a.client.srtpProfile?.cryptoSuite).toBe('AEAD_AES_128_GCM');
    expect(a.server.srtpProfile?.cryptoSuite).toBe('AEAD_AES_128_GCM');
    const b = connect(
      { srtpProfiles: ['AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_32'] },
      { srtpProfiles: ['AES_CM_128_HMAC_SHA1_32', 'AEAD_AES_128_GCM'] },
    );
    expect(b.client.srtpProfile?.cryptoSuite).toBe('AES_CM_128_HMAC_SHA1_32');
    const k = b.client.getSrtpKeyingMaterial()!;
    expect(k.localMasterKey.length).toBe(16);
    expect(k.localMasterSalt.length).toBe(14);
    const none = connect({ srtpProfiles: [] }, {});
    expect(none.server.state).toBe('connected');
    expect(none.server.srtpProfile).toBeUndefined();
    expect(none.server.getSrtpKeyingMaterial()).toBeUndefined();
  });

  it('fails cleanly when there is no common suite or group', () => {
    const p = connect({ cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'] }, {});
    expect(p.server.state).toBe('failed');
    expect(p.server.failureReason).toBe('no common cipher suite');
    expect(p.client.state).toBe('failed');
    expect(p.client.failureReason).toBe('peer sent fatal alert handshakeFailure');
    const g = connect({ groups: ['P-384'] }, { groups: ['x25519'] });
    expect(g.server.failureReason).toBe('no common ECDHE group');
  });
});

describe('version negotiation', () => {
  /** Writes a whole ClientHello as one epoch-0 record. */
  function clientHelloRecord(version: number, cookie: Buffer, messageSeq: number, recordSeq: number): Buffer {
    const ch = marshalClientHello({
      version,
      random: Buffer.alloc(32, 0x42),
      sessionId: Buffer.alloc(0),
      cookie,
      cipherSuites: [0xc02b],
      compressionMethods: [0],
      extensions: [],
    });
    const msg = wrapHandshakeMessage(1, messageSeq, ch);
    const rec = Buffer.alloc(13 + msg.length);
    writeRecordHeader(rec, 0, ContentType.handshake, 0xfeff, 0, recordSeq, msg.length);
    msg.copy(rec, 13);
    return rec;
  }

  it('a DTLS 1.0-only client gets protocol_version after the cookie exchange', () => {
    const out: Buffer[] = [];
    const errors: Error[] = [];
    const server = new DtlsTransport({ role: 'server', certificate: ecdsa2, send: (d) => out.push(d) });
    server.on('error', (e) => errors.push(e));
    server.start();
    server.handle(clientHelloRecord(0xfeff, Buffer.alloc(0), 0, 0));
    // HelloVerifyRequest: record(13) + handshake header(12) + version(2) + cookie length(1) + cookie
    const hvr = out.shift()!;
    expect(hvr[13]).toBe(3);
    const cookie = hvr.subarray(28, 28 + hvr[27]);
    server.handle(clientHelloRecord(0xfeff, cookie, 1, 1));
    expect(server.state).toBe('failed');
    expect(server.failureReason).toBe('client does not offer DTLS 1.2');
    expect(errors.map((e) => e.message)).toEqual(['client does not offer DTLS 1.2']);
    // fatal alert protocol_version(70), in plaintext
    const alert = out.pop()!;
    expect([alert[0], alert[13], alert[14]]).toEqual([ContentType.alert, 2, 70]);
  });
});

describe('fingerprints and certificates', () => {
  it('client rejects a server whose certificate does not match', () => {
    const p = connect({ remoteFingerprints: fp(rsa) }, {});
    expect(p.client.state).toBe('failed');
    expect(p.client.failureReason).toBe('remote certificate does not match the signalled fingerprint');
    expect(p.server.state).toBe('failed');
    expect(p.server.failureReason).toBe('peer sent fatal alert badCertificate');
  });

  it('server rejects a client whose certificate does not match', () => {
    const p = connect({}, { remoteFingerprints: fp(rsa) });
    expect(p.server.state).toBe('failed');
    expect(p.server.failureReason).toBe('remote certificate does not match the signalled fingerprint');
    expect(p.client.state).toBe('failed');
  });

  it('fingerprints supplied after the handshake are still checked', () => {
    const p = connect({ remoteFingerprints: undefined }, {});
    expect(p.client.state).toBe('connected');
    p.client.setRemoteFingerprints([{ algorithm: 'sha-512', value: ecdsa2.fingerprint('sha-512') }]);
    expect(p.client.state).toBe('connected');
    p.client.setRemoteFingerprints([{ algorithm: 'sha-1', value: rsa.fingerprint('sha-1') }]);
    expect(p.client.state).toBe('failed');
  });

  it('a client without certificate request works only when no fingerprint is required', () => {
    const ok = connect({}, { requestClientCertificate: false, remoteFingerprints: undefined });
    expect(ok.server.state).toBe('connected');
    expect(ok.server.remoteCertificate).toBeUndefined();
  });
});

describe('Chromium-like ClientHello', () => {
  // Chromium offers DTLS 1.3 in supported_versions, a X25519MLKEM768 key share
  // (1184 + 32 bytes) beside X25519, GREASE values, TLS 1.3 suites and schemes
  // we do not speak. The message is ~1.4 KB and needs two records at MTU 1200.
  const grease = (v: number) => ((v & 0x0f) << 12) | 0x0a00 | ((v & 0x0f) << 4) | 0x0a;
  const rand = prng(7);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const u16s = (xs: number[]) => {
    const b = Buffer.alloc(xs.length * 2);
    for (let i = 0; i < xs.length; i++) b.writeUInt16BE(xs[i], i * 2);
    return b;
  };
  const keyShare = () => {
    const entries = [
      [grease(2), bytes(1)],
      [NamedGroup.x25519mlkem768, bytes(1216)],
      [NamedGroup.x25519, bytes(32)],
    ] as const;
    const body = Buffer.concat(entries.map(([g, k]) => Buffer.concat([u16s([g, k.length]), k])));
    return Buffer.concat([u16s([body.length]), body]);
  };
  const extensions: RawExtension[] = [
    { type: grease(1), data: Buffer.alloc(0) },
    {
      type: ExtensionType.supportedGroups,
      data: (() => {
        const g = u16s([
          grease(2),
          NamedGroup.x25519mlkem768,
          NamedGroup.x25519,
          NamedGroup.secp256r1,
          NamedGroup.secp384r1,
        ]);
        return Buffer.concat([u16s([g.length]), g]);
      })(),
    },
    {
      type: ExtensionType.signatureAlgorithms,
      data: (() => {
        const s = u16s([0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]);
        return Buffer.concat([u16s([s.length]), s]);
      })(),
    },
    // supported_versions: GREASE, DTLS 1.3 (0xfefc), DTLS 1.2
    {
      type: ExtensionType.supportedVersions,
      data: Buffer.concat([Buffer.from([6]), u16s([grease(3), 0xfefc, 0xfefd])]),
    },
    { type: ExtensionType.keyShare, data: keyShare() },
    { type: 45 /* psk_key_exchange_modes */, data: Buffer.from([1, 1]) },
    { type: grease(4), data: Buffer.from([0]) },
  ];
  const chromiumHelloLength = () =>
    marshalClientHello({
      version: 0xfefd,
      random: Buffer.alloc(32),
      sessionId: Buffer.alloc(0),
      cookie: Buffer.alloc(0),
      cipherSuites,
      compressionMethods: [0],
      extensions,
    }).length;
  const cipherSuites = [
    grease(5),
    0x1301,
    0x1302,
    0x1303,
    0xc02b,
    0xc02f,
    0xcca9,
    0xcca8,
    0xc013,
    0x009c,
    0x002f,
  ];

  /** message_seq → number of ClientHello fragments the client sent for it. */
  function clientHelloFragments(datagrams: Buffer[]): Map<number, number> {
    const counts = new Map<number, number>();
    for (const d of datagrams) {
      let off = 0;
      while (off + 13 <= d.length) {
        const len = d.readUInt16BE(off + 11);
        if (d[off] === ContentType.handshake && d.readUInt16BE(off + 3) === 0) {
          const h = unmarshalHandshakeHeader(d, off + 13, off + 13 + len);
          if (h?.type === 1) counts.set(h.messageSeq, (counts.get(h.messageSeq) ?? 0) + 1);
        }
        off += 13 + len;
      }
    }
    return counts;
  }

  it('is about 1.4 KB, like Chromium 156', () => {
    expect(chromiumHelloLength()).toBeGreaterThan(1350);
    expect(chromiumHelloLength()).toBeLessThan(1600);
  });

  for (const mtu of [1200, 500]) {
    it(`is reassembled before and after the cookie at MTU ${mtu}; the server settles on DTLS 1.2 + X25519`, () => {
      const p = connect({ mtu, clientHelloOverrides: { extensions, cipherSuites } }, {});
      expect(p.server.state).toBe('connected');
      expect(p.client.state).toBe('connected');
      expect(p.server.namedGroup).toBe('x25519');
      expect(p.server.cipherSuite?.name).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
      expect(p.server.stats.helloVerifyRequestsSent).toBe(1);
      const frags = clientHelloFragments(p.sentByClient);
      const expected = mtu === 1200 ? 2 : 3;
      expect(frags.get(0)).toBeGreaterThanOrEqual(expected); // before the cookie
      expect(frags.get(1)).toBeGreaterThanOrEqual(expected); // with the cookie
      for (const d of p.sentByClient) expect(d.length).toBeLessThanOrEqual(mtu);
    });
  }

  // Other browsers' mixes: NSS (Firefox) offers FFDHE and P-521 groups, record_size_limit,
  // session tickets, Ed25519/PSS-PSS/SHA-1 schemes and a P-256 key share; WebKit (Safari)
  // offers padding and its own GREASE. All of it must be skipped, none of it fatal.
  const list16 = (xs: number[]) => {
    const v = u16s(xs);
    return Buffer.concat([u16s([v.length]), v]);
  };
  const browsers: { name: string; extensions: RawExtension[]; cipherSuites: number[]; group: string }[] = [
    {
      name: 'Firefox-like',
      extensions: [
        { type: ExtensionType.supportedGroups, data: list16([29, 23, 24, 25, 0x0100, 0x0101]) },
        {
          type: ExtensionType.signatureAlgorithms,
          data: list16([0x0403, 0x0503, 0x0603, 0x0807, 0x0804, 0x0809, 0x0401, 0x0203]),
        },
        { type: 28 /* record_size_limit */, data: u16s([0x4001]) },
        { type: 35 /* session_ticket */, data: Buffer.alloc(0) },
        {
          type: ExtensionType.supportedVersions,
          data: Buffer.concat([Buffer.from([4]), u16s([0xfefc, 0xfefd])]),
        },
        {
          type: ExtensionType.keyShare,
          data: (() => {
            const e = Buffer.concat([u16s([29, 32]), bytes(32), u16s([23, 65]), Buffer.from([4]), bytes(64)]);
            return Buffer.concat([u16s([e.length]), e]);
          })(),
        },
      ],
      cipherSuites: [
        0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030, 0xc00a, 0xc009, 0xc013,
        0xc014, 0x0033, 0x0039, 0x002f, 0x0035,
      ],
      group: 'x25519',
    },
    {
      name: 'Safari-like (P-256 only)',
      extensions: [
        { type: grease(6), data: Buffer.alloc(0) },
        { type: ExtensionType.supportedGroups, data: list16([grease(7), 23]) },
        {
          type: ExtensionType.signatureAlgorithms,
          data: list16([0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201]),
        },
        { type: 21 /* padding */, data: Buffer.alloc(200) },
        { type: grease(8), data: Buffer.from([0]) },
      ],
      cipherSuites: [grease(9), 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc00a, 0xc009],
      group: 'P-256',
    },
  ];
  for (const b of browsers) {
    it(`${b.name} ClientHello: unknown extensions, groups and schemes are skipped`, () => {
      const p = connect(
        { clientHelloOverrides: { extensions: b.extensions, cipherSuites: b.cipherSuites } },
        {},
      );
      expect(p.server.state).toBe('connected');
      expect(p.client.state).toBe('connected');
      expect(p.server.namedGroup).toBe(b.group);
      expect(p.server.cipherSuite?.name).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
    });
  }

  it('a cookie-bearing ClientHello whose first fragment comes last is recovered by retransmission', () => {
    const p = makePair(
      { certificate: ecdsa, mtu: 500, clientHelloOverrides: { extensions, cipherSuites } },
      { certificate: ecdsa2 },
    );
    // Hold back fragment 0 of the second ClientHello the first time it is sent.
    let held: Buffer | undefined;
    let done = false;
    p.filter = (from, d) => {
      if (from !== 'client' || done) return d;
      const h = unmarshalHandshakeHeader(d, 13);
      if (h?.type === 1 && h.messageSeq === 1 && h.fragmentOffset === 0 && !held) {
        held = d;
        return undefined;
      }
      if (held && h?.type === 1 && h.messageSeq === 1 && h.fragmentOffset > 0) {
        done = true;
        setTimeout(() => p.server.handle(held!), 2);
      }
      return d;
    };
    p.server.start();
    p.client.start();
    runUntil(() => bothDone(p));
    expect(p.server.state).toBe('connected');
    expect(held).toBeDefined();
  });
});

describe('retransmission, timeouts, loss', () => {
  it('backs off exponentially from initialRetransmitMs to maxRetransmitMs, then fails at the handshake timeout', () => {
    const times: number[] = [];
    const start = Date.now();
    const t = new DtlsTransport({
      role: 'client',
      certificate: ecdsa,
      initialRetransmitMs: 100,
      maxRetransmitMs: 3000,
      handshakeTimeoutMs: 10_000,
      send: () => times.push(Date.now() - start),
    });
    const states: string[] = [];
    t.on('statechange', (s) => states.push(s));
    t.start();
    vi.advanceTimersByTime(9_999);
    expect(times).toEqual([0, 100, 300, 700, 1500, 3100, 6100, 9100]);
    expect(t.state).toBe('connecting');
    vi.advanceTimersByTime(1);
    expect(t.state).toBe('failed');
    expect(t.failureReason).toBe('handshake timeout');
    expect(states).toEqual(['connecting', 'failed']);
    vi.advanceTimersByTime(20_000);
    expect(times.length).toBe(8); // no more sends after failing
  });

  it('a lost final flight (CCS + Finished) is resent when the client resends its flight', () => {
    const p = makePair({ certificate: ecdsa, initialRetransmitMs: 100 }, { certificate: ecdsa2 });
    let dropped = 0;
    p.filter = (from, d) => {
      // the server's last flight starts with its ChangeCipherSpec record
      if (from === 'server' && d[0] === ContentType.changeCipherSpec && dropped === 0) {
        dropped++;
        return undefined;
      }
      return d;
    };
    p.server.start();
    p.client.start();
    expect(() => p.client.exportKeyingMaterial('x', 8)).toThrow(/not connected/);
    vi.advanceTimersByTime(50);
    expect(dropped).toBe(1);
    expect(p.server.state).toBe('connected');
    expect(p.client.state).toBe('connecting');
    vi.advanceTimersByTime(100); // client timer → flight 5 again → server answers with flight 6 again
    expect(p.client.state).toBe('connected');
    expect(p.client.stats.retransmissions).toBe(1);
    expect(p.server.stats.retransmissions).toBe(1);
    expect(p.client.exportKeyingMaterial('x', 8)).toEqual(p.server.exportKeyingMaterial('x', 8));
  });

  it("a server's handshake clock starts with the first verified ClientHello, not at start()", () => {
    const toClient: Buffer[] = [];
    const server = new DtlsTransport({
      role: 'server',
      certificate: ecdsa2,
      handshakeTimeoutMs: 1000,
      send: (d) => toClient.push(d),
    });
    server.start();
    vi.advanceTimersByTime(5000);
    expect(server.state).toBe('connecting'); // nobody came yet
    // A client that sends its two ClientHellos and then goes silent.
    const client = new DtlsTransport({ role: 'client', certificate: ecdsa, send: (d) => server.handle(d) });
    client.start(); // ClientHello → HelloVerifyRequest, delivered below
    for (const d of toClient.splice(0)) client.handle(d); // → ClientHello with cookie → server state exists
    client.close();
    vi.advanceTimersByTime(999);
    expect(server.state).toBe('connecting');
    vi.advanceTimersByTime(1);
    expect(server.state).toBe('failed');
    expect(server.failureReason).toBe('handshake timeout');
  });

  for (let seed = 1; seed <= 8; seed++) {
    it(`completes over a lossy link (25% drop, 25% duplicate, 25% reorder), seed ${seed}`, () => {
      const link: LinkOptions = { seed, drop: 0.25, duplicate: 0.25, reorder: 0.25 };
      const p = makePair(
        {
          certificate: ecdsa,
          remoteFingerprints: fp(ecdsa2),
          initialRetransmitMs: 50,
          maxRetransmitMs: 1000,
          mtu: 500,
        },
        {
          certificate: ecdsa2,
          remoteFingerprints: fp(ecdsa),
          initialRetransmitMs: 50,
          maxRetransmitMs: 1000,
        },
        link,
      );
      p.server.start();
      p.client.start();
      const elapsed = runUntil(() => bothDone(p), 30_000, 1);
      expect(p.client.state).toBe('connected');
      expect(p.server.state).toBe('connected');
      expect(p.stats.dropped + p.stats.duplicated + p.stats.reordered).toBeGreaterThan(0);
      // Bounded by the back-off schedule: 50·2^k capped at 1 s, so well under 10 s here.
      expect(elapsed).toBeLessThan(10_000);
      // Keys agree despite the mess.
      expect(p.client.exportKeyingMaterial('x', 16)).toEqual(p.server.exportKeyingMaterial('x', 16));
    });
  }
});

describe('records after the handshake', () => {
  it('a tampered record is dropped and counted; the session survives', () => {
    const p = connect({}, {});
    const got = collect(p.server);
    let tamper = true;
    p.filter = (from, d) => {
      if (from === 'client' && tamper && d[0] === ContentType.applicationData) {
        tamper = false;
        const copy = Buffer.from(d);
        copy[copy.length - 20] ^= 0x01;
        return copy;
      }
      return d;
    };
    p.client.send(Buffer.from('first'));
    p.client.send(Buffer.from('second'));
    vi.advanceTimersByTime(10);
    expect(p.server.stats.badRecords).toBe(1);
    expect(got.map((d) => d.toString())).toEqual(['second']);
    expect(p.server.state).toBe('connected');
  });

  it('a replayed record is rejected by the window', () => {
    const p = connect({}, {});
    const got = collect(p.server);
    p.client.send(Buffer.from('once'));
    const rec = p.sentByClient[p.sentByClient.length - 1];
    vi.advanceTimersByTime(5);
    p.server.handle(rec);
    p.server.handle(rec);
    expect(got.map((d) => d.toString())).toEqual(['once']);
    expect(p.server.stats.replayedRecords).toBe(2);
  });

  it('an unauthenticated plaintext alert cannot end an established session', () => {
    const p = connect({}, {});
    const alert = Buffer.alloc(15);
    writeRecordHeader(alert, 0, ContentType.alert, 0xfefd, 0, 99, 2);
    alert[13] = 2;
    alert[14] = 40;
    p.server.handle(alert);
    expect(p.server.state).toBe('connected');
    expect(p.server.stats.droppedRecords).toBeGreaterThan(0);
  });

  it('close() sends close_notify and the peer closes too', () => {
    const p = connect({}, {});
    const alerts: number[] = [];
    p.server.on('alert', (a) => alerts.push(a.description));
    p.client.close();
    vi.advanceTimersByTime(5);
    expect(p.client.state).toBe('closed');
    expect(p.server.state).toBe('closed');
    expect(alerts).toEqual([0]);
    expect(p.client.send(Buffer.from('x'))).toBe(false);
  });

  it('a renegotiating ClientHello after the handshake gets no_renegotiation', () => {
    const p = connect({}, {});
    const alerts: number[] = [];
    p.client.on('alert', (a) => alerts.push(a.description));
    // Let the client "renegotiate": seal a ClientHello with its epoch-1 keys.
    const ch = marshalClientHello({
      version: 0xfefd,
      random: Buffer.alloc(32, 1),
      sessionId: Buffer.alloc(0),
      cookie: Buffer.alloc(0),
      cipherSuites: [0xc02b],
      compressionMethods: [0],
      extensions: [],
    });
    const c = (p.client as unknown as { records: { seal(type: number, payload: Buffer): Buffer } }).records;
    const server = p.server as unknown as { handshaker: { ctx: { messages: { minSeq: number } } } };
    const minSeq = server.handshaker.ctx.messages.minSeq;
    p.server.handle(c.seal(ContentType.handshake, wrapHandshakeMessage(1, minSeq, ch)));
    vi.advanceTimersByTime(5);
    expect(alerts).toEqual([100]);
    expect(p.server.state).toBe('connected');
  });
});

describe('statelessness before the cookie', () => {
  it('1000 cookie-less ClientHellos allocate no handshake state', () => {
    const hvr: Buffer[] = [];
    const server = new DtlsTransport({ role: 'server', certificate: ecdsa2, send: (d) => hvr.push(d) });
    server.start();
    const rand = prng(3);
    for (let i = 0; i < 1000; i++) {
      const ch = marshalClientHello({
        version: 0xfefd,
        random: Buffer.from(Array.from({ length: 32 }, () => Math.floor(rand() * 256))),
        sessionId: Buffer.alloc(0),
        cookie: i % 2 ? Buffer.alloc(20, 9) : Buffer.alloc(0), // forged cookie or none
        cipherSuites: [0xc02b],
        compressionMethods: [0],
        extensions: [],
      });
      const msg = wrapHandshakeMessage(1, 0, ch);
      const rec = Buffer.alloc(13 + msg.length);
      writeRecordHeader(rec, 0, ContentType.handshake, 0xfeff, 0, i, msg.length);
      msg.copy(rec, 13);
      server.handle(rec);
    }
    expect(server.stats.helloVerifyRequestsSent).toBe(1000);
    expect(hvr.length).toBe(1000);
    expect(server.bufferedBytes).toBe(0);
    // No reassembler (the per-handshake state) was ever created.
    expect((server as unknown as { handshaker: { hasState: boolean } }).handshaker.hasState).toBe(false);
    expect(server.state).toBe('connecting');
    // The HVR echoes the ClientHello's record sequence number (RFC 6347 §4.2.1).
    expect(hvr[999].readUIntBE(5, 6)).toBe(999);
  });

  it('every suite in CIPHER_SUITES has a unique id', () => {
    expect(new Set(CIPHER_SUITES.map((s) => s.id)).size).toBe(CIPHER_SUITES.length);
  });
});
