import { describe, expect, it } from 'vitest';
import { type CipherSuiteName, cipherSuiteByName } from '../cipher-suite/cipher-suite.js';
import { unmarshalRecordHeader } from '../record/record-header.js';
import {
  computeMasterSecret,
  createRecordCipher,
  deriveRecordKeys,
  exportKeyingMaterial,
} from './key-schedule.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function suiteOf(name: CipherSuiteName) {
  const s = cipherSuiteByName(name);
  if (!s) throw new Error(`no suite ${name}`);
  return s;
}

describe('key schedule without EMS (RFC 5246 §8.1, §6.3)', () => {
  // The published TLS 1.2 master-secret / key-block pair also used in prf.test.ts.
  it('master secret from the randoms, key block cut into AES-128-GCM keys and IVs', () => {
    const suite = suiteOf('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
    const pms = hex(
      'f8938ecc9edebc5030c0c6a441e213cd24e6f770a50dda07876f8d55da062bcadb386b411fd4fe4313a604fce6c17fbc',
    );
    const helloRandoms = {
      clientRandom: hex('36c129d01a3200894b9179faac589d9835d58775f9b5ea3587cb8fd0364cae8c'),
      serverRandom: hex('f6c9575ed7ddd73e1f7d16eca115415812a43c2b747daaaae043abfb50053fce'),
    };
    const ms = computeMasterSecret(suite, pms, helloRandoms, undefined);
    expect(ms.toString('hex')).toBe(
      '202c88c00f84a17a20027079604787461176455539e705be730890602c289a5001e34eeb3a043e5d52a65e66125188bf',
    );
    const keys = deriveRecordKeys(suite, ms, {
      clientRandom: hex('62e1fd91f23f558a605f28478c58cf72637b89784d959df7e946d3f07bd1b616'),
      serverRandom: hex('ae6c806f8ad4d80784549dff28a4b58fd837681a51d928c3e30ee5ff14f39868'),
    });
    // The first 40 bytes of the published key block: 16 + 16 key bytes, then 4 + 4 IV bytes.
    expect(keys.clientWriteKey.toString('hex')).toBe('d06139889fffac1e3a71865f504aa5d0');
    expect(keys.serverWriteKey.toString('hex')).toBe('d2a2e89506c6f2279b670c3e1b74f531');
    expect(keys.clientWriteIv.toString('hex')).toBe('016a2530');
    expect(keys.serverWriteIv.toString('hex')).toBe('c51a3a0f');
  });
});

/**
 * Recorded handshakes: our client against `openssl s_server -dtls1_2 -keylogfile …
 * -keymatexport EXTRACTOR-dtls_srtp` (X25519, ECDSA P-256 certificates on both sides, EMS on).
 * The pre-master secret is the X25519 output our side computed, the session hash is
 * the transcript hash through ClientKeyExchange rebuilt from the captured datagrams;
 * the master secret is OpenSSL's key log line and the exporter OpenSSL's
 * `Keying material:`. Both Finished records are as captured on the wire.
 */
const RECORDED: {
  suite: CipherSuiteName;
  preMasterSecret: string;
  sessionHash: string;
  clientRandom: string;
  serverRandom: string;
  opensslMasterSecret: string;
  opensslExporter: string;
  clientFinishedRecord: string;
  serverFinishedRecord: string;
}[] = [
  {
    suite: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    preMasterSecret: 'db88f78e48b998d6f5f840cd7dbaf76e68240d339d98419fc38a24c5d4afb875',
    sessionHash: 'f51bde07906c38c2294d2e32b602e0694d68f627c2b4b5a9e03466e72a8c8579',
    clientRandom: '60992ff59200eda60f8c1d3b7b707ab754083d275fc82a7bbcd1e62b344f00fd',
    serverRandom: 'fd5e80f5a553171e302bcf1e8fd2d9dd0cd7d4b71d49bafa430c371176187760',
    opensslMasterSecret:
      'b12c582f3a5bc77eb31d67861426d72a11b87157908940833b19286d6ca97fc3c13f50b9a3275f6c91ec483dc5fb5470',
    opensslExporter:
      '522768ccae892f916dec2383f433a1c413f2cf1746eba97e98382a4cb70817040ac5b0b12c9b0611c72e5fca0d325b80851f11be99e8e46a542cd3dc',
    clientFinishedRecord:
      '16fefd000100000000000000300001000000000000b7ace5e3919504765be93113360b71b614cd56dc2d360ca6c56aec9223a2ed665e53b6e46d3e1a70',
    serverFinishedRecord:
      '16fefd00010000000000000030e86a8852f61d344171c5720ecda1c5afd87a5a01807ea4cd32d92461a79056a55b8fc4b910c827d66f20105e56e6aefd',
  },
  {
    suite: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    preMasterSecret: 'ea601803f72de6fdb8ccd668283c1e38376098ac91dcb710c80a850af370a76a',
    sessionHash:
      '1810bac83b6a421556d5b2c2c43a5d8eb2ef069546b219845135431a939e24d3f2cb76b0bacbff529ea36d00c9cc283a',
    clientRandom: 'a913ce3380adbfd82b0912c385c575719608987f21fbee91ac7669438dc9c66d',
    serverRandom: 'c7e24cb30203c048be02de7524249c0e0bd01909b608c99bed094bdd16416516',
    opensslMasterSecret:
      'c6c19d3fd8a8e7055c1308a96fb34ed84a0a345bc37bd062f4f33a80a9f268c1018fa14602f97f9e5c25b0c45e2163d0',
    opensslExporter:
      '1675c4a71dd866b242839a919f233d5a7f2a247b8d0fc992b7e6f8eab4e6be95e8d451aa43d49dfa997ccbbf55d2fd2473d4825fb8de0e5cfbebe1e3',
    clientFinishedRecord:
      '16fefd00010000000000000030000100000000000095197b169312954a763074fe60ffa6feb8d1a45f02bd83386a7582b8e5d97a25c0b730ddab32ab14',
    serverFinishedRecord:
      '16fefd0001000000000000003093e0360cf2c553618fcff6aae1dd3435aa4c55762d9571ecfa6cca9e47cbf6f820c09fbe03f158b04f62e00b380b36b7',
  },
  {
    suite: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    preMasterSecret: 'bde892bdeae1846efc706c1f97402e60f96482681e1b9c12f2ff5ebe9f2ef213',
    sessionHash: '20f37bf7e175a14b5426a22496d266194e0558555a871e167c85ed085eba28ec',
    clientRandom: '315c2b8a88d360bf0e62921a6adcf3de465b527f5d6357294ed4510fe07a7545',
    serverRandom: 'b1ed16491b239ba8db2ea89b4c742367a9a37ff83d7a72a80c1491b7a71b4b46',
    opensslMasterSecret:
      'db7c04a63a9d1cc736495b69fb6a28bba85a60c3c4a9a75254611033e295dd494fb08764fee9f2351b0cd4297d42b37b',
    opensslExporter:
      '44503b08a712dc7a466e91ab87afa6ec785e5727519b0ca698cd20b6cc603ebce460f391d34662eebfc418bdf70d3a682b4eab5de7323bec20bac175',
    clientFinishedRecord:
      '16fefd00010000000000000028c896cb91621cc44047cd75d3c1d6d7563a6825a837b120dd2e16f33bfc0b94fe2798540da31ab7e0',
    serverFinishedRecord:
      '16fefd00010000000000000028a934d5782b729e3f1f0d1e2087f9a8111d4a4401b78b6a14f862c68cc0136b7c123b3918e1db5b53',
  },
];

/** Opens a captured record with `cipher`; the plaintext, or undefined if it does not authenticate. */
function openRecord(cipher: ReturnType<typeof createRecordCipher>, record: Buffer): Buffer | undefined {
  const h = unmarshalRecordHeader(record);
  if (!h) throw new Error('bad recorded header');
  return cipher.open(record, 13, h.length, h.contentType, h.version, h.epoch, h.sequenceNumber);
}

describe('key schedule with EMS, from recorded handshakes with OpenSSL (RFC 7627, RFC 5705)', () => {
  for (const r of RECORDED) {
    it(`${r.suite}: master secret, exporter and both Finished records`, () => {
      const suite = suiteOf(r.suite);
      const randoms = { clientRandom: hex(r.clientRandom), serverRandom: hex(r.serverRandom) };
      const ms = computeMasterSecret(suite, hex(r.preMasterSecret), randoms, hex(r.sessionHash));
      expect(ms.toString('hex')).toBe(r.opensslMasterSecret);
      // Without the session hash the master secret is the RFC 5246 one: a different value.
      expect(computeMasterSecret(suite, hex(r.preMasterSecret), randoms, undefined)).not.toEqual(ms);
      expect(exportKeyingMaterial(suite, ms, randoms, 'EXTRACTOR-dtls_srtp', 60).toString('hex')).toBe(
        r.opensslExporter,
      );

      const keys = deriveRecordKeys(suite, ms, randoms);
      expect(keys.clientWriteKey.length).toBe(suite.keyLength);
      expect(keys.serverWriteIv.length).toBe(suite.fixedIvLength);
      // OpenSSL's Finished opens with the client's read side, ours (which OpenSSL accepted) with the server's.
      const serverFinished = openRecord(
        createRecordCipher(suite, keys, 'client'),
        hex(r.serverFinishedRecord),
      );
      const clientFinished = openRecord(
        createRecordCipher(suite, keys, 'server'),
        hex(r.clientFinishedRecord),
      );
      for (const fin of [serverFinished, clientFinished]) {
        // handshake header: type finished (20), length 12, then 12 bytes of verify_data
        expect(fin?.length).toBe(24);
        expect(fin?.[0]).toBe(20);
        expect(fin?.readUIntBE(1, 3)).toBe(12);
      }
      // Each direction has its own keys: a record does not open with the sender's own side.
      expect(
        openRecord(createRecordCipher(suite, keys, 'server'), hex(r.serverFinishedRecord)),
      ).toBeUndefined();
    });
  }
});
