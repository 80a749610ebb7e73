/**
 * Interop with werift-dtls (a pure-TypeScript DTLS stack) in both roles. The
 * two stacks talk through an in-process datagram carrier; werift only speaks
 * ECDHE with AES-128-GCM over X25519/P-256, so those are what we cover here.
 */
// werift-dtls 0.5.8's "main" points at a missing lib/index.js; its real entry is lib/dtls/src.

import { afterEach, describe, expect, it } from 'vitest';
import { CipherContext, DtlsClient, DtlsServer } from 'werift-dtls/lib/dtls/src/index.js';
import { DtlsCertificate } from './dtls-certificate.js';
import type { DtlsTransport } from './dtls-transport.js';
import { DtlsTransport as Transport } from './dtls-transport.js';
import { until } from './testing/udp-endpoint.test-util.js';

/** werift's Transport shape, delivering to our transport on the next tick. */
function carrier(deliver: (d: Buffer) => void) {
  return {
    type: 'udp',
    address: { address: '127.0.0.1', family: 'IPv4', port: 0 },
    closed: false,
    onData: (_d: Buffer, _a: unknown) => {},
    send: async (d: Buffer) => {
      setImmediate(() => deliver(d));
    },
    close: async () => {},
  };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function weriftCert(signature: 1 | 3) {
  // werift makes its own certificate; loading it with fromPem checks our PEM import too.
  const made = await CipherContext.createSelfSignedCertificateWithKey({ hash: 4, signature }, 23);
  return { ...made, ours: DtlsCertificate.fromPem(made.certPem, made.keyPem) };
}

describe('werift-dtls interop', () => {
  for (const weriftKey of [3, 1] as const) {
    const label = weriftKey === 3 ? 'ECDSA' : 'RSA';
    it(`our client ↔ werift server (${label} certificate)`, async () => {
      const theirs = await weriftCert(weriftKey);
      const mine = await DtlsCertificate.generate();
      let ours: DtlsTransport | undefined;
      const t = carrier((d) => ours?.handle(d));
      const server = new DtlsServer({
        transport: t,
        cert: theirs.certPem,
        key: theirs.keyPem,
        signatureHash: theirs.signatureHash,
        srtpProfiles: [7, 1],
        certificateRequest: true,
        extendedMasterSecret: true,
      });
      cleanups.push(() => server.close());
      ours = new Transport({
        role: 'client',
        certificate: mine,
        remoteFingerprints: [{ algorithm: 'sha-256', value: theirs.ours.fingerprint() }],
        send: (d) => setImmediate(() => t.onData(d, { address: '127.0.0.1', port: 1 })),
      });
      cleanups.push(() => ours?.close());
      const serverData: Buffer[] = [];
      server.onData.subscribe((d) => serverData.push(d));
      const connected = server.onConnect.asPromise(5000);
      ours.start();
      await connected;
      await until(() => ours!.state === 'connected', 5000, 'our client connected');
      expect(ours.cipherSuite?.name).toBe(
        weriftKey === 3 ? 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' : 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
      );
      expect(ours.srtpProfile?.cryptoSuite).toBe('AEAD_AES_128_GCM');
      // Same exporter output on both sides, and werift's SRTP split matches ours.
      expect(ours.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 56)).toEqual(
        server.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 56),
      );
      const w = server.extractSessionKeys(16, 12);
      const m = ours.getSrtpKeyingMaterial()!;
      expect(m.localMasterKey).toEqual(w.remoteKey);
      expect(m.remoteMasterKey).toEqual(w.localKey);
      expect(m.localMasterSalt).toEqual(w.remoteSalt);
      expect(m.remoteMasterSalt).toEqual(w.localSalt);
      expect(server.remoteCertificate?.equals(mine.der)).toBe(true);
      // Application data both ways.
      const ourData: Buffer[] = [];
      ours.on('data', (d) => ourData.push(d));
      ours.send(Buffer.from('hello werift'));
      await server.send(Buffer.from('hello tsfu'));
      await until(() => serverData.length > 0 && ourData.length > 0, 3000, 'data both ways');
      expect(serverData[0].toString()).toBe('hello werift');
      expect(ourData[0].toString()).toBe('hello tsfu');
    });

    it(`werift client ↔ our server (${label} client certificate)`, async () => {
      const theirs = await weriftCert(weriftKey);
      const mine = await DtlsCertificate.generate();
      let ours: DtlsTransport | undefined;
      const t = carrier((d) => ours?.handle(d));
      ours = new Transport({
        role: 'server',
        certificate: mine,
        remoteFingerprints: [{ algorithm: 'sha-256', value: theirs.ours.fingerprint() }],
        srtpProfiles: ['AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM'],
        send: (d) => setImmediate(() => t.onData(d, { address: '127.0.0.1', port: 1 })),
      });
      cleanups.push(() => ours?.close());
      const client = new DtlsClient({
        transport: t,
        cert: theirs.certPem,
        key: theirs.keyPem,
        signatureHash: theirs.signatureHash,
        srtpProfiles: [7, 1],
        extendedMasterSecret: true,
      });
      cleanups.push(() => client.close());
      ours.start();
      const connected = client.onConnect.asPromise(5000);
      client.connect();
      await connected;
      await until(() => ours!.state === 'connected', 5000, 'our server connected');
      expect(ours.cipherSuite?.name).toBe('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
      // Our preference order wins as server.
      expect(ours.srtpProfile?.cryptoSuite).toBe('AES_CM_128_HMAC_SHA1_80');
      expect(client.srtp.srtpProfile).toBe(1);
      expect(ours.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60)).toEqual(
        client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60),
      );
      expect(ours.remoteCertificate?.equals(theirs.ours.der)).toBe(true);
      const ourData: Buffer[] = [];
      ours.on('data', (d) => ourData.push(d));
      const clientData: Buffer[] = [];
      client.onData.subscribe((d) => clientData.push(d));
      await client.send(Buffer.from('from werift'));
      ours.send(Buffer.from('from tsfu'));
      await until(() => clientData.length > 0 && ourData.length > 0, 3000, 'data both ways');
      expect(ourData[0].toString()).toBe('from werift');
      expect(clientData[0].toString()).toBe('from tsfu');
    });
  }
});
