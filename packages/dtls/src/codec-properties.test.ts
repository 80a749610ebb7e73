/**
 * Property tests over every wire codec: arbitrary bytes never make an
 * unmarshal function throw, and whatever parses re-marshals to the same bytes
 * (Marshal/Unmarshal symmetry) where the encoding is canonical.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unmarshalAlert } from './alert.js';
import { unmarshalEcPointFormats } from './extension/ec-point-formats.js';
import { unmarshalExtensions } from './extension/extension.js';
import { unmarshalRenegotiationInfo } from './extension/renegotiation-info.js';
import { unmarshalSignatureAlgorithms } from './extension/signature-algorithms.js';
import { unmarshalSupportedGroups } from './extension/supported-groups.js';
import { unmarshalUseSrtp } from './extension/use-srtp.js';
import { marshalCertificate, unmarshalCertificate } from './handshake/certificate.js';
import { marshalCertificateRequest, unmarshalCertificateRequest } from './handshake/certificate-request.js';
import { marshalCertificateVerify, unmarshalCertificateVerify } from './handshake/certificate-verify.js';
import { marshalClientHello, peekClientHelloCookie, unmarshalClientHello } from './handshake/client-hello.js';
import { marshalClientKeyExchange, unmarshalClientKeyExchange } from './handshake/client-key-exchange.js';
import { unmarshalFinished } from './handshake/finished.js';
import { unmarshalHandshakeHeader } from './handshake/handshake-header.js';
import { marshalHelloVerifyRequest, unmarshalHelloVerifyRequest } from './handshake/hello-verify-request.js';
import { marshalServerHello, unmarshalServerHello } from './handshake/server-hello.js';
import { marshalServerKeyExchange, unmarshalServerKeyExchange } from './handshake/server-key-exchange.js';
import { unmarshalRecordHeader } from './record/record-header.js';

const bytes = fc.uint8Array({ maxLength: 600 });

describe('codecs never throw on arbitrary bytes', () => {
  const decoders: [string, (b: Uint8Array) => unknown][] = [
    ['record header', (b) => unmarshalRecordHeader(b)],
    ['handshake header', (b) => unmarshalHandshakeHeader(b)],
    ['ClientHello', unmarshalClientHello],
    ['ClientHello peek', peekClientHelloCookie],
    ['ServerHello', unmarshalServerHello],
    ['HelloVerifyRequest', unmarshalHelloVerifyRequest],
    ['Certificate', unmarshalCertificate],
    ['ServerKeyExchange', unmarshalServerKeyExchange],
    ['CertificateRequest', unmarshalCertificateRequest],
    ['ClientKeyExchange', unmarshalClientKeyExchange],
    ['CertificateVerify', unmarshalCertificateVerify],
    ['Finished', unmarshalFinished],
    ['extensions', unmarshalExtensions],
    ['use_srtp', unmarshalUseSrtp],
    ['supported_groups', unmarshalSupportedGroups],
    ['signature_algorithms', unmarshalSignatureAlgorithms],
    ['ec_point_formats', unmarshalEcPointFormats],
    ['renegotiation_info', unmarshalRenegotiationInfo],
    ['alert', unmarshalAlert],
  ];
  for (const [name, decode] of decoders) {
    it(name, () => {
      fc.assert(
        fc.property(bytes, (b) => {
          decode(b);
        }),
        { numRuns: 500 },
      );
    });
  }
});

describe('marshal ∘ unmarshal is the identity on generated messages', () => {
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const opaque = (max: number, min = 0) => fc.uint8Array({ minLength: min, maxLength: max });
  const extension = fc.record({ type: u16, data: opaque(40) });
  const extensions = fc.uniqueArray(extension, { selector: (e) => e.type, maxLength: 6 });

  it('ClientHello', () => {
    fc.assert(
      fc.property(
        fc.record({
          version: u16,
          random: opaque(32, 32),
          sessionId: opaque(32),
          cookie: opaque(255),
          cipherSuites: fc.array(u16, { minLength: 1, maxLength: 20 }),
          compressionMethods: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 3 }),
          extensions,
        }),
        (m) => {
          const wire = marshalClientHello(m);
          expect(marshalClientHello(unmarshalClientHello(wire)!)).toEqual(wire);
          expect(peekClientHelloCookie(wire)?.cookieLength).toBe(m.cookie.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('ServerHello, HelloVerifyRequest, ServerKeyExchange, CertificateRequest, CertificateVerify, ClientKeyExchange, Certificate', () => {
    fc.assert(
      fc.property(
        fc.record({
          version: u16,
          random: opaque(32, 32),
          sessionId: opaque(32),
          cipherSuite: u16,
          compressionMethod: fc.constant(0),
          extensions,
        }),
        (m) => {
          const wire = marshalServerHello(m);
          expect(marshalServerHello(unmarshalServerHello(wire)!)).toEqual(wire);
        },
      ),
    );
    fc.assert(
      fc.property(fc.record({ version: u16, cookie: opaque(255) }), (m) => {
        const wire = marshalHelloVerifyRequest(m);
        expect(marshalHelloVerifyRequest(unmarshalHelloVerifyRequest(wire)!)).toEqual(wire);
      }),
    );
    fc.assert(
      fc.property(
        fc.record({
          namedGroup: u16,
          publicKey: opaque(97, 1),
          signatureScheme: u16,
          signature: opaque(300),
        }),
        (m) => {
          const wire = marshalServerKeyExchange(m);
          expect(marshalServerKeyExchange(unmarshalServerKeyExchange(wire)!)).toEqual(wire);
        },
      ),
    );
    fc.assert(
      fc.property(
        fc.record({
          certificateTypes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }),
          signatureSchemes: fc.array(u16, { maxLength: 10 }),
        }),
        (m) => {
          const wire = marshalCertificateRequest(m);
          expect(unmarshalCertificateRequest(wire)).toEqual(m);
        },
      ),
    );
    fc.assert(
      fc.property(fc.record({ signatureScheme: u16, signature: opaque(300, 1) }), (m) => {
        const wire = marshalCertificateVerify(m);
        expect(marshalCertificateVerify(unmarshalCertificateVerify(wire)!)).toEqual(wire);
      }),
    );
    fc.assert(
      fc.property(fc.record({ publicKey: opaque(255, 1) }), (m) => {
        const wire = marshalClientKeyExchange(m);
        expect(marshalClientKeyExchange(unmarshalClientKeyExchange(wire)!)).toEqual(wire);
      }),
    );
    fc.assert(
      fc.property(fc.array(opaque(200, 1), { maxLength: 4 }), (certificates) => {
        const wire = marshalCertificate({ certificates });
        expect(marshalCertificate(unmarshalCertificate(wire)!)).toEqual(wire);
      }),
    );
  });
});
