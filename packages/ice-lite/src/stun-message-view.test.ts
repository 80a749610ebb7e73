import { describe, expect, it } from 'vitest';
import {
  hex,
  RFC5769_IPV4_RESPONSE,
  RFC5769_IPV6_RESPONSE,
  RFC5769_LONG_TERM_REQUEST,
  RFC5769_PASSWORD,
  RFC5769_REQUEST,
} from './rfc5769-vectors.test-util.js';
import { StunAttr, StunClass, StunMethod } from './stun-constants.js';
import { longTermKey, shortTermKey, verifyStunFingerprint, verifyStunIntegrity } from './stun-integrity.js';
import { StunMessageView, StunParseResult } from './stun-message-view.js';

describe('RFC 5769 test vectors', () => {
  const key = shortTermKey(RFC5769_PASSWORD);

  it('§2.1 request: parses every attribute', () => {
    const v = new StunMessageView();
    expect(v.parse(RFC5769_REQUEST)).toBe(StunParseResult.Ok);
    expect(v.method).toBe(StunMethod.Binding);
    expect(v.cls).toBe(StunClass.Request);
    expect(v.transactionIdHex()).toBe('b7e7a701bc34d686fa87dfae');
    expect(v.software).toBe('STUN test client');
    expect(v.priority).toBe(0x6e0001ff);
    expect(v.iceControlledTieBreaker).toBe(0x932ff9b151263b36n);
    expect(v.iceControllingTieBreaker).toBeUndefined();
    expect(v.username).toBe('evtj:h6vY');
    expect(v.useCandidate).toBe(false);
    expect(v.unknownRequiredCount).toBe(0);
  });

  const shortTerm: { name: string; bytes: Buffer }[] = [
    { name: '§2.1 request', bytes: RFC5769_REQUEST },
    { name: '§2.2 IPv4 response', bytes: RFC5769_IPV4_RESPONSE },
    { name: '§2.3 IPv6 response', bytes: RFC5769_IPV6_RESPONSE },
  ];
  for (const row of shortTerm) {
    it(`${row.name}: short-term MESSAGE-INTEGRITY and FINGERPRINT verify`, () => {
      const v = new StunMessageView();
      expect(v.parse(row.bytes)).toBe(StunParseResult.Ok);
      expect(verifyStunIntegrity(v, key)).toBe(true);
      expect(verifyStunFingerprint(v)).toBe(true);
      expect(verifyStunIntegrity(v, shortTermKey('VOkJxbRl1RmTxUk/WvJxBu'))).toBe(false);
    });
  }

  it('§2.2 IPv4 response: XOR-MAPPED-ADDRESS is 192.0.2.1:32853', () => {
    const v = new StunMessageView();
    expect(v.parse(RFC5769_IPV4_RESPONSE)).toBe(StunParseResult.Ok);
    expect(v.cls).toBe(StunClass.SuccessResponse);
    expect(v.software).toBe('test vector');
    expect(v.xorMappedAddress).toEqual({ family: 'IPv4', address: '192.0.2.1', port: 32853 });
  });

  it('reading XOR-MAPPED-ADDRESS leaves the message bytes intact', () => {
    const v = new StunMessageView();
    const bytes = Buffer.from(RFC5769_IPV6_RESPONSE);
    expect(v.parse(bytes)).toBe(StunParseResult.Ok);
    const first = v.xorMappedAddress;
    expect(v.xorMappedAddress).toEqual(first);
    expect(bytes).toEqual(RFC5769_IPV6_RESPONSE);
    expect(verifyStunIntegrity(v, key)).toBe(true);
  });

  it('§2.3 IPv6 response: XOR-MAPPED-ADDRESS is 2001:db8:1234:5678:11:2233:4455:6677:32853', () => {
    const v = new StunMessageView();
    expect(v.parse(RFC5769_IPV6_RESPONSE)).toBe(StunParseResult.Ok);
    expect(v.xorMappedAddress).toEqual({
      family: 'IPv6',
      address: '2001:db8:1234:5678:11:2233:4455:6677',
      port: 32853,
    });
  });

  it('§2.4 long-term request: USERNAME, NONCE, REALM and MESSAGE-INTEGRITY with MD5(user:realm:pass)', () => {
    const v = new StunMessageView();
    expect(v.parse(RFC5769_LONG_TERM_REQUEST)).toBe(StunParseResult.Ok);
    expect(v.username).toBe('\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9');
    expect(v.nonce).toBe('f//499k954d6OL34oL9FSTvy64sA');
    expect(v.realm).toBe('example.org');
    expect(v.fingerprintOffset).toBe(-1);
    expect(verifyStunFingerprint(v)).toBe(false);
    // SASLprep("The\u00ADM\u00AAtr\u2168") = "TheMatrIX".
    expect(verifyStunIntegrity(v, longTermKey(v.username!, 'example.org', 'TheMatrIX'))).toBe(true);
    expect(verifyStunIntegrity(v, longTermKey(v.username!, 'example.org', 'TheMatrix'))).toBe(false);
  });

  it('a flipped bit anywhere before MESSAGE-INTEGRITY breaks it', () => {
    const v = new StunMessageView();
    for (const at of [1, 9, 24, 60, 80]) {
      const bytes = Buffer.from(RFC5769_REQUEST);
      bytes[at] ^= 0x01;
      if (v.parse(bytes) !== StunParseResult.Ok) continue;
      expect(verifyStunIntegrity(v, key)).toBe(false);
      expect(verifyStunFingerprint(v)).toBe(false);
    }
  });
});

