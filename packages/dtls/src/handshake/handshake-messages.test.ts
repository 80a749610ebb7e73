import { describe, expect, it } from 'vitest';
import { marshalCertificate, unmarshalCertificate } from './certificate.js';
import { marshalCertificateRequest, unmarshalCertificateRequest } from './certificate-request.js';
import { marshalCertificateVerify, unmarshalCertificateVerify } from './certificate-verify.js';
import { marshalClientHello, peekClientHelloCookie, unmarshalClientHello } from './client-hello.js';
import { marshalClientKeyExchange, unmarshalClientKeyExchange } from './client-key-exchange.js';
import { unmarshalFinished } from './finished.js';
import {
  marshalHandshakeHeader,
  unmarshalHandshakeHeader,
  wrapHandshakeMessage,
} from './handshake-header.js';
import { marshalHelloVerifyRequest, unmarshalHelloVerifyRequest } from './hello-verify-request.js';
import { marshalServerHello, unmarshalServerHello } from './server-hello.js';
import { unmarshalServerHelloDone } from './server-hello-done.js';
import { marshalServerKeyExchange, unmarshalServerKeyExchange } from './server-key-exchange.js';

const random = Array.from({ length: 32 }, (_, i) => i);
const b = (xs: number[]) => Buffer.from(xs);

describe('handshake header (RFC 6347 §4.2.2)', () => {
  it('round-trips a middle fragment', () => {
    const bytes = b([
      0x0b, //             msg_type: certificate
      0x00,
      0x01,
      0x00, // length 256
      0x00,
      0x02, //       message_seq 2
      0x00,
      0x00,
      0x80, // fragment_offset 128
      0x00,
      0x00,
      0x04, // fragment_length 4
      1,
      2,
      3,
      4,
    ]);
    const h = unmarshalHandshakeHeader(bytes);
    expect(h).toEqual({ type: 11, length: 256, messageSeq: 2, fragmentOffset: 128, fragmentLength: 4 });
    expect(marshalHandshakeHeader(h!)).toEqual(bytes.subarray(0, 12));
  });
  const errors = [
    { name: 'short header', bytes: [0x01, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0] },
    { name: 'fragment runs past the record', bytes: [0x01, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3] },
    {
      name: 'offset + fragment length > message length',
      bytes: [0x01, 0, 0, 4, 0, 0, 0, 0, 2, 0, 0, 3, 1, 2, 3],
    },
  ];
  for (const e of errors)
    it(`rejects: ${e.name}`, () => expect(unmarshalHandshakeHeader(b(e.bytes))).toBeUndefined());

  it('wraps a whole message as the transcript hashes it', () => {
    expect(wrapHandshakeMessage(20, 5, b([9, 9]))).toEqual(b([20, 0, 0, 2, 0, 5, 0, 0, 0, 0, 0, 2, 9, 9]));
  });
});

describe('ClientHello', () => {
  const bytes = b([
    0xfe,
    0xfd, //                 client_version DTLS 1.2
    ...random, //                  random
    0x00, //                       session_id: empty
    0x02,
    0xc0,
    0xde, //           cookie: 2 bytes
    0x00,
    0x04,
    0xc0,
    0x2b,
    0xc0,
    0x2f, // cipher_suites: c02b, c02f
    0x01,
    0x00, //                 compression_methods: null
    0x00,
    0x08, //                 extensions: 8 bytes
    0x00,
    0x17,
    0x00,
    0x00, //     extended_master_secret, empty
    0xff,
    0x01,
    0x00,
    0x00, //     renegotiation_info with an empty body (malformed inside; kept raw here)
  ]);
  it('round-trips', () => {
    const m = unmarshalClientHello(bytes)!;
    expect(m.version).toBe(0xfefd);
    expect(Buffer.from(m.cookie)).toEqual(b([0xc0, 0xde]));
    expect(m.cipherSuites).toEqual([0xc02b, 0xc02f]);
    expect(m.extensions.map((e) => e.type)).toEqual([0x17, 0xff01]);
    expect(marshalClientHello(m)).toEqual(bytes);
    expect(peekClientHelloCookie(bytes)).toEqual({ randomOffset: 2, cookieOffset: 36, cookieLength: 2 });
  });
  it('parses a hello without an extensions block', () => {
    expect(unmarshalClientHello(bytes.subarray(0, bytes.length - 10))?.extensions).toEqual([]);
  });
  const errors: [string, Buffer][] = [
    ['truncated random', bytes.subarray(0, 20)],
    [
      'odd cipher_suites length',
      Buffer.concat([bytes.subarray(0, 38), b([0x00, 0x03, 0xc0, 0x2b, 0x00, 0x01, 0x00])]),
    ],
    ['no compression methods', Buffer.concat([bytes.subarray(0, 38), b([0x00, 0x02, 0xc0, 0x2b, 0x00])])],
    [
      'extensions length overruns',
      Buffer.concat([bytes.subarray(0, bytes.length - 10), b([0x00, 0x09, 0, 0x17, 0, 0])]),
    ],
    [
      'duplicate extension',
      Buffer.concat([bytes.subarray(0, bytes.length - 10), b([0x00, 0x08, 0, 0x17, 0, 0, 0, 0x17, 0, 0])]),
    ],
    ['trailing garbage', Buffer.concat([bytes, b([0])])],
    ['session_id longer than 32', Buffer.concat([bytes.subarray(0, 34), b([33]), Buffer.alloc(40)])],
  ];
  for (const [name, buf] of errors)
    it(`rejects: ${name}`, () => expect(unmarshalClientHello(buf)).toBeUndefined());
  it('peek refuses a first fragment too short to hold the cookie', () => {
    expect(peekClientHelloCookie(bytes.subarray(0, 36))).toBeUndefined();
    expect(peekClientHelloCookie(bytes.subarray(0, 37))).toBeUndefined();
  });
});

