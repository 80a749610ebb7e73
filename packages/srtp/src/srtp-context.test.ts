import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hex } from './hex.test-util.js';
import { rtcpPacket, rtpPacket } from './packets.test-util.js';
import { SRTP_PROFILES, type SrtpProfileInfo } from './profiles.js';
import { SrtpCipherAesCmHmacSha1 } from './srtp-cipher-aes-cm-hmac-sha1.js';
import { SrtpContext } from './srtp-context.js';
import { SrtpError, srtpErrorName } from './srtp-error.js';

const SSRC = 0x11223344;

function pair(
  profile: SrtpProfileInfo,
  opts: { replayWindowSize?: number; rtcpReplayWindowSize?: number } = {},
) {
  const masterKey = randomBytes(profile.masterKeyLength);
  const masterSalt = randomBytes(profile.masterSaltLength);
  return {
    tx: new SrtpContext({ profile: profile.cryptoSuite, masterKey, masterSalt }),
    rx: new SrtpContext({ profile, masterKey, masterSalt, ...opts }),
    another: () => new SrtpContext({ profile, masterKey, masterSalt }),
  };
}

/** Protects RTP `seq` on `tx` and returns the SRTP packet (a fresh Buffer) and the plain one. */
function protect(tx: SrtpContext, seq: number, size = 160, ssrc = SSRC) {
  const p = rtpPacket(seq, ssrc, size);
  const plain = Buffer.from(p.buf.subarray(0, p.length));
  const n = tx.protectRtp(p.buf, p.length);
  expect(n).toBe(p.length + tx.rtpOverhead);
  return { srtp: Buffer.from(p.buf.subarray(0, n)), plain };
}

function unprotect(rx: SrtpContext, srtp: Buffer): number {
  return rx.unprotectRtp(Buffer.from(srtp));
}

describe('AES-CM SRTP transform: RFC 3711 Appendix B.2 keystream through protect', () => {
  it('the payload of a zero packet with SSRC 0, ROC 0, SEQ 0 is the keystream', () => {
    const keys = {
      encryptionKey: hex('2B7E151628AED2A6ABF7158809CF4F3C'),
      salt: hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD'),
      authKey: Buffer.alloc(20, 1),
    };
    const cipher = new SrtpCipherAesCmHmacSha1(keys, keys, 10);
    const pkt = Buffer.alloc(12 + 48 + 10);
    pkt.set([0x80, 0x0f, 0x00, 0x00, 0xde, 0xca, 0xfb, 0xad, 0, 0, 0, 0]); // V=2 PT=15 SEQ=0 TS SSRC=0
    const n = cipher.encryptRtp(pkt, 60, 12, 0, 0, 0, pkt);
    expect(n).toBe(70);
    expect(pkt.subarray(12, 60).toString('hex').toUpperCase()).toBe(
      'E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB41E95B3BB0A2E8DD477901E4FCA894C0',
    );
  });
});

