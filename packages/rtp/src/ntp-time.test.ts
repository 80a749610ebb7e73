import { describe, expect, it } from 'vitest';
import {
  compactNtp,
  compactNtpFromUnixMs,
  ntpFromUnixMs,
  rttMsFromReport,
  unixMsFromNtp,
} from './ntp-time.js';

describe('NTP time', () => {
  it('maps the Unix epoch to NTP second 2208988800 (0x83AA7E80)', () => {
    expect(ntpFromUnixMs(0)).toBe(0x83aa7e80_00000000n);
    expect(unixMsFromNtp(0x83aa7e80_00000000n)).toBe(0);
  });

  it('puts half a second in the top bit of the fraction', () => {
    expect(ntpFromUnixMs(1500)).toBe(0x83aa7e81_80000000n);
    expect(unixMsFromNtp(0x83aa7e81_80000000n)).toBe(1500);
  });

  it('compact form is the middle 32 bits, with or without BigInt', () => {
    expect(compactNtp(0x83aa7e81_80000000n)).toBe(0x7e818000);
    expect(compactNtpFromUnixMs(1500)).toBe(0x7e818000);
    const now = 1_763_700_000_123;
    expect(Math.abs(compactNtpFromUnixMs(now) - compactNtp(ntpFromUnixMs(now)))).toBeLessThanOrEqual(1);
  });

  it('round-trips ms through NTP within a microsecond', () => {
    for (const ms of [1, 999, 1_000_000_000_000, 1_763_700_000_123.5]) {
      expect(Math.abs(unixMsFromNtp(ntpFromUnixMs(ms)) - ms)).toBeLessThan(0.001);
    }
  });

  it('RTT = A - LSR - DLSR (RFC 3550 §6.4.1 example)', () => {
    // The RFC's example: A=0xb710:8000 (46864.500 s), LSR=0xb705:2000 (46853.125 s), DLSR=0x0005:4000 (5.250 s).
    expect(rttMsFromReport(0xb7108000, 0xb7052000, 0x00054000)).toBe(6125);
    expect(rttMsFromReport(0xb7108000, 0, 0x00054000)).toBe(-1); // no SR seen yet
    expect(rttMsFromReport(0x00000000, 0xfffff000, 0x00000800)).toBe(31.25); // across the wrap
    expect(rttMsFromReport(0xb7052000, 0xb7108000, 0)).toBe(-1); // negative
  });
});
