import { describe, expect, it } from 'vitest';
import { marshalEcPointFormats, unmarshalEcPointFormats } from './ec-point-formats.js';
import { unmarshalExtendedMasterSecret } from './extended-master-secret.js';
import { unmarshalExtensions } from './extension.js';
import { marshalRenegotiationInfo, unmarshalRenegotiationInfo } from './renegotiation-info.js';
import { marshalSignatureAlgorithms, unmarshalSignatureAlgorithms } from './signature-algorithms.js';
import { marshalSupportedGroups, unmarshalSupportedGroups } from './supported-groups.js';
import { marshalUseSrtp, unmarshalUseSrtp } from './use-srtp.js';

const b = (xs: number[]) => Buffer.from(xs);

describe('extensions', () => {
  it('use_srtp (RFC 5764 §4.1.1)', () => {
    const bytes = b([
      0x00,
      0x04, //   SRTPProtectionProfiles length 4
      0x00,
      0x07, //   SRTP_AEAD_AES_128_GCM
      0x00,
      0x01, //   SRTP_AES128_CM_HMAC_SHA1_80
      0x00, //         srtp_mki: empty
    ]);
    expect(unmarshalUseSrtp(bytes)).toEqual({ profiles: [7, 1], mki: b([]) });
    expect(marshalUseSrtp({ profiles: [7, 1], mki: b([]) })).toEqual(bytes);
    expect(unmarshalUseSrtp(b([0x00, 0x03, 0, 7, 0, 0]))).toBeUndefined(); // odd list
    expect(unmarshalUseSrtp(b([0x00, 0x02, 0, 7]))).toBeUndefined(); // mki length missing
    expect(unmarshalUseSrtp(b([0x00, 0x02, 0, 7, 0x02, 1]))).toBeUndefined(); // mki overruns
  });
  it('supported_groups, including groups we do not know', () => {
    const bytes = b([
      0x00, 0x06, 0x11, 0xec /* X25519MLKEM768 */, 0x00, 0x1d /* x25519 */, 0x00, 0x17 /* secp256r1 */,
    ]);
    expect(unmarshalSupportedGroups(bytes)).toEqual([0x11ec, 29, 23]);
    expect(marshalSupportedGroups([0x11ec, 29, 23])).toEqual(bytes);
    expect(unmarshalSupportedGroups(b([0x00, 0x04, 0x00, 0x1d]))).toBeUndefined();
  });
  it('signature_algorithms', () => {
    const bytes = b([0x00, 0x04, 0x04, 0x03, 0x08, 0x04]);
    expect(unmarshalSignatureAlgorithms(bytes)).toEqual([0x0403, 0x0804]);
    expect(marshalSignatureAlgorithms([0x0403, 0x0804])).toEqual(bytes);
    expect(unmarshalSignatureAlgorithms(b([0x00, 0x01, 0x04]))).toBeUndefined();
  });
  it('ec_point_formats', () => {
    expect(unmarshalEcPointFormats(b([0x01, 0x00]))).toEqual([0]);
    expect(marshalEcPointFormats()).toEqual(b([1, 0]));
    expect(unmarshalEcPointFormats(b([0x02, 0x00]))).toBeUndefined();
  });
  it('renegotiation_info must be empty on an initial handshake; EMS must be empty', () => {
    expect(unmarshalRenegotiationInfo(marshalRenegotiationInfo())).toBe(true);
    expect(unmarshalRenegotiationInfo(b([0x01, 0xaa]))).toBe(false);
    expect(unmarshalRenegotiationInfo(b([]))).toBe(false);
    expect(unmarshalExtendedMasterSecret(b([]))).toBe(true);
    expect(unmarshalExtendedMasterSecret(b([0]))).toBe(false);
  });
  it('extension block: unknown types kept raw, malformed blocks rejected', () => {
    const block = b([
      0x1a,
      0x1a,
      0x00,
      0x00, // GREASE, empty
      0x00,
      0x2b,
      0x00,
      0x03,
      0x02,
      0xfe,
      0xfc, // supported_versions: DTLS 1.3
    ]);
    expect(unmarshalExtensions(block)?.map((e) => [e.type, e.data.length])).toEqual([
      [0x1a1a, 0],
      [0x2b, 3],
    ]);
    expect(unmarshalExtensions(b([0x00, 0x2b, 0x00, 0x05, 1]))).toBeUndefined();
    expect(unmarshalExtensions(b([0x00]))).toBeUndefined();
  });
});
