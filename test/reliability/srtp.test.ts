/**
 * SRTP/SRTCP unprotect fed what an attacker can send before knowing the keys:
 * random bytes and forged/mutated copies of genuinely protected packets. No
 * throw, no state (no replay window created for any SSRC), every drop counted.
 */
import { SRTP_PROFILES, SrtpContext, type SrtpContextStats } from '@tsfu/srtp';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutate, mutation } from './mutate.js';

function context(profileIndex: number, keyByte: number): SrtpContext {
  const profile = SRTP_PROFILES[profileIndex];
  return new SrtpContext({
    profile,
    masterKey: Buffer.alloc(profile.masterKeyLength, keyByte),
    masterSalt: Buffer.alloc(profile.masterSaltLength, keyByte + 1),
  });
}

function drops(s: SrtpContextStats): number {
  return s.authFailures + s.replayed + s.tooOld + s.tooShort + s.bufferTooSmall;
}

/** A genuinely protected RTP and RTCP packet from a sender with other keys. */
function protectedPair(profileIndex: number): { rtp: Buffer; rtcp: Buffer } {
  const sender = context(profileIndex, 7);
  const rtp = Buffer.alloc(12 + 40 + sender.rtpOverhead);
  rtp[0] = 0x80;
  rtp[1] = 96;
  rtp.writeUInt16BE(1, 2);
  rtp.writeUInt32BE(0x1234, 8);
  const rtpLen = sender.protectRtp(rtp, 52);
  const rtcp = Buffer.alloc(8 + 24 + sender.rtcpOverhead);
  rtcp[0] = 0x80;
  rtcp[1] = 201; // RR with no blocks + padding payload
  rtcp.writeUInt16BE(1, 2);
  rtcp.writeUInt32BE(0x1234, 4);
  const rtcpLen = sender.protectRtcp(rtcp, 8);
  return { rtp: rtp.subarray(0, rtpLen), rtcp: rtcp.subarray(0, rtcpLen) };
}

describe('SRTP unprotect under forged input', () => {
  for (let p = 0; p < SRTP_PROFILES.length; p++) {
    const name = SRTP_PROFILES[p].cryptoSuite;
    it(`${name}: random and mutated packets never throw, create no stream state and are all counted`, () => {
      // The receiver holds keys the attacker lacks (key byte 9 vs the sender's 7), and also
      // the right keys: a mutated packet must fail authentication either way.
      const { rtp, rtcp } = protectedPair(p);
      const wrongKeys = context(p, 9);
      const rightKeys = context(p, 7);
      let fed = 0;
      const input = fc.oneof(
        fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
        mutation(rtp).map((m) => mutate(rtp, m)),
        mutation(rtcp).map((m) => mutate(rtcp, m)),
      );
      fc.assert(
        fc.property(input, fc.boolean(), (buf, asRtcp) => {
          for (const ctx of [wrongKeys, rightKeys]) {
            const copy = Buffer.from(buf); // unprotect works in place
            const n = asRtcp ? ctx.unprotectRtcp(copy) : ctx.unprotectRtp(copy);
            // A mutation can leave the packet intact (e.g. an empty edit list): only then may it pass.
            if (n >= 0) expect(ctx === rightKeys && (buf.equals(rtp) || buf.equals(rtcp))).toBe(true);
          }
          fed++;
        }),
        { seed: 0x5e7a, numRuns: 1500 },
      );
      expect(wrongKeys.receiveStreamCount).toBe(0);
      expect(drops(wrongKeys.stats)).toBe(fed);
      expect(wrongKeys.stats.rtpUnprotected + wrongKeys.stats.rtcpUnprotected).toBe(0);
      // The right-key receiver only ever learnt the genuine SSRC.
      expect(rightKeys.receiveStreamCount).toBeLessThanOrEqual(1);
      expect(drops(rightKeys.stats) + rightKeys.stats.rtpUnprotected + rightKeys.stats.rtcpUnprotected).toBe(
        fed,
      );
    });
  }
});
