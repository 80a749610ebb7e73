import { describe, expect, it } from 'vitest';
import {
  marshalStateCookie,
  STATE_COOKIE_LENGTH,
  type StateCookie,
  unmarshalStateCookie,
} from './state-cookie.js';

const secret = Buffer.alloc(32, 7);
const cookie: StateCookie = {
  localTag: 0x11223344,
  peerTag: 0xa1b2c3d4,
  peerInitialTsn: 0xfffffff0,
  peerRwnd: 131072,
  peerOutboundStreams: 1024,
  peerInboundStreams: 65535,
  peerForwardTsn: true,
  peerReconfig: false,
  createdAt: 1_700_000_000_123,
};

describe('State Cookie (RFC 9260 §5.1.3)', () => {
  it('round-trips every field, laid out as documented', () => {
    const b = marshalStateCookie(cookie, secret);
    expect(b.length).toBe(STATE_COOKIE_LENGTH);
    expect(b.subarray(0, 24).toString('hex')).toBe(
      '11223344' + // our tag
        'a1b2c3d4' + // peer tag
        'fffffff0' + // peer initial TSN
        '00020000' + // peer a_rwnd
        '0400' + // peer OS
        'ffff' + // peer MIS
        '00000001', // flags: FORWARD TSN
    );
    expect(unmarshalStateCookie(b, secret)).toEqual(cookie);
  });
  it.each([
    { name: 'one bit flipped in the body', mutate: (b: Buffer) => b.subarray(0, 64).fill(b[3] ^ 1, 3, 4) },
    { name: 'one bit flipped in the MAC', mutate: (b: Buffer) => b.fill(b[63] ^ 0x80, 63, 64) },
    { name: 'truncated', mutate: (b: Buffer) => b.subarray(0, 63) },
    { name: 'too long', mutate: (b: Buffer) => Buffer.concat([b, Buffer.alloc(1)]) },
  ])('refuses: $name', ({ mutate }) => {
    const b = marshalStateCookie(cookie, secret);
    expect(unmarshalStateCookie(mutate(b), secret)).toBeUndefined();
  });
  it('refuses a cookie signed with another secret', () => {
    expect(unmarshalStateCookie(marshalStateCookie(cookie, secret), Buffer.alloc(32, 8))).toBeUndefined();
  });
});
