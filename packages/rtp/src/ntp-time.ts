/**
 * NTP timestamps as RTCP uses them (RFC 3550 §4, §6.4.1): the 64-bit Q32.32
 * form of sender reports, the "compact" middle 32 bits (Q16.16) carried in
 * LSR/DLSR and XR RRTR/DLRR, and round-trip time from a report block.
 */

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
export const NTP_UNIX_OFFSET_SECONDS = 2208988800;

/** 64-bit NTP timestamp (Q32.32) for a Unix time in ms. */
export function ntpFromUnixMs(ms: number): bigint {
  const seconds = Math.floor(ms / 1000);
  const frac = Math.min(0xffffffff, Math.round(((ms - seconds * 1000) / 1000) * 0x100000000));
  return (BigInt(seconds + NTP_UNIX_OFFSET_SECONDS) << 32n) | BigInt(frac);
}

/** Unix time in ms for a 64-bit NTP timestamp. */
export function unixMsFromNtp(ntp: bigint): number {
  const seconds = Number(ntp >> 32n) - NTP_UNIX_OFFSET_SECONDS;
  return seconds * 1000 + (Number(ntp & 0xffffffffn) / 0x100000000) * 1000;
}

/** The middle 32 bits of a 64-bit NTP timestamp (what LSR and XR's last RR carry). */
export function compactNtp(ntp: bigint): number {
  return Number((ntp >> 16n) & 0xffffffffn);
}

/** Compact NTP (Q16.16 seconds, wrapping every 18 h) for a Unix time in ms, without BigInt. */
export function compactNtpFromUnixMs(ms: number): number {
  const t = ms / 1000 + NTP_UNIX_OFFSET_SECONDS;
  const seconds = Math.floor(t);
  return (((seconds & 0xffff) << 16) | Math.floor((t - seconds) * 65536)) >>> 0;
}

/**
 * Round-trip time in ms from a report block received at compact NTP time
 * `nowCompact`: A − LSR − DLSR (RFC 3550 §6.4.1). Returns -1 when the block
 * has no LSR (no SR received yet) or the result is negative (clock jumps).
 */
export function rttMsFromReport(nowCompact: number, lsr: number, dlsr: number): number {
  if (lsr === 0) return -1;
  const rtt = (nowCompact - lsr - dlsr) | 0;
  return rtt < 0 ? -1 : (rtt * 1000) / 65536;
}
