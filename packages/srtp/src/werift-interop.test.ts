/**
 * Differential tests against a real, independent SRTP implementation:
 * werift-rtp's SrtpSession/SrtcpSession, for the profiles it has
 * (AES_CM_128_HMAC_SHA1_80 = 1 and AEAD_AES_128_GCM = 7). Packets go both
 * ways, with CSRCs and header extensions, across the 16-bit sequence wrap.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RtpPacket, SrtcpSession, SrtpSession } from 'werift-rtp';
import { rtcpPacket, rtpPacket } from './packets.test-util.js';
import { srtpProfileByName } from './profiles.js';
import { SrtpContext } from './srtp-context.js';

const profiles = [
  ['AES_CM_128_HMAC_SHA1_80', 1],
  ['AEAD_AES_128_GCM', 7],
] as const;

function setup(name: (typeof profiles)[number][0], weriftProfile: number) {
  const p = srtpProfileByName(name)!;
  const ours = { masterKey: randomBytes(p.masterKeyLength), masterSalt: randomBytes(p.masterSaltLength) };
  const theirs = { masterKey: randomBytes(p.masterKeyLength), masterSalt: randomBytes(p.masterSaltLength) };
  const keys = {
    localMasterKey: theirs.masterKey,
    localMasterSalt: theirs.masterSalt,
    remoteMasterKey: ours.masterKey,
    remoteMasterSalt: ours.masterSalt,
  };
  return {
    tx: new SrtpContext({ profile: name, ...ours }),
    rx: new SrtpContext({ profile: name, ...theirs }),
    weriftRtp: new SrtpSession({ keys, profile: weriftProfile }),
    weriftRtcp: new SrtcpSession({ keys, profile: weriftProfile }),
  };
}

// Sequence numbers crossing the wrap, sizes from empty to video MTU, varied header shapes.
const stream = Array.from({ length: 40 }, (_, i) => ({
  seq: (65520 + i) & 0xffff,
  size: [0, 1, 160, 1200, 33][i % 5],
  csrcs: i % 3,
  extensionWords: i % 4 === 0 ? -1 : i % 4,
}));

for (const [name, weriftProfile] of profiles) {
  describe(`interop with werift-rtp: ${name}`, () => {
    it('werift unprotects what we protect (RTP)', () => {
      const { tx, weriftRtp } = setup(name, weriftProfile);
      for (const s of stream) {
        const p = rtpPacket(s.seq, 0xcafe0001, s.size, s);
        const plain = Buffer.from(p.buf.subarray(0, p.length));
        const n = tx.protectRtp(p.buf, p.length);
        const dec = weriftRtp.decrypt(Buffer.from(p.buf.subarray(0, n)));
        expect(dec.subarray(0, plain.length).equals(plain), `seq ${s.seq}`).toBe(true);
        expect(dec.length).toBe(plain.length);
      }
    });

    it('we unprotect what werift protects (RTP)', () => {
      const { rx, weriftRtp } = setup(name, weriftProfile);
      for (const s of stream) {
        const p = rtpPacket(s.seq, 0xcafe0002, s.size, s);
        const plain = Buffer.from(p.buf.subarray(0, p.length));
        const pkt = RtpPacket.deSerialize(plain);
        const enc = weriftRtp.encrypt(pkt.payload, pkt.header);
        const n = rx.unprotectRtp(enc);
        expect(n, `seq ${s.seq}`).toBe(plain.length);
        expect(enc.subarray(0, n).equals(plain)).toBe(true);
      }
      expect(rx.receivedRtpIndex(0xcafe0002)).toBe(0x10000 + ((65520 + 39) & 0xffff));
    });

    it('SRTCP both ways', () => {
      const { tx, rx, weriftRtcp } = setup(name, weriftProfile);
      for (let blocks = 0; blocks < 6; blocks++) {
        const a = rtcpPacket(0xcafe0003, blocks);
        const plainA = Buffer.from(a.buf.subarray(0, a.length));
        const n = tx.protectRtcp(a.buf, a.length);
        const dec = weriftRtcp.decrypt(Buffer.from(a.buf.subarray(0, n)));
        expect(dec.equals(plainA), `ours -> werift, ${blocks} blocks`).toBe(true);

        const b = rtcpPacket(0xcafe0004, blocks);
        const plainB = Buffer.from(b.buf.subarray(0, b.length));
        const enc = weriftRtcp.encrypt(plainB);
        const m = rx.unprotectRtcp(enc);
        expect(m, `werift -> ours, ${blocks} blocks`).toBe(plainB.length);
        expect(enc.subarray(0, m).equals(plainB)).toBe(true);
      }
    });
  });
}
