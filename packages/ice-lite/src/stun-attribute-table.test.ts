import { describe, expect, it } from 'vitest';
import { StunAttr, StunClass } from './stun-constants.js';
import {
  longTermKey,
  verifyStunFingerprint,
  verifyStunIntegrity,
  verifyStunIntegritySha256,
} from './stun-integrity.js';
import { MAX_RECORDED_ATTRIBUTES, StunMessageView, StunParseResult } from './stun-message-view.js';
import { StunMessageWriter } from './stun-message-writer.js';

const XOR_PEER_ADDRESS = 0x0012;
const CREATE_PERMISSION = 0x008;

describe('attribute table (repeated attributes)', () => {
  it('lists every XOR-PEER-ADDRESS of a CreatePermission, in order, and decodes each', () => {
    const w = new StunMessageWriter(new Uint8Array(512));
    w.begin(CREATE_PERMISSION, StunClass.Request)
      .addAddress('192.0.2.1', 1000, XOR_PEER_ADDRESS)
      .addAddress('2001:db8::7', 2000, XOR_PEER_ADDRESS)
      .addAddress('198.51.100.9', 3000, XOR_PEER_ADDRESS)
      .addString(StunAttr.Username, 'u');
    const v = new StunMessageView();
    expect(v.parse(w.toBuffer())).toBe(StunParseResult.Ok);
    expect(v.attributeCount).toBe(4);
    const peers = [];
    for (let i = v.findAttribute(XOR_PEER_ADDRESS); i >= 0; i = v.findAttribute(XOR_PEER_ADDRESS, i + 1)) {
      peers.push(v.addressAt(i));
    }
    expect(peers).toEqual([
      { family: 'IPv4', address: '192.0.2.1', port: 1000 },
      { family: 'IPv6', address: '2001:db8::7', port: 2000 },
      { family: 'IPv4', address: '198.51.100.9', port: 3000 },
    ]);
    expect(v.findAttribute(0x0013)).toBe(-1);
    expect(v.addressAt(3)).toBeUndefined(); // USERNAME is not an address
  });

  it('does not list attributes after MESSAGE-INTEGRITY, and caps the table', () => {
    const w = new StunMessageWriter(new Uint8Array(2048));
    w.begin(CREATE_PERMISSION, StunClass.Request);
    for (let i = 0; i < MAX_RECORDED_ATTRIBUTES + 5; i++) w.addUint32(0x0024, i);
    w.addIntegrity(Buffer.from('k')).addUint32(0x0025, 1);
    const v = new StunMessageView();
    expect(v.parse(w.toBuffer())).toBe(StunParseResult.Ok);
    expect(v.attributeCount).toBe(MAX_RECORDED_ATTRIBUTES);
    expect(v.findAttribute(0x0025)).toBe(-1);
  });

  it('refuses an address whose family does not match its size', () => {
    const w = new StunMessageWriter(new Uint8Array(64));
    w.begin(CREATE_PERMISSION, StunClass.Request).addBytes(
      XOR_PEER_ADDRESS,
      Uint8Array.of(0, 2, 0, 1, 1, 2, 3, 4),
    );
    const v = new StunMessageView();
    expect(v.parse(w.toBuffer())).toBe(StunParseResult.Ok);
    expect(v.addressAt(0)).toBeUndefined();
  });
});

describe('MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6)', () => {
  const key = longTermKey('user', 'realm', 'pass');

  it('writes and verifies, alone or after MESSAGE-INTEGRITY, with FINGERPRINT last', () => {
    const w = new StunMessageWriter(new Uint8Array(256));
    w.begin(0x003, StunClass.Request)
      .addString(StunAttr.Username, 'user')
      .addIntegritySha256(key)
      .addFingerprint();
    const v = new StunMessageView();
    expect(v.parse(w.toBuffer())).toBe(StunParseResult.Ok);
    expect(v.integritySha256Length).toBe(32);
    expect(verifyStunIntegritySha256(v, key)).toBe(true);
    expect(verifyStunIntegritySha256(v, longTermKey('user', 'realm', 'other'))).toBe(false);
    expect(verifyStunFingerprint(v)).toBe(true);

    w.begin(0x003, StunClass.Request)
      .addString(StunAttr.Username, 'user')
      .addIntegrity(key)
      .addIntegritySha256(key);
    expect(v.parse(w.toBuffer())).toBe(StunParseResult.Ok);
    expect(verifyStunIntegrity(v, key)).toBe(true);
    expect(verifyStunIntegritySha256(v, key)).toBe(true);
  });

  it('fails on any flipped bit and on a bad truncation length', () => {
    const w = new StunMessageWriter(new Uint8Array(256));
    w.begin(0x003, StunClass.Request).addString(StunAttr.Username, 'user').addIntegritySha256(key);
    const good = w.toBuffer();
    const v = new StunMessageView();
    for (let i = 0; i < good.length; i += 3) {
      const bad = Buffer.from(good);
      bad[i] ^= 0x01;
      if (v.parse(bad) === StunParseResult.Ok) expect(verifyStunIntegritySha256(v, key)).toBe(false);
    }
    // Truncated to 16 bytes (the shortest allowed): the header length shrinks by 16.
    const truncated = Buffer.from(good.subarray(0, good.length - 16));
    truncated.writeUInt16BE(16, truncated.length - 18);
    truncated.writeUInt16BE(truncated.length - 20, 2);
    expect(v.parse(truncated)).toBe(StunParseResult.Ok);
    expect(verifyStunIntegritySha256(v, key)).toBe(false); // the MAC covered the 32-byte length
    const odd = Buffer.from(good.subarray(0, good.length - 20));
    odd.writeUInt16BE(12, odd.length - 14);
    odd.writeUInt16BE(odd.length - 20, 2);
    expect(v.parse(odd)).toBe(StunParseResult.BadAttribute); // 12 < 16
  });
});
