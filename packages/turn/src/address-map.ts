/**
 * A map keyed by (IP text, port) without building a key string per lookup:
 * the relay's per-packet lookups (5-tuples, peers of channels) go through it.
 */
export class AddressMap<T> {
  private readonly byIp = new Map<string, Map<number, T>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(ip: string, port: number): T | undefined {
    return this.byIp.get(ip)?.get(port);
  }

  set(ip: string, port: number, value: T): void {
    let ports = this.byIp.get(ip);
    if (ports === undefined) {
      ports = new Map();
      this.byIp.set(ip, ports);
    }
    if (!ports.has(port)) this.count++;
    ports.set(port, value);
  }

  delete(ip: string, port: number): boolean {
    const ports = this.byIp.get(ip);
    if (ports === undefined || !ports.delete(port)) return false;
    if (ports.size === 0) this.byIp.delete(ip);
    this.count--;
    return true;
  }

  *values(): IterableIterator<T> {
    for (const ports of this.byIp.values()) yield* ports.values();
  }

  clear(): void {
    this.byIp.clear();
    this.count = 0;
  }
}
