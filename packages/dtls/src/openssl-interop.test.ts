/**
 * Interop with OpenSSL 3 over real UDP on 127.0.0.1: our client against
 * `openssl s_server -dtls1_2`, and `openssl s_client` against our server.
 * Each case checks the handshake completes with the expected suite, group and
 * SRTP profile, that the RFC 5764 exporter output equals what OpenSSL prints,
 * and that application data flows both ways.
 */
import type { SrtpCryptoSuite } from '@tsfu/srtp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CipherSuiteName } from './cipher-suite/cipher-suite.js';
import type { DtlsNamedGroupName } from './crypto/named-group.js';
import { DtlsCertificate } from './dtls-certificate.js';
import {
  freeUdpPort,
  killAllOpenssl,
  OPENSSL_SRTP_NAMES,
  type OpensslProcess,
  parseKeyingMaterial,
  parseSrtpProfile,
  spawnOpenssl,
  TempDir,
} from './testing/openssl.test-util.js';
import { type UdpDtls, udpDtls, until } from './testing/udp-endpoint.test-util.js';

const LABEL = 'EXTRACTOR-dtls_srtp';
// Longest SRTP material (AEAD_AES_256_GCM: 2 * (32 + 12)); shorter ones are its prefix.
const EXPORT_LENGTH = 88;

let dir: TempDir;
const certs: Record<'ecdsa' | 'rsa', { cert: DtlsCertificate; certFile: string; keyFile: string }> =
  {} as never;
const endpoints: UdpDtls[] = [];

beforeAll(async () => {
  dir = new TempDir();
  for (const type of ['ecdsa', 'rsa'] as const) {
    const cert = await DtlsCertificate.generate({ type });
    certs[type] = {
      cert,
      certFile: dir.file(`${type}.crt`, cert.certificatePem),
      keyFile: dir.file(`${type}.key`, cert.privateKeyPem),
    };
  }
});

