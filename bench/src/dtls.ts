/**
 * @tsfu/dtls benchmark: full DTLS 1.2 handshakes (cookie exchange, mutual
 * certificate authentication, EMS, use_srtp) with both endpoints in one
 * process over a synchronous in-memory link, and the primitives a server
 * handshake spends its time in. Baseline: the WebRTC default, ECDSA P-256
 * certificates with X25519. Also reports the server's own CPU per handshake.
 *
 *   pnpm exec tsc -b bench && node bench/dist/dtls.js
 */
import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { DtlsCertificate as Certificate, type DtlsCertificate, DtlsTransport } from '@tsfu/dtls';
import { consume, runSuite, saveResults } from './harness.js';

const [ecdsaServer, ecdsaClient, rsaServer] = await Promise.all([
  Certificate.generate(),
  Certificate.generate(),
  Certificate.generate({ type: 'rsa' }),
]);

/** Server-side CPU, summed over timed handshakes. */
let serverNs = 0n;
let serverHandshakes = 0;

/** One complete handshake; datagrams are pumped synchronously from a queue. */
function handshake(
  serverCert: DtlsCertificate,
  clientCert: DtlsCertificate,
  group: 'x25519' | 'P-256',
  timeServer: boolean,
): void {
  const queue: [DtlsTransport, Buffer][] = [];
  const server: DtlsTransport = new DtlsTransport({
    role: 'server',
    certificate: serverCert,
    remoteFingerprints: [{ algorithm: 'sha-256', value: clientFp }],
    send: (d) => queue.push([client, d]),
  });
  const client: DtlsTransport = new DtlsTransport({
    role: 'client',
    certificate: clientCert,
    remoteFingerprints: [{ algorithm: 'sha-256', value: serverCert === rsaServer ? rsaFp : serverFp }],
    groups: [group],
    send: (d) => queue.push([server, d]),
  });
  server.start();
  client.start();
  for (let i = 0; i < 64 && queue.length > 0; i++) {
    const [to, d] = queue.shift()!;
    if (timeServer && to === server) {
      const t0 = process.hrtime.bigint();
      to.handle(d);
      serverNs += process.hrtime.bigint() - t0;
    } else {
      to.handle(d);
    }
  }
  if (server.state !== 'connected' || client.state !== 'connected') {
    throw new Error(`handshake did not complete: ${server.failureReason ?? client.failureReason}`);
  }
  if (timeServer) serverHandshakes++;
  consume(client.exportKeyingMaterial('EXTRACTOR-dtls_srtp', 60)[0]);
  client.close();
  server.close();
}

const serverFp = ecdsaServer.fingerprint('sha-256');
const clientFp = ecdsaClient.fingerprint('sha-256');
const rsaFp = rsaServer.fingerprint('sha-256');

// Primitives a server runs per handshake, with node:crypto directly.
const peerJwk = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' });
const signed = Buffer.alloc(32 + 32 + 36, 7);
const ecdsaKey: KeyObject = createPrivateKey(ecdsaServer.privateKeyPem);
const ecdsaPub = createPublicKey(ecdsaKey);
const ecdsaSig = sign('sha256', signed, ecdsaKey);
const rsaKey: KeyObject = createPrivateKey(rsaServer.privateKeyPem);

// Connected pair for the record path.
const appQueue: [DtlsTransport, Buffer][] = [];
const appServer: DtlsTransport = new DtlsTransport({
  role: 'server',
  certificate: ecdsaServer,
  send: (d) => appQueue.push([appClient, d]),
});
const appClient: DtlsTransport = new DtlsTransport({
  role: 'client',
  certificate: ecdsaClient,
  send: (d) => appQueue.push([appServer, d]),
});
appServer.start();
appClient.start();
while (appQueue.length > 0) {
  const [to, d] = appQueue.shift()!;
  to.handle(d);
}
if (appClient.state !== 'connected') throw new Error('record-path pair did not connect');
const payload = Buffer.alloc(1200, 0x5a);
let received = 0;
appServer.on('data', (d) => {
  received += d.length;
});

