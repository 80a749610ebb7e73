/**
 * Relay ports handed out from a configured range. A port stays taken until
 * released (its allocation or reservation ended). The search starts at a
 * random offset so ports are not predictable (RFC 8656 §7.2 suggests random
 * relay ports).
 */
import { randomInt } from 'node:crypto';

export class PortPool {
  private readonly taken = new Set<number>();

  constructor(
    readonly min: number,
    readonly max: number,
  ) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || min > max) {
      throw new TypeError(`bad relay port range ${min}-${max}`);
    }
  }

  get size(): number {
    return this.max - this.min + 1;
  }

  get inUse(): number {
    return this.taken.size;
  }

  /**
   * Takes a free port (an even one whose odd successor is free too when
   * `evenPair`, and then both are taken). Returns -1 when none is left.
   * `skip` lists ports to pass over (they failed to bind).
   */
  take(evenPair = false, even = false, skip?: ReadonlySet<number>): number {
    const n = this.size;
    const start = randomInt(n);
    for (let i = 0; i < n; i++) {
      const port = this.min + ((start + i) % n);
      if (this.taken.has(port) || skip?.has(port)) continue;
      if ((even || evenPair) && (port & 1) !== 0) continue;
      if (evenPair) {
        if (port + 1 > this.max || this.taken.has(port + 1) || skip?.has(port + 1)) continue;
        this.taken.add(port + 1);
      }
      this.taken.add(port);
      return port;
    }
    return -1;
  }

  release(port: number): void {
    this.taken.delete(port);
  }
}
