/**
 * What the kernel says about a UDP socket (Linux): its receive-buffer drops
 * (`/proc/net/udp`, last column) and the receive buffer it really has
 * (`ss -m`: `rb`), and the `net.core.rmem_max` cap on SO_RCVBUF.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Datagrams dropped by the kernel for the IPv4 UDP socket bound to 127.0.0.1:`port` (undefined if not found). */
export function udpDrops(port: number): number | undefined {
  if (!existsSync('/proc/net/udp')) return undefined;
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let total: number | undefined;
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // Unconnected sockets only (a connected one on the same port has a remote address).
    if (f[1] === local && f[2] === '00000000:0000') total = (total ?? 0) + Number(f[f.length - 1]);
  }
  return total;
}

/** The receive buffer (bytes, as the kernel accounts it: twice what SO_RCVBUF was given) of 127.0.0.1:`port`. */
export function udpRecvBuffer(port: number): number | undefined {
  try {
    const out = execFileSync('ss', ['-uamnH', 'src', `127.0.0.1:${port}`], { encoding: 'utf8' });
    const m = /rb(\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** `net.core.rmem_max` / `rmem_default` (bytes), or undefined off Linux. */
export function rmemSysctls(): { max?: number; default?: number } {
  const read = (name: string) => {
    const file = `/proc/sys/net/core/${name}`;
    return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  };
  return { max: read('rmem_max'), default: read('rmem_default') };
}

/**
 * Datagrams the kernel dropped (receive buffer full) on every UDP socket this process holds (the
 * sockets' inodes from /proc/self/fd, their drop counters from /proc/net/udp{,6}); undefined off Linux.
 */
export function ownUdpDrops(): number | undefined {
  if (!existsSync('/proc/self/fd') || !existsSync('/proc/net/udp')) return undefined;
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  let total = 0;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // Columns: … uid timeout inode ref pointer drops.
      if (f.length > 12 && inodes.has(f[9])) total += Number(f[f.length - 1]);
    }
  }
  return total;
}
