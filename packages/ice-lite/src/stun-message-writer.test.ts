import { describe, expect, it } from 'vitest';
import {
  RFC5769_IPV4_RESPONSE,
  RFC5769_IPV6_RESPONSE,
  RFC5769_PASSWORD,
  RFC5769_REQUEST,
} from './rfc5769-vectors.test-util.js';
import { StunAttr, StunClass, StunMethod } from './stun-constants.js';
import { shortTermKey, verifyStunFingerprint, verifyStunIntegrity } from './stun-integrity.js';
import { StunMessageView, StunParseResult } from './stun-message-view.js';
import { StunMessageWriter, StunWriteError } from './stun-message-writer.js';

const TXID = Buffer.from('b7e7a701bc34d686fa87dfae', 'hex');

describe('StunMessageWriter reproduces the RFC 5769 vectors byte for byte', () => {
  const key = shortTermKey(RFC5769_PASSWORD);

  it('§2.1 request (padding written as spaces to match the vector)', () => {
    const w = new StunMessageWriter();
    w.begin(StunMethod.Binding, StunClass.Request, TXID)
      .addString(StunAttr.Software, 'STUN test client')
      .addUint32(StunAttr.Priority, 0x6e0001ff)
      .addUint64(StunAttr.IceControlled, 0x932ff9b151263b36n)
      .addString(StunAttr.Username, 'evtj:h6vY');
    // The RFC pads USERNAME with 0x20; our writer zeroes padding. Patch to compare the HMAC input.
    w.buf.fill(0x20, w.length - 3, w.length);
    w.addIntegrity(key).addFingerprint();
    expect(w.toBuffer()).toEqual(RFC5769_REQUEST);
  });

  for (const [name, vector, address] of [
    ['§2.2 IPv4 response', RFC5769_IPV4_RESPONSE, '192.0.2.1'],
    ['§2.3 IPv6 response', RFC5769_IPV6_RESPONSE, '2001:db8:1234:5678:11:2233:4455:6677'],
  ] as const) {
    it(name, () => {
      const w = new StunMessageWriter();
      w.begin(StunMethod.Binding, StunClass.SuccessResponse, TXID).addString(
        StunAttr.Software,
        'test vector',
      );
      w.buf[w.length - 1] = 0x20; // the vector's padding byte
      w.addAddress(address, 32853).addIntegrity(key).addFingerprint();
      expect(w.toBuffer()).toEqual(vector);
    });
  }
});

describe('StunMessageWriter round trips through StunMessageView', () => {
  it('every attribute the agent uses', () => {
    const w = new StunMessageWriter();
    w.begin(StunMethod.Binding, StunClass.ErrorResponse, TXID)
      .addErrorCode(420, 'Unknown Attribute')
      .addUnknownAttributes([0x0033, 0x7fff])
      .addAddress('10.1.2.3', 40000, StunAttr.MappedAddress)
      .addAddress('::ffff:192.0.2.1', 1)
      .addUint32(StunAttr.Nomination, 5)
      .addFlag(StunAttr.UseCandidate)
      .addUint64(StunAttr.IceControlling, 0xffffffffffffffffn)
      .addIntegrity(Buffer.from('pw'))
      .addFingerprint();
    const v = new StunMessageView();
    expect(v.parse(w.toBuffer())).toBe(StunParseResult.Ok);
    expect(v.cls).toBe(StunClass.ErrorResponse);
    expect(v.method).toBe(StunMethod.Binding);
    expect(v.errorCode).toEqual({ code: 420, reason: 'Unknown Attribute' });
    expect(v.unknownAttributes).toEqual([0x0033, 0x7fff]);
    expect(v.mappedAddress).toEqual({ family: 'IPv4', address: '10.1.2.3', port: 40000 });
    // IPv4-mapped (a dual-stack socket's view of an IPv4 peer) is written as IPv4.
    expect(v.xorMappedAddress).toEqual({ family: 'IPv4', address: '192.0.2.1', port: 1 });
    expect(v.nomination).toBe(5);
    expect(v.useCandidate).toBe(true);
    expect(v.iceControllingTieBreaker).toBe(0xffffffffffffffffn);
    expect(verifyStunIntegrity(v, Buffer.from('pw'))).toBe(true);
    expect(verifyStunFingerprint(v)).toBe(true);
  });

  it('ERROR-CODE reason phrases in ASCII and in UTF-8', () => {
    for (const reason of ['Role Conflict', 'Zu viele Anfragen \u00fc', '']) {
      const w = new StunMessageWriter();
      w.begin(StunMethod.Binding, StunClass.ErrorResponse, TXID).addErrorCode(599, reason).addFingerprint();
      const v = new StunMessageView();
      expect(v.parse(w.toBuffer())).toBe(StunParseResult.Ok);
      expect(v.errorCode).toEqual({ code: 599, reason });
      expect(verifyStunFingerprint(v)).toBe(true);
    }
  });

  it('a random transaction id when none is given', () => {
    const w = new StunMessageWriter();
    const a = Buffer.from(w.begin(StunMethod.Binding, StunClass.Request).toBuffer().subarray(8, 20));
    const b = Buffer.from(w.begin(StunMethod.Binding, StunClass.Request).toBuffer().subarray(8, 20));
    expect(a.equals(b)).toBe(false);
  });

  it('throws StunWriteError when the buffer is too small or the address is not an IP', () => {
    const w = new StunMessageWriter(new Uint8Array(24));
    w.begin(StunMethod.Binding, StunClass.Request);
    expect(() => w.addUint32(StunAttr.Priority, 1)).toThrow(StunWriteError);
    const w2 = new StunMessageWriter();
    w2.begin(StunMethod.Binding, StunClass.Request);
    expect(() => w2.addAddress('example.com', 1)).toThrow(StunWriteError);
  });
});