describe('StunMessageView.parse error rows', () => {
  // A minimal Binding Request: header + PRIORITY.
  const base = `
    00 01 00 08   Binding Request, length 8
    21 12 a4 42   magic cookie
    00 00 00 01   transaction id
    00 00 00 02
    00 00 00 03
    00 24 00 04   PRIORITY
    6e 00 01 ff
  `;
  const rows: { name: string; bytes: Buffer; length?: number; want: StunParseResult }[] = [
    { name: 'valid base message', bytes: hex(base), want: StunParseResult.Ok },
    { name: 'empty', bytes: Buffer.alloc(0), want: StunParseResult.TooShort },
    { name: 'truncated header (19 bytes)', bytes: hex(base).subarray(0, 19), want: StunParseResult.TooShort },
    {
      name: 'first two bits set (RTP-looking)',
      bytes: hex(`80 01 00 00  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03`),
      want: StunParseResult.NotStun,
    },
    {
      name: 'wrong magic cookie',
      bytes: hex(`00 01 00 00  21 12 a4 43  00 00 00 01 00 00 00 02 00 00 00 03`),
      want: StunParseResult.NotStun,
    },
    {
      name: 'length not a multiple of 4',
      bytes: hex(`00 01 00 06  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03  00 24 00 02 00 00`),
      want: StunParseResult.BadLength,
    },
    {
      name: 'header length larger than the datagram (truncated message)',
      bytes: hex(base).subarray(0, 24),
      want: StunParseResult.BadLength,
    },
    {
      name: 'header length smaller than the datagram (trailing bytes)',
      bytes: Buffer.concat([hex(base), Buffer.alloc(4)]),
      want: StunParseResult.BadLength,
    },
    {
      name: 'attribute length overruns the message',
      bytes: hex(`00 01 00 08  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03  00 06 00 09 65 76 74 6a`),
      want: StunParseResult.BadAttribute,
    },
    {
      name: 'PRIORITY of 0 bytes',
      bytes: hex(`00 01 00 04  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03  00 24 00 00`),
      want: StunParseResult.BadAttribute,
    },
    {
      name: 'PRIORITY of 2 bytes',
      bytes: hex(`00 01 00 08  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03  00 24 00 02 00 01 00 00`),
      want: StunParseResult.BadAttribute,
    },
    {
      name: 'MESSAGE-INTEGRITY of 16 bytes',
      bytes: hex(`00 01 00 14  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03  00 08 00 10
                  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00`),
      want: StunParseResult.BadAttribute,
    },
    {
      name: 'ICE-CONTROLLING of 4 bytes',
      bytes: hex(`00 01 00 08  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03  80 2a 00 04 00 00 00 01`),
      want: StunParseResult.BadAttribute,
    },
    {
      name: 'USE-CANDIDATE with a value',
      bytes: hex(`00 01 00 08  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03  00 25 00 04 00 00 00 01`),
      want: StunParseResult.BadAttribute,
    },
    {
      name: 'FINGERPRINT of 8 bytes',
      bytes: hex(`00 01 00 0c  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03  80 28 00 08
                  00 00 00 00 00 00 00 00`),
      want: StunParseResult.BadAttribute,
    },
    {
      name: 'attribute after FINGERPRINT',
      bytes: hex(`00 01 00 10  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03  80 28 00 04 00 00 00 00
                  00 24 00 04 6e 00 01 ff`),
      want: StunParseResult.AttributeAfterFingerprint,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const v = new StunMessageView();
      expect(v.parse(row.bytes, row.length ?? row.bytes.length)).toBe(row.want);
    });
  }

  it('a length beyond the buffer is clamped to the buffer', () => {
    const v = new StunMessageView();
    expect(v.parse(hex(base), 1000)).toBe(StunParseResult.Ok);
    expect(v.length).toBe(28);
  });

  it('padding bytes are ignored whatever their value', () => {
    const v = new StunMessageView();
    const bytes = hex(`00 01 00 0c  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03
                       00 06 00 05 61 62 63 3a 64 ff ff ff   USERNAME "abc:d" + 0xff padding`);
    expect(v.parse(bytes)).toBe(StunParseResult.Ok);
    expect(v.username).toBe('abc:d');
  });

  it('attributes after MESSAGE-INTEGRITY are ignored, FINGERPRINT excepted', () => {
    const v = new StunMessageView();
    const bytes = hex(`
      00 01 00 28   Binding Request, length 40
      21 12 a4 42
      00 00 00 01 00 00 00 02 00 00 00 03
      00 08 00 14   MESSAGE-INTEGRITY (zeros)
      00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
      00 25 00 00   USE-CANDIDATE after MI: ignored
      00 33 00 00   unknown comprehension-required after MI: ignored
      80 28 00 04   FINGERPRINT
      00 00 00 00
    `);
    expect(v.parse(bytes)).toBe(StunParseResult.Ok);
    expect(v.integrityOffset).toBe(20);
    expect(v.useCandidate).toBe(false);
    expect(v.unknownRequiredCount).toBe(0);
    expect(v.fingerprintOffset).toBe(52);
  });

  it('collects unknown comprehension-required attributes and skips optional ones', () => {
    const v = new StunMessageView();
    const bytes = hex(`
      00 01 00 10
      21 12 a4 42
      00 00 00 01 00 00 00 02 00 00 00 03
      00 33 00 00   unknown, comprehension-required (0x0033)
      80 77 00 00   unknown, comprehension-optional (0x8077)
      7f ff 00 04   unknown, comprehension-required (0x7fff), 4-byte value
      01 02 03 04
    `);
    expect(v.parse(bytes)).toBe(StunParseResult.Ok);
    expect(Array.from(v.unknownRequired.subarray(0, v.unknownRequiredCount))).toEqual([0x0033, 0x7fff]);
  });

  it('keeps the first of duplicate attributes', () => {
    const v = new StunMessageView();
    const bytes = hex(`
      00 01 00 10
      21 12 a4 42
      00 00 00 01 00 00 00 02 00 00 00 03
      00 24 00 04 00 00 00 01   PRIORITY 1
      00 24 00 04 00 00 00 02   PRIORITY 2
    `);
    expect(v.parse(bytes)).toBe(StunParseResult.Ok);
    expect(v.priority).toBe(1);
  });

  it('reads ERROR-CODE, UNKNOWN-ATTRIBUTES, MAPPED-ADDRESS and NOMINATION', () => {
    const v = new StunMessageView();
    const bytes = hex(`
      01 11 00 30   Binding Error Response, length 48
      21 12 a4 42
      00 00 00 01 00 00 00 02 00 00 00 03
      00 09 00 15   ERROR-CODE, 21 bytes
      00 00 04 14   class 4, number 20: 420
      55 6e 6b 6e   "Unknown Attribute" (17 bytes) + 3 padding
      6f 77 6e 20
      41 74 74 72
      69 62 75 74
      65 00 00 00
      00 0a 00 04   UNKNOWN-ATTRIBUTES
      00 33 7f ff
      00 01 00 08   MAPPED-ADDRESS
      00 01 1f 90   IPv4, port 8080
      0a 00 00 01   10.0.0.1
    `);
    expect(v.parse(bytes)).toBe(StunParseResult.Ok);
    expect(v.cls).toBe(StunClass.ErrorResponse);
    expect(v.errorCode).toEqual({ code: 420, reason: 'Unknown Attribute' });
    expect(v.unknownAttributes).toEqual([0x0033, 0x7fff]);
    expect(v.mappedAddress).toEqual({ family: 'IPv4', address: '10.0.0.1', port: 8080 });
    expect(StunAttr.Nomination).toBe(0xc001);
    const nom = hex(`00 01 00 08 21 12 a4 42 00 00 00 01 00 00 00 02 00 00 00 03  c0 01 00 04 00 00 00 07`);
    expect(v.parse(nom)).toBe(StunParseResult.Ok);
    expect(v.nomination).toBe(7);
  });
});