for (const profile of SRTP_PROFILES) {
  describe(`SrtpContext ${profile.cryptoSuite}`, () => {
    it('round-trips RTP in place and into a separate buffer, with CSRCs and header extensions', () => {
      const { tx, rx } = pair(profile);
      const shapes = [
        { size: 0 },
        { size: 1 },
        { size: 200 },
        { size: 1200, csrcs: 2, extensionWords: 3 },
        { size: 17, extensionWords: 0 },
      ];
      let seq = 1000;
      for (const s of shapes) {
        const p = rtpPacket(seq++, SSRC, s.size, s);
        const plain = Buffer.from(p.buf.subarray(0, p.length));
        const out = Buffer.alloc(p.length + tx.rtpOverhead);
        const n = tx.protectRtp(p.buf, p.length, out);
        expect(n).toBe(p.length + profile.srtpAuthTagLength);
        expect(p.buf.subarray(0, p.length).equals(plain)).toBe(true); // src untouched when out is given
        if (s.size >= 4)
          expect(out.subarray(p.length - s.size, p.length).equals(plain.subarray(p.length - s.size))).toBe(
            false,
          );
        const back = Buffer.alloc(n);
        expect(rx.unprotectRtp(out, n, back)).toBe(p.length);
        expect(back.subarray(0, p.length).equals(plain)).toBe(true);
      }
      // in place both ways
      const p = rtpPacket(seq++, SSRC, 300);
      const plain = Buffer.from(p.buf.subarray(0, p.length));
      const n = tx.protectRtp(p.buf, p.length);
      expect(rx.unprotectRtp(p.buf, n)).toBe(p.length);
      expect(p.buf.subarray(0, p.length).equals(plain)).toBe(true);
      expect(rx.stats.rtpUnprotected).toBe(shapes.length + 1);
      expect(tx.stats.rtpProtected).toBe(shapes.length + 1);
    });

    it('round-trips RTCP (E=1, SRTCP index increments per SSRC)', () => {
      const { tx, rx } = pair(profile);
      for (let i = 1; i <= 3; i++) {
        const p = rtcpPacket(SSRC, i);
        const plain = Buffer.from(p.buf.subarray(0, p.length));
        const n = tx.protectRtcp(p.buf, p.length);
        expect(n).toBe(p.length + profile.srtcpAuthTagLength + 4);
        const io = profile.aead ? n - 4 : n - 4 - profile.srtcpAuthTagLength;
        expect(p.buf.readUInt32BE(io)).toBe((0x80000000 | i) >>> 0); // E=1 || index
        expect(p.buf.subarray(8, p.length).equals(plain.subarray(8))).toBe(false); // encrypted
        expect(rx.unprotectRtcp(p.buf, n)).toBe(p.length);
        expect(p.buf.subarray(0, p.length).equals(plain)).toBe(true);
      }
    });

    it('rollover: crossing seq 65535 -> 0 with reordering on both sides', () => {
      const { tx, rx } = pair(profile);
      const sent = new Map<number, { srtp: Buffer; plain: Buffer }>();
      for (const seq of [65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3, 4, 5])
        sent.set(seq, protect(tx, seq));
      // The sender reorders too: a retransmission of 65533 after the wrap keeps ROC 0.
      const late = protect(tx, 65533);
      expect(late.srtp.equals(sent.get(65533)!.srtp)).toBe(true);
      for (const seq of [65530, 65532, 65531, 0, 65534, 1, 65533, 3, 65535, 2, 5, 4]) {
        const buf = Buffer.from(sent.get(seq)!.srtp);
        const n = rx.unprotectRtp(buf);
        expect(n, `seq ${seq}`).toBe(sent.get(seq)!.plain.length);
        expect(buf.subarray(0, n).equals(sent.get(seq)!.plain)).toBe(true);
      }
      expect(rx.receivedRtpIndex(SSRC)).toBe(0x10000 + 5);
      // Continue far into ROC 1 and across the next wrap to ROC 2.
      for (const seq of [20000, 40000, 60000, 65535, 0]) {
        const { srtp, plain } = protect(tx, seq);
        expect(unprotect(rx, srtp), `seq ${seq}`).toBe(plain.length);
      }
      expect(rx.receivedRtpIndex(SSRC)).toBe(2 * 0x10000);
    });

    it('a receiver starting mid-stream picks the stream up at ROC 0 and follows the wrap', () => {
      const { tx, rx } = pair(profile);
      for (const seq of [100, 30000]) protect(tx, seq); // never delivered
      for (const seq of [60000, 65535, 10, 9]) {
        const { srtp, plain } = protect(tx, seq);
        expect(unprotect(rx, srtp), `seq ${seq}`).toBe(plain.length);
      }
      expect(rx.receivedRtpIndex(SSRC)).toBe(0x10000 + 10);
    });

    it('ROC disagreement fails authentication and leaves the receiver state as it was', () => {
      const { tx, rx, another } = pair(profile);
      const wrongTx = another();
      wrongTx.setRtpSendIndex(SSRC, 3, 99); // this sender believes ROC = 3
      expect(unprotect(rx, protect(wrongTx, 100).srtp)).toBe(SrtpError.AuthFailed);
      expect(rx.receiveStreamCount).toBe(0); // nothing allocated for unauthenticated traffic
      expect(rx.stats.authFailures).toBe(1);
      for (const seq of [100, 101]) expect(unprotect(rx, protect(tx, seq).srtp)).toBeGreaterThan(0);
      expect(unprotect(rx, protect(wrongTx, 102).srtp)).toBe(SrtpError.AuthFailed);
      expect(rx.receivedRtpIndex(SSRC)).toBe(101); // unchanged by the failure
      expect(unprotect(rx, protect(tx, 102).srtp)).toBeGreaterThan(0); // index 102 was not burnt
      expect(rx.receivedRtpIndex(SSRC)).toBe(102);
    });

    it('replay: duplicates rejected, too old rejected, out of order within the window accepted', () => {
      const { tx, rx } = pair(profile, { replayWindowSize: 64 });
      const pkts = new Map<number, Buffer>();
      for (let seq = 1; seq <= 200; seq++) pkts.set(seq, protect(tx, seq).srtp);
      const rows: [number, number][] = [
        // [seq delivered, expected result: > 0 length or SrtpError]
        [100, 1],
        [100, SrtpError.Replayed], // duplicate of the newest
        [98, 1], // out of order, inside the window
        [98, SrtpError.Replayed], // duplicate of an out-of-order packet
        [37, 1], // exactly 63 behind the newest: the oldest slot of a 64-packet window
        [36, SrtpError.TooOld], // 64 behind: outside
        [101, 1],
        [37, SrtpError.TooOld], // the window slid past it
        [200, 1], // jump ahead more than the window
        [150, 1], // 50 behind, never seen: accepted
        [136, SrtpError.TooOld],
        [150, SrtpError.Replayed],
        [199, 1],
      ];
      for (const [seq, want] of rows) {
        const n = unprotect(rx, pkts.get(seq)!);
        if (want > 0) expect(n, `seq ${seq}`).toBeGreaterThan(0);
        else expect(n, `seq ${seq}`).toBe(want);
      }
      expect(rx.stats.replayed).toBe(3);
      expect(rx.stats.tooOld).toBe(3);
      expect(rx.stats.authFailures).toBe(0);
    });

    it('replay state is per SSRC: the same sequence number on another SSRC is not a replay', () => {
      const { tx, rx } = pair(profile);
      const a = protect(tx, 500, 100, 0xa).srtp;
      const b = protect(tx, 500, 100, 0xb).srtp;
      expect(unprotect(rx, a)).toBeGreaterThan(0);
      expect(unprotect(rx, b)).toBeGreaterThan(0);
      expect(unprotect(rx, b)).toBe(SrtpError.Replayed);
      expect(rx.receiveStreamCount).toBe(2);
    });

    it('the default RTP replay window is 1024 packets and the SRTCP one 128', () => {
      const { tx, rx } = pair(profile);
      const first = protect(tx, 1).srtp;
      const second = protect(tx, 2).srtp;
      expect(unprotect(rx, protect(tx, 1025).srtp)).toBeGreaterThan(0);
      expect(unprotect(rx, second)).toBeGreaterThan(0); // 1023 behind
      expect(unprotect(rx, first)).toBe(SrtpError.TooOld); // 1024 behind
      const rtcp: Buffer[] = [];
      for (let i = 1; i <= 130; i++) {
        const p = rtcpPacket(SSRC);
        rtcp.push(Buffer.from(p.buf.subarray(0, tx.protectRtcp(p.buf, p.length))));
      }
      expect(rx.unprotectRtcp(Buffer.from(rtcp[129]))).toBeGreaterThan(0); // index 130
      expect(rx.unprotectRtcp(Buffer.from(rtcp[129]))).toBe(SrtpError.Replayed);
      expect(rx.unprotectRtcp(Buffer.from(rtcp[2]))).toBeGreaterThan(0); // index 3: 127 behind
      expect(rx.unprotectRtcp(Buffer.from(rtcp[1]))).toBe(SrtpError.TooOld); // index 2: 128 behind
    });

    it('tampering: a flipped bit anywhere in header, payload or tag fails, and state is untouched', () => {
      const { tx, rx } = pair(profile);
      const { srtp, plain } = protect(tx, 4242, 48);
      for (let bit = 0; bit < srtp.length * 8; bit++) {
        const bad = Buffer.from(srtp);
        bad[bit >> 3] ^= 0x80 >> (bit & 7);
        const flipped = Buffer.from(bad);
        expect(rx.unprotectRtp(bad), `bit ${bit}`).toBeLessThan(0);
        expect(bad.equals(flipped), `bit ${bit}: nothing written on failure`).toBe(true);
      }
      expect(rx.receiveStreamCount).toBe(0);
      const good = Buffer.from(srtp);
      expect(rx.unprotectRtp(good)).toBe(plain.length);
      expect(good.subarray(0, plain.length).equals(plain)).toBe(true);
    });

    it('tampering SRTCP: a flipped bit anywhere (E flag and index included) fails', () => {
      const { tx, rx } = pair(profile);
      const p = rtcpPacket(SSRC, 1);
      const plain = Buffer.from(p.buf.subarray(0, p.length));
      const srtcp = Buffer.from(p.buf.subarray(0, tx.protectRtcp(p.buf, p.length)));
      for (let bit = 0; bit < srtcp.length * 8; bit++) {
        const bad = Buffer.from(srtcp);
        bad[bit >> 3] ^= 0x80 >> (bit & 7);
        expect(rx.unprotectRtcp(bad), `bit ${bit}`).toBeLessThan(0);
      }
      expect(rx.receiveStreamCount).toBe(0);
      expect(rx.unprotectRtcp(srtcp)).toBe(plain.length);
      expect(srtcp.subarray(0, plain.length).equals(plain)).toBe(true);
    });

    it('malformed and short input is counted and dropped without state', () => {
      const { tx, rx } = pair(profile);
      const tag = profile.srtpAuthTagLength;
      const rows: [string, Buffer, number][] = [
        ['empty', Buffer.alloc(0), SrtpError.TooShort],
        ['11 bytes', Buffer.alloc(11, 0x80), SrtpError.TooShort],
        // V=2, no CSRC/ext, but no room for the tag
        ['header without tag', Buffer.from([0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), SrtpError.TooShort],
        [
          'V=1',
          Buffer.concat([Buffer.from([0x40, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), Buffer.alloc(tag + 4)]),
          SrtpError.TooShort,
        ],
        [
          'CC=15 with too few bytes for the CSRC list',
          Buffer.concat([Buffer.from([0x8f, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), Buffer.alloc(tag + 8)]),
          SrtpError.TooShort,
        ],
        [
          'X=1, extension length 0xffff past the end',
          Buffer.concat([
            Buffer.from([0x90, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), // V=2 X=1
            Buffer.from([0xbe, 0xde, 0xff, 0xff]), // profile, length in words
            Buffer.alloc(tag + 4),
          ]),
          SrtpError.TooShort,
        ],
        [
          'well-formed but forged',
          Buffer.concat([Buffer.from([0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]), Buffer.alloc(tag + 20, 7)]),
          SrtpError.AuthFailed,
        ],
      ];
      for (const [name, buf, want] of rows) expect(rx.unprotectRtp(buf), name).toBe(want);
      expect(rx.unprotectRtp(Buffer.alloc(64), 65), 'length past the buffer').toBe(SrtpError.TooShort);
      const trailer = profile.srtcpAuthTagLength + 4;
      const rtcpRows: [string, Buffer, number][] = [
        ['empty', Buffer.alloc(0), SrtpError.TooShort],
        ['RTCP header only, no trailer', Buffer.from([0x80, 0xc9, 0, 1, 0, 0, 0, 1]), SrtpError.TooShort],
        [
          'V=0',
          Buffer.concat([Buffer.from([0x00, 0xc9, 0, 1, 0, 0, 0, 1]), Buffer.alloc(trailer)]),
          SrtpError.TooShort,
        ],
        [
          'forged',
          Buffer.concat([Buffer.from([0x80, 0xc9, 0, 1, 0, 0, 0, 1]), Buffer.alloc(trailer, 0x80)]),
          SrtpError.AuthFailed,
        ],
      ];
      for (const [name, buf, want] of rtcpRows) expect(rx.unprotectRtcp(buf), name).toBe(want);
      expect(rx.receiveStreamCount).toBe(0);
      expect(rx.stats.tooShort).toBe(10);
      expect(rx.stats.authFailures).toBe(2);
      // protect: malformed RTP, and in place without spare room for the tag
      expect(tx.protectRtp(Buffer.from([0x80, 0x60, 0, 1]))).toBe(SrtpError.TooShort);
      const p = rtpPacket(1, SSRC, 100, { spare: 0 });
      expect(tx.protectRtp(p.buf, p.length)).toBe(SrtpError.BufferTooSmall);
      expect(tx.protectRtp(p.buf, p.length, Buffer.alloc(p.length + tag - 1))).toBe(SrtpError.BufferTooSmall);
      const r = rtcpPacket(SSRC, 1, 0);
      expect(tx.protectRtcp(r.buf, r.length)).toBe(SrtpError.BufferTooSmall);
      expect(tx.protectRtcp(Buffer.from([0x80, 0xc9, 0, 1]))).toBe(SrtpError.TooShort);
      expect(tx.stats.tooShort).toBe(2);
      expect(tx.stats.bufferTooSmall).toBe(3);
    });

    it('SRTCP index stops at 2^31 - 1 instead of reusing an index', () => {
      const { tx, rx } = pair(profile);
      tx.setRtcpSendIndex(SSRC, 0x7ffffffe);
      const p = rtcpPacket(SSRC);
      const n = tx.protectRtcp(p.buf, p.length);
      expect(n).toBeGreaterThan(0);
      expect(rx.unprotectRtcp(p.buf, n)).toBe(p.length);
      const q = rtcpPacket(SSRC);
      expect(tx.protectRtcp(q.buf, q.length)).toBe(SrtpError.IndexExhausted);
    });
  });
}

describe('SrtpContext state management', () => {
  it('removeSsrc forgets an SSRC: its ROC/replay state is created afresh by the next packet', () => {
    const profile = SRTP_PROFILES[1];
    const { tx, rx } = pair(profile);
    const a = protect(tx, 7).srtp;
    expect(unprotect(rx, a)).toBeGreaterThan(0);
    expect(unprotect(rx, a)).toBe(SrtpError.Replayed);
    expect(rx.receiveStreamCount).toBe(1);
    rx.removeSsrc(SSRC);
    expect(rx.receiveStreamCount).toBe(0);
    expect(rx.receivedRtpIndex(SSRC)).toBeUndefined();
    expect(unprotect(rx, a)).toBeGreaterThan(0);
  });

  it('works in place on Buffers over a SharedArrayBuffer (ring slots), at unaligned offsets', () => {
    for (const profile of SRTP_PROFILES) {
      const { tx, rx } = pair(profile);
      const sab = new SharedArrayBuffer(8192);
      for (const [slot, size] of [
        [0, 200],
        [2048 + 1, 1200],
        [6144 + 2, 33],
      ]) {
        const p = rtpPacket(slot, SSRC, size);
        const ring = Buffer.from(sab, slot, 1500);
        p.buf.copy(ring, 0, 0, p.length);
        const n = tx.protectRtp(ring, p.length);
        expect(n, profile.cryptoSuite).toBe(p.length + profile.srtpAuthTagLength);
        const copy = Buffer.from(ring.subarray(0, n));
        expect(rx.unprotectRtp(ring, n)).toBe(p.length);
        expect(ring.subarray(0, p.length).equals(p.buf.subarray(0, p.length))).toBe(true);
        expect(unprotect(pair(profile).rx, copy)).toBe(SrtpError.AuthFailed); // other keys
      }
    }
  });

  it('names its result codes', () => {
    const rows: [number, string][] = [
      [SrtpError.TooShort, 'TooShort'],
      [SrtpError.AuthFailed, 'AuthFailed'],
      [SrtpError.Replayed, 'Replayed'],
      [SrtpError.TooOld, 'TooOld'],
      [SrtpError.BufferTooSmall, 'BufferTooSmall'],
      [SrtpError.IndexExhausted, 'IndexExhausted'],
      [120, 'Ok'],
      [-99, 'Unknown'],
    ];
    for (const [code, name] of rows) expect(srtpErrorName(code)).toBe(name);
  });
});

describe('SrtpContext.fromSrtpParameters (mediasoup PlainTransport keyBase64 = key || salt)', () => {
  for (const profile of SRTP_PROFILES) {
    it(profile.cryptoSuite, () => {
      const masterKey = randomBytes(profile.masterKeyLength);
      const masterSalt = randomBytes(profile.masterSaltLength);
      const keyBase64 = Buffer.concat([masterKey, masterSalt]).toString('base64');
      const tx = SrtpContext.fromSrtpParameters({ cryptoSuite: profile.cryptoSuite, keyBase64 });
      const rx = new SrtpContext({ profile, masterKey, masterSalt });
      const { srtp, plain } = protect(tx, 1);
      expect(unprotect(rx, srtp)).toBe(plain.length);
      const short = Buffer.concat([masterKey, masterSalt.subarray(1)]).toString('base64');
      expect(() =>
        SrtpContext.fromSrtpParameters({ cryptoSuite: profile.cryptoSuite, keyBase64: short }),
      ).toThrow(RangeError);
    });
  }
  it('rejects an unknown suite', () => {
    expect(() => SrtpContext.fromSrtpParameters({ cryptoSuite: 'NULL', keyBase64: '' })).toThrow(TypeError);
  });
});

describe('SrtpContext configuration errors', () => {
  it('rejects unknown profiles, bad key lengths and bad window sizes', () => {
    const masterKey = Buffer.alloc(16);
    const masterSalt = Buffer.alloc(14);
    expect(() => new SrtpContext({ profile: 'NULL' as never, masterKey, masterSalt })).toThrow(TypeError);
    expect(() => new SrtpContext({ profile: 'AEAD_AES_128_GCM', masterKey, masterSalt })).toThrow(RangeError);
    expect(
      () =>
        new SrtpContext({ profile: 'AES_CM_128_HMAC_SHA1_80', masterKey, masterSalt, replayWindowSize: 8 }),
    ).toThrow(RangeError);
  });
});
