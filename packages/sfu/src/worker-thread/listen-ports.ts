/**
 * Which ports a listen info may bind, as mediasoup's PortManager chooses:
 * its `port`; else its `portRange`; else the worker's `rtcMinPort`..`rtcMaxPort`.
 * A range is tried from a random port upward, wrapping once around; a port in
 * use (EADDRINUSE, or EACCES below 1024) moves on to the next, any other bind
 * error ends the search (EADDRNOTAVAIL: the IP is not this host's).
 */
import { randomInt } from 'node:crypto';
import type { TransportListenInfo } from '../types/transport.js';

export interface PortRange {
  min: number;
  max: number;
}

/** A fixed port, or the range to search. Throws TypeError for a reversed or out-of-bounds range. */
export function portChoice(info: TransportListenInfo, workerRange: PortRange): number | PortRange {
  const range = info.portRange;
  if (range && (range.min || range.max)) {
    const { min, max } = range;
    if (!isPort(min) || !isPort(max) || min === 0 || max === 0) {
      throw new TypeError(`invalid portRange [min:${min}, max:${max}]`);
    }
    if (max < min) throw new TypeError('maxPort cannot be less than minPort');
    return { min, max };
  }
  if (info.port) {
    if (!isPort(info.port)) throw new TypeError(`invalid port ${info.port}`);
    return info.port;
  }
  return workerRange;
}

/** The range's ports in the order to try: from a random one, up, wrapping to `min`. */
export function* portsToTry({ min, max }: PortRange): Generator<number> {
  const count = max - min + 1;
  const start = randomInt(count);
  for (let i = 0; i < count; i++) yield min + ((start + i) % count);
}

/** A bind that failed because the port is taken: the search goes on. */
export function isPortInUse(error: unknown): boolean {
  return error instanceof Error && /\b(EADDRINUSE|EACCES)\b/.test(error.message);
}

function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535;
}