afterEach(async () => {
  await killAllOpenssl();
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

afterAll(() => dir.cleanup());

interface Case {
  name: string;
  /** Certificate types of the DTLS server (decides the suite) and client, whoever plays them. */
  server: 'ecdsa' | 'rsa';
  client: 'ecdsa' | 'rsa';
  /** OpenSSL `-cipher` list (DTLS 1.2 names). */
  cipher?: string;
  /** OpenSSL `-groups`. */
  groups?: string;
  /**
   * Our group preference, to force a group. It lists P-256 too: in TLS 1.2 the
   * client's supported_groups also bounds the curve of an ECDSA certificate.
   */
  ourGroups?: DtlsNamedGroupName[];
  theirSrtp: string;
  ourSrtp?: SrtpCryptoSuite[];
  expectSuite: CipherSuiteName;
  expectGroup: DtlsNamedGroupName;
}

const cases: Case[] = [
  {
    name: 'ECDSA, AES-128-GCM, X25519, GCM-first SRTP',
    server: 'ecdsa',
    client: 'ecdsa',
    theirSrtp: 'SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80',
    expectSuite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    expectGroup: 'x25519',
  },
  {
    name: 'ECDSA, AES-256-GCM-SHA384, P-384',
    server: 'ecdsa',
    client: 'ecdsa',
    cipher: 'ECDHE-ECDSA-AES256-GCM-SHA384',
    groups: 'P-384:P-256',
    ourGroups: ['P-384', 'P-256'],
    theirSrtp: 'SRTP_AEAD_AES_256_GCM',
    expectSuite: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    expectGroup: 'P-384',
  },
  {
    name: 'ECDSA, ChaCha20-Poly1305, P-256, CM-first SRTP both sides',
    server: 'ecdsa',
    client: 'ecdsa',
    cipher: 'ECDHE-ECDSA-CHACHA20-POLY1305',
    groups: 'P-256',
    theirSrtp: 'SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM',
    ourSrtp: ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'],
    expectSuite: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    expectGroup: 'P-256',
  },
  {
    name: 'RSA server, ECDSA client, RSA-AES-128-GCM, X25519, SHA1_32 only',
    server: 'rsa',
    client: 'ecdsa',
    cipher: 'ECDHE-RSA-AES128-GCM-SHA256',
    theirSrtp: 'SRTP_AES128_CM_SHA1_32',
    expectSuite: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    expectGroup: 'x25519',
  },
  {
    name: 'RSA both, RSA-AES-256-GCM-SHA384, P-384',
    server: 'rsa',
    client: 'rsa',
    cipher: 'ECDHE-RSA-AES256-GCM-SHA384',
    groups: 'P-384:P-256',
    ourGroups: ['P-384', 'P-256'],
    theirSrtp: 'SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM',
    expectSuite: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    expectGroup: 'P-384',
  },
  {
    name: 'RSA both, RSA-ChaCha20-Poly1305, P-256',
    server: 'rsa',
    client: 'rsa',
    cipher: 'ECDHE-RSA-CHACHA20-POLY1305',
    groups: 'P-256',
    theirSrtp: 'SRTP_AES128_CM_SHA1_80',
    expectSuite: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    expectGroup: 'P-256',
  },
];

function opensslArgs(c: Case, role: 's_server' | 's_client', port: number): string[] {
  const mine = certs[role === 's_server' ? c.server : c.client];
  const args = [role, '-dtls1_2', '-cert', mine.certFile, '-key', mine.keyFile];
  args.push('-use_srtp', c.theirSrtp, '-keymatexport', LABEL, '-keymatexportlen', String(EXPORT_LENGTH));
  if (c.cipher) args.push('-cipher', c.cipher);
  if (c.groups) args.push('-groups', c.groups);
  if (role === 's_server') args.push('-accept', `127.0.0.1:${port}`, '-verify', '1');
  else args.push('-connect', `127.0.0.1:${port}`);
  return args;
}

/** Checks what both sides agreed, the exporter output and data both ways. */
async function checkSession(c: Case, ours: UdpDtls, peer: OpensslProcess): Promise<void> {
  const t = ours.transport;
  const theirCert = certs[t.role === 'client' ? c.server : c.client].cert;
  expect(t.cipherSuite?.name).toBe(c.expectSuite);
  expect(t.namedGroup).toBe(c.expectGroup);
  expect(t.extendedMasterSecret).toBe(true);
  // The peer certificate we verified is the one OpenSSL used.
  expect(t.remoteCertificate?.equals(theirCert.der)).toBe(true);

  await peer.waitFor(/Keying material: [0-9A-F]+/);
  const theirs = parseKeyingMaterial(peer.output());
  expect(theirs?.toString('hex')).toBe(t.exportKeyingMaterial(LABEL, EXPORT_LENGTH).toString('hex'));

  const profile = t.srtpProfile;
  expect(profile).toBeDefined();
  expect(OPENSSL_SRTP_NAMES[profile!.cryptoSuite]).toBe(parseSrtpProfile(peer.output()));
  // RFC 5764 §4.2 split: client key | server key | client salt | server salt.
  const k = profile!.masterKeyLength;
  const s = profile!.masterSaltLength;
  const m = t.getSrtpKeyingMaterial()!;
  const [local, remote] = t.role === 'client' ? [0, 1] : [1, 0];
  expect(m.localMasterKey.toString('hex')).toBe(theirs!.subarray(local * k, local * k + k).toString('hex'));
  expect(m.remoteMasterKey.toString('hex')).toBe(
    theirs!.subarray(remote * k, remote * k + k).toString('hex'),
  );
  expect(m.localMasterSalt.toString('hex')).toBe(
    theirs!.subarray(2 * k + local * s, 2 * k + local * s + s).toString('hex'),
  );
  expect(m.remoteMasterSalt.toString('hex')).toBe(
    theirs!.subarray(2 * k + remote * s, 2 * k + remote * s + s).toString('hex'),
  );

  // Application data: ours → OpenSSL's stdout, OpenSSL's stdin → ours.
  expect(t.send(Buffer.from('ping from tsfu\n'))).toBe(true);
  await peer.waitFor(/ping from tsfu/);
  peer.write('pong from openssl\n');
  await until(
    () => ours.received.some((d) => d.toString().includes('pong from openssl')),
    3000,
    'data from openssl',
  );
  expect(t.stats.badRecords).toBe(0);
}

describe('our client ↔ openssl s_server -dtls1_2', () => {
  for (const c of cases) {
    it(c.name, async () => {
      let server: OpensslProcess | undefined;
      let port = 0;
      // The port was free a moment ago; retry if another process took it.
      for (let attempt = 0; attempt < 3 && !server; attempt++) {
        port = await freeUdpPort();
        const p = spawnOpenssl(opensslArgs(c, 's_server', port));
        try {
          await p.waitFor(/ACCEPT/);
          server = p;
        } catch {
          await p.kill();
        }
      }
      expect(server).toBeDefined();
      const client = await udpDtls(
        {
          role: 'client',
          certificate: certs[c.client].cert,
          remoteFingerprints: [{ algorithm: 'sha-256', value: certs[c.server].cert.fingerprint('sha-256') }],
          srtpProfiles: c.ourSrtp,
          groups: c.ourGroups,
        },
        { port },
      );
      endpoints.push(client);
      client.transport.start();
      await client.connected;
      expect(client.transport.state).toBe('connected');
      await checkSession(c, client, server!);
    });
  }
});

describe('openssl s_client -dtls1_2 ↔ our server', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const server = await udpDtls({
        role: 'server',
        certificate: certs[c.server].cert,
        remoteFingerprints: [{ algorithm: 'sha-256', value: certs[c.client].cert.fingerprint('sha-256') }],
        srtpProfiles: c.ourSrtp,
        groups: c.ourGroups,
      });
      endpoints.push(server);
      server.transport.start();
      const client = spawnOpenssl(opensslArgs(c, 's_client', server.port));
      await server.connected;
      await client.waitFor(/Cipher is/);
      expect(client.output()).toMatch(/Protocol\s*: DTLSv1\.2/);
      // s_client made us send a HelloVerifyRequest first: the cookie exchange ran.
      expect(server.transport.stats.helloVerifyRequestsSent).toBeGreaterThanOrEqual(1);
      await checkSession(c, server, client);
    });
  }

  it('s_client -dtls (highest version it has) settles on DTLS 1.2', async () => {
    // OpenSSL 3.0 has no DTLS 1.3, so `-dtls` offers 1.2 at most; a build with
    // 1.3 would offer it in supported_versions and we must still answer 1.2.
    const server = await udpDtls({ role: 'server', certificate: certs.ecdsa.cert, mtu: 500 });
    endpoints.push(server);
    server.transport.start();
    const client = spawnOpenssl([
      's_client',
      '-dtls',
      '-connect',
      `127.0.0.1:${server.port}`,
      '-cert',
      certs.rsa.certFile,
      '-key',
      certs.rsa.keyFile,
      '-keymatexport',
      LABEL,
      '-keymatexportlen',
      '32',
    ]);
    await server.connected;
    await client.waitFor(/Keying material: [0-9A-F]+/);
    expect(client.output()).toMatch(/Protocol\s*: DTLSv1\.2/);
    expect(parseKeyingMaterial(client.output())?.toString('hex')).toBe(
      server.transport.exportKeyingMaterial(LABEL, 32).toString('hex'),
    );
    // No use_srtp offered, so none agreed.
    expect(server.transport.srtpProfile).toBeUndefined();
  });

  it('s_client -dtls -mtu 256 with a long SNI: its ClientHello arrives in fragments before and after the cookie', async () => {
    const server = await udpDtls({ role: 'server', certificate: certs.ecdsa.cert });
    endpoints.push(server);
    server.transport.start();
    // OpenSSL's smallest link MTU is 256 (228-byte datagrams); a 243-byte server_name makes its hello ~430 bytes.
    const sni = Array.from({ length: 4 }, () => 'a'.repeat(60)).join('.');
    const client = spawnOpenssl([
      's_client',
      '-dtls',
      '-mtu',
      '256',
      '-servername',
      sni,
      '-connect',
      `127.0.0.1:${server.port}`,
    ]);
    await server.connected;
    await client.waitFor(/Cipher is ECDHE/);
    expect(client.output()).toMatch(/Protocol\s*: DTLSv1\.2/);
    // ClientHello fragments per message_seq, read from the datagrams as they arrived.
    const fragments = new Map<number, number>();
    for (const d of server.datagrams) {
      for (let off = 0; off + 13 <= d.length; off += 13 + d.readUInt16BE(off + 11)) {
        if (d[off] === 22 && d.readUInt16BE(off + 3) === 0 && d[off + 13] === 1) {
          const seq = d.readUInt16BE(off + 17);
          fragments.set(seq, (fragments.get(seq) ?? 0) + 1);
        }
      }
    }
    expect(fragments.get(0)).toBeGreaterThanOrEqual(2); // before the cookie
    expect(fragments.get(1)).toBeGreaterThanOrEqual(2); // with the cookie
    expect(server.transport.stats.helloVerifyRequestsSent).toBeGreaterThanOrEqual(1);
  });

  it('a wrong fingerprint for the openssl client ends in failed with a reason', async () => {
    const server = await udpDtls({
      role: 'server',
      certificate: certs.ecdsa.cert,
      remoteFingerprints: [{ algorithm: 'sha-256', value: certs.ecdsa.cert.fingerprint('sha-256') }],
    });
    endpoints.push(server);
    server.transport.start();
    spawnOpenssl([
      's_client',
      '-dtls1_2',
      '-connect',
      `127.0.0.1:${server.port}`,
      '-cert',
      certs.rsa.certFile,
      '-key',
      certs.rsa.keyFile,
    ]);
    await expect(server.connected).rejects.toThrow(/fingerprint/);
    expect(server.transport.state).toBe('failed');
    expect(server.transport.failureReason).toMatch(/does not match the signalled fingerprint/);
  });
});
