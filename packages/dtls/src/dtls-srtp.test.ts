/**
 * DTLS-SRTP end to end: the keys each side exports after a handshake drive
 * `@tsfu/srtp` contexts, so an RTP packet protected by one endpoint
 * unprotects at the other, in both directions, for every profile.
 */
import { SRTP_PROFILES, SrtpContext } from '@tsfu/srtp';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DtlsCertificate } from './dtls-certificate.js';
import { makePair } from './testing/link.test-util.js';

let a: DtlsCertificate;
let b: DtlsCertificate;
beforeAll(async () => {
  [a, b] = await Promise.all([DtlsCertificate.generate(), DtlsCertificate.generate()]);
});
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** A minimal RTP packet: V=2, PT 96, the given sequence number, SSRC 0x11223344, 100-byte payload. */
function rtp(seq: number): Buffer {
  const p = Buffer.alloc(12 + 100 + 16);
  p[0] = 0x80;
  p[1] = 96;
  p.writeUInt16BE(seq, 2);
  p.writeUInt32BE(seq * 960, 4);
  p.writeUInt32BE(0x11223344, 8);
  p.fill(0xab, 12, 112);
  return p;
}

describe('DTLS-SRTP keys drive @tsfu/srtp', () => {
  for (const profile of SRTP_PROFILES) {
    it(profile.cryptoSuite, () => {
      const p = makePair({ certificate: a, srtpProfiles: [profile.cryptoSuite] }, { certificate: b });
      p.server.start();
      p.client.start();
      vi.advanceTimersByTime(50);
      const ck = p.client.getSrtpKeyingMaterial()!;
      const sk = p.server.getSrtpKeyingMaterial()!;
      expect(ck.profile.cryptoSuite).toBe(profile.cryptoSuite);
      const ctx = (k: typeof ck, local: boolean) =>
        new SrtpContext({
          profile: k.profile,
          masterKey: local ? k.localMasterKey : k.remoteMasterKey,
          masterSalt: local ? k.localMasterSalt : k.remoteMasterSalt,
        });
      for (const [sender, receiver] of [
        [ctx(ck, true), ctx(sk, false)],
        [ctx(sk, true), ctx(ck, false)],
      ]) {
        const pkt = rtp(1);
        const n = sender.protectRtp(pkt, 112);
        expect(n).toBe(112 + sender.rtpOverhead);
        expect(pkt.subarray(12, 112).equals(Buffer.alloc(100, 0xab))).toBe(false); // encrypted
        expect(receiver.unprotectRtp(pkt, n)).toBe(112);
        expect(pkt.subarray(12, 112)).toEqual(Buffer.alloc(100, 0xab));
      }
      // Keys from the wrong direction do not authenticate.
      const pkt = rtp(2);
      const n = ctx(ck, true).protectRtp(pkt, 112);
      expect(ctx(ck, false).unprotectRtp(pkt, n)).toBeLessThan(0);
    });
  }
});