describe('ServerHello, HelloVerifyRequest, ServerKeyExchange, CertificateRequest', () => {
  it('ServerHello round-trips and rejects truncation', () => {
    const bytes = b([
      0xfe,
      0xfd, //         server_version
      ...random, //          random
      0x00, //               session_id: empty
      0xc0,
      0x2b, //         cipher_suite
      0x00, //               compression_method: null
      0x00,
      0x04, //         extensions: 4 bytes
      0x00,
      0x17,
      0x00,
      0x00, // extended_master_secret
    ]);
    const m = unmarshalServerHello(bytes)!;
    expect(m.cipherSuite).toBe(0xc02b);
    expect(marshalServerHello(m)).toEqual(bytes);
    expect(unmarshalServerHello(bytes.subarray(0, 36))).toBeUndefined();
  });
  it('HelloVerifyRequest round-trips and rejects a bad cookie length', () => {
    const bytes = b([0xfe, 0xff /* server_version DTLS 1.0 */, 0x03 /* cookie length */, 1, 2, 3]);
    expect(unmarshalHelloVerifyRequest(bytes)).toEqual({ version: 0xfeff, cookie: b([1, 2, 3]) });
    expect(marshalHelloVerifyRequest({ version: 0xfeff, cookie: b([1, 2, 3]) })).toEqual(bytes);
    expect(unmarshalHelloVerifyRequest(b([0xfe, 0xff, 0x04, 1, 2, 3]))).toBeUndefined();
  });
  it('ServerKeyExchange round-trips; other curve types and truncation are rejected', () => {
    const bytes = b([
      0x03, //             curve_type: named_curve
      0x00,
      0x1d, //       named_curve: x25519
      0x02,
      0xaa,
      0xbb, // public key (2 bytes here)
      0x04,
      0x03, //       signature scheme: ecdsa_secp256r1_sha256
      0x00,
      0x02,
      0x30,
      0x00, // signature
    ]);
    const m = unmarshalServerKeyExchange(bytes)!;
    expect(m).toEqual({
      namedGroup: 29,
      publicKey: b([0xaa, 0xbb]),
      signatureScheme: 0x0403,
      signature: b([0x30, 0]),
    });
    expect(marshalServerKeyExchange(m)).toEqual(bytes);
    expect(unmarshalServerKeyExchange(Buffer.concat([b([0x01]), bytes.subarray(1)]))).toBeUndefined();
    expect(unmarshalServerKeyExchange(bytes.subarray(0, 10))).toBeUndefined();
  });
  it('CertificateRequest round-trips', () => {
    const bytes = b([
      0x02,
      0x40,
      0x01, //           certificate_types: ecdsa_sign, rsa_sign
      0x00,
      0x04,
      0x04,
      0x03,
      0x08,
      0x04, // supported_signature_algorithms
      0x00,
      0x00, //                 certificate_authorities: none
    ]);
    const m = unmarshalCertificateRequest(bytes)!;
    expect(m).toEqual({ certificateTypes: [64, 1], signatureSchemes: [0x0403, 0x0804] });
    expect(marshalCertificateRequest(m)).toEqual(bytes);
    expect(unmarshalCertificateRequest(bytes.subarray(0, 8))).toBeUndefined();
  });
});

describe('Certificate, ClientKeyExchange, CertificateVerify, Finished, ServerHelloDone', () => {
  it('Certificate: chain of two, empty chain, and bad inner lengths', () => {
    const bytes = b([
      0x00,
      0x00,
      0x09, //       certificate_list length 9
      0x00,
      0x00,
      0x02,
      1,
      2, // cert 1
      0x00,
      0x00,
      0x01,
      3, //   cert 2
    ]);
    expect(unmarshalCertificate(bytes)?.certificates.map((c) => Buffer.from(c))).toEqual([b([1, 2]), b([3])]);
    expect(marshalCertificate({ certificates: [b([1, 2]), b([3])] })).toEqual(bytes);
    expect(unmarshalCertificate(b([0, 0, 0]))).toEqual({ certificates: [] });
    expect(unmarshalCertificate(b([0, 0, 4, 0, 0, 2, 1]))).toBeUndefined();
    expect(unmarshalCertificate(b([0, 0, 3, 0, 0, 0]))).toBeUndefined(); // zero-length certificate
  });
  it('ClientKeyExchange', () => {
    expect(unmarshalClientKeyExchange(b([0x02, 7, 8]))).toEqual({ publicKey: b([7, 8]) });
    expect(marshalClientKeyExchange({ publicKey: b([7, 8]) })).toEqual(b([2, 7, 8]));
    expect(unmarshalClientKeyExchange(b([0x00]))).toBeUndefined();
    expect(unmarshalClientKeyExchange(b([0x03, 7, 8]))).toBeUndefined();
  });
  it('CertificateVerify', () => {
    const bytes = b([0x08, 0x04 /* rsa_pss_rsae_sha256 */, 0x00, 0x01, 0x55]);
    expect(marshalCertificateVerify(unmarshalCertificateVerify(bytes)!)).toEqual(bytes);
    expect(unmarshalCertificateVerify(b([0x08, 0x04, 0x00, 0x00]))).toBeUndefined();
  });
  it('Finished is exactly 12 bytes; ServerHelloDone is empty', () => {
    expect(unmarshalFinished(Buffer.alloc(12))).toBeDefined();
    expect(unmarshalFinished(Buffer.alloc(11))).toBeUndefined();
    expect(unmarshalServerHelloDone(Buffer.alloc(0))).toBe(true);
    expect(unmarshalServerHelloDone(Buffer.alloc(1))).toBeUndefined();
  });
});
