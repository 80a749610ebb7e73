/**
 * The receive buffer of the I/O thread's UDP sockets: a shared
 * (WebRtcServer) socket asks `sharedUdpRecvBufferSize` unless its listen sets
 * `recvBufferSize` (0 keeps the OS default), a transport's own socket keeps
 * the OS default, and a size the kernel caps is warned about. Figures are
 * Linux's (SO_RCVBUF capped at net.core.rmem_max, reported doubled); other
 * systems only have to grant something.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIMIT_DEFAULTS } from '../limits.js';
import { type IoListenRequest, zeroIoCounters } from '../protocol/io-protocol.js';
import { attachThreadLog, setThreadLogSettings } from '../protocol/thread-logger.js';
import { IoSockets } from './sockets.js';

const linux = process.platform === 'linux' && existsSync('/proc/sys/net/core/rmem_max');
const sysctl = (name: string) => Number(readFileSync(`/proc/sys/net/core/${name}`, 'utf8'));
/** What Linux grants for SO_RCVBUF `asked`. */
const granted = (asked: number) => 2 * Math.min(asked, sysctl('rmem_max'));

const lines: string[] = [];
let sockets: IoSockets;
const opened: number[] = [];

beforeAll(() => {
  attachThreadLog((line) => lines.push(line), 1000);
  setThreadLogSettings({ logLevel: 'warn' });
});

afterEach(() => {
  for (const index of opened.splice(0)) sockets.unlisten(1, index);
});

async function recvBuffer(req: Partial<IoListenRequest>): Promise<number> {
  sockets ??= new IoSockets(
    { onUdp: () => {}, onTcpConnection: () => {}, onSocketClosing: () => {} },
    zeroIoCounters(),
  );
  const [info] = await sockets.listen(1, [
    { protocol: 'udp', ip: '127.0.0.1', port: 0, shared: true, ...req },
  ]);
  opened.push(info.index);
  return sockets.get(info.index)!.udp!.getRecvBufferSize();
}

describe('UDP receive buffer', () => {
  it('a shared socket without recvBufferSize asks the default; 0 keeps the OS default; a transport socket keeps it', async () => {
    const shared = await recvBuffer({});
    const osDefault = await recvBuffer({ recvBufferSize: 0 });
    const own = await recvBuffer({ shared: false });
    if (linux) {
      expect(shared).toBe(granted(LIMIT_DEFAULTS.sharedUdpRecvBufferSize));
      expect(osDefault).toBe(sysctl('rmem_default'));
      expect(own).toBe(sysctl('rmem_default'));
    } else {
      expect(Math.min(shared, osDefault, own)).toBeGreaterThan(0);
    }
  });

  it('an explicit recvBufferSize is asked as is; one the kernel caps is warned about with the sysctl', async () => {
    lines.length = 0;
    const small = await recvBuffer({ recvBufferSize: 256 * 1024 });
    if (linux) expect(small).toBe(granted(256 * 1024));
    expect(lines.filter((l) => l.includes('rmem_max'))).toEqual([]);
    if (!linux) return;
    // Twice rmem_max is more than the kernel grants (it grants 2 × rmem_max, reported doubled).
    const asked = 4 * sysctl('rmem_max');
    expect(await recvBuffer({ recvBufferSize: asked })).toBe(granted(asked));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^WIoThread::openSocket\(\) \| UDP 127\.0\.0\.1:\d+ receive buffer: asked \d+ bytes/,
    );
    expect(lines[0]).toContain(`the kernel granted ${granted(asked)}`);
    expect(lines[0]).toContain('net.core.rmem_max');
  });
});