const results = runSuite(
  'dtls: full handshakes, both endpoints in one process (ops = handshakes or primitive calls)',
  [
    {
      name: 'handshake ECDSA P-256 + X25519 (baseline)',
      baseline: true,
      run: (n) => {
        for (let i = 0; i < n; i++) handshake(ecdsaServer, ecdsaClient, 'x25519', false);
      },
    },
    {
      name: 'handshake ECDSA P-256 + P-256 ECDHE',
      run: (n) => {
        for (let i = 0; i < n; i++) handshake(ecdsaServer, ecdsaClient, 'P-256', false);
      },
    },
    {
      name: 'handshake RSA-2048 server + X25519',
      run: (n) => {
        for (let i = 0; i < n; i++) handshake(rsaServer, ecdsaClient, 'x25519', false);
      },
    },
    {
      name: 'X25519 keygen + shared secret (1 side)',
      run: (n) => {
        for (let i = 0; i < n; i++) {
          // what X25519KeyShare does: generate, export raw (JWK), import the peer's, derive
          const { privateKey, publicKey } = generateKeyPairSync('x25519');
          consume(publicKey.export({ format: 'jwk' }).x!.length);
          const pub = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: peerJwk.x }, format: 'jwk' });
          consume(diffieHellman({ privateKey, publicKey: pub })[0]);
        }
      },
    },
    {
      name: 'ECDSA P-256 sign (ServerKeyExchange)',
      run: (n) => {
        for (let i = 0; i < n; i++) consume(sign('sha256', signed, ecdsaKey)[0]);
      },
    },
    {
      name: 'ECDSA P-256 verify (CertificateVerify)',
      run: (n) => {
        for (let i = 0; i < n; i++) consume(verify('sha256', signed, ecdsaPub, ecdsaSig) ? 1 : 0);
      },
    },
    {
      name: 'RSA-2048 PKCS#1 sign',
      run: (n) => {
        for (let i = 0; i < n; i++) consume(sign('sha256', signed, rsaKey)[0]);
      },
    },
    {
      name: 'app data 1200 B: seal (send) + open (handle), AES-128-GCM',
      run: (n) => {
        for (let i = 0; i < n; i++) {
          appClient.send(payload);
          const [to, d] = appQueue.pop()!;
          to.handle(d);
        }
      },
    },
  ],
  { rounds: 9, roundMs: 150, maxMs: 25_000 },
);
consume(received);

// Server-side CPU, measured warm after the suite: only the server's handle() calls are timed.
serverNs = 0n;
serverHandshakes = 0;
for (let i = 0; i < 300; i++) handshake(ecdsaServer, ecdsaClient, 'x25519', true);
const serverUsPerHandshake = Number(serverNs) / 1e3 / serverHandshakes;
const byName = (prefix: string) => results.find((r) => r.name.startsWith(prefix))!;
const ecdheUs = byName('X25519').nsPerOp / 1e3;
const signUs = byName('ECDSA P-256 sign').nsPerOp / 1e3;
const verifyUs = byName('ECDSA P-256 verify').nsPerOp / 1e3;
const serverShare = {
  serverUsPerHandshake,
  serverHandshakesPerSecond: 1e6 / serverUsPerHandshake,
  ecdheSharePct: (100 * ecdheUs) / serverUsPerHandshake,
  signatureSharePct: (100 * (signUs + verifyUs)) / serverUsPerHandshake,
};
console.log('\n## dtls: server-side CPU per handshake (baseline case)');
console.table({
  'server µs per handshake': serverUsPerHandshake.toFixed(0),
  'server handshakes/s per core': Math.round(serverShare.serverHandshakesPerSecond).toLocaleString('en-US'),
  'ECDHE share (X25519 gen + derive)': `${serverShare.ecdheSharePct.toFixed(0)}%`,
  'signature share (1 ECDSA sign + 1 verify)': `${serverShare.signatureSharePct.toFixed(0)}%`,
});
console.log(`saved ${saveResults('dtls', { results, serverShare })}`);
