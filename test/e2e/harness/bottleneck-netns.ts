/**
 * A real bottleneck for the bandwidth tests: Chromium runs in its own network
 * namespace, joined to the test's namespace (where the SFU listens) by a veth
 * pair; the SFU → browser direction of the SFU's UDP port is shaped with `tc`
 * htb (this kernel has no netem) on the host side of the veth, into a short
 * pfifo so that an overloaded link drops instead of queueing for seconds.
 * The page server (127.0.0.1 in the test's namespace) is reached through two
 * TCP forwarders: 127.0.0.1:<port> inside the namespace → veth → 127.0.0.1:<port>.
 * Everything is named `bwe…` (or the prefix given) and removed by `close()`. Creating it throws
 * (the test fails, never skips) when namespaces or tc are not available.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

/** Forwards TCP from `listenHost:listenPort` (this namespace) to `toHost:toPort`. */
function forwardTcp(listenHost: string, listenPort: number, toHost: string, toPort: number): Promise<Server> {
  const server = createServer((a) => {
    const b = createConnection(toPort, toHost);
    a.pipe(b).pipe(a);
    a.on('error', () => b.destroy());
    b.on('error', () => a.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, listenHost, () => resolve(server));
  });
}

// The same forwarder, as a script run inside the namespace.
const NS_FORWARDER = `
const net = require('node:net');
const [lh, lp, th, tp] = process.argv.slice(1);
net.createServer((a) => {
  const b = net.createConnection(Number(tp), th);
  a.pipe(b).pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
}).listen(Number(lp), lh, () => console.log('ready'));
`;

export class BottleneckNetns {
  readonly ns: string;
  readonly hostIf: string;
  readonly nsIf: string;
  readonly hostIp: string;
  readonly nsIp: string;
  /** A script that runs Chromium inside the namespace (pass as `executablePath`). */
  readonly chromiumWrapper: string;
  private readonly forwarders: Server[] = [];
  private nsForwarder: ChildProcess | undefined;
  private shapedPort = 0;

  /** `prefix` names everything (≤ 4 characters: interface names), `net` is the 10.<net>.x.0/24 it uses. */
  constructor(tag: number, prefix = 'bwe', net = 213) {
    const n = tag % 200;
    this.ns = `${prefix}-ns${n}`;
    this.hostIf = `${prefix}-h${n}`;
    this.nsIf = `${prefix}-c${n}`;
    this.hostIp = `10.${net}.${n}.1`;
    this.nsIp = `10.${net}.${n}.2`;
    this.chromiumWrapper = join(tmpdir(), `${prefix}-chromium-${process.pid}.sh`);
  }

  /** Creates the namespace, the veth pair and an unshaped htb tree on the host side. */
  create(chromiumPath: string): void {
    this.close(); // leftovers of an earlier run with the same tag
    run('ip', ['netns', 'add', this.ns]);
    run('ip', ['-n', this.ns, 'link', 'set', 'lo', 'up']);
    run('ip', ['link', 'add', this.hostIf, 'type', 'veth', 'peer', 'name', this.nsIf]);
    run('ip', ['link', 'set', this.nsIf, 'netns', this.ns]);
    run('ip', ['addr', 'add', `${this.hostIp}/30`, 'dev', this.hostIf]);
    run('ip', ['link', 'set', this.hostIf, 'up']);
    run('ip', ['-n', this.ns, 'addr', 'add', `${this.nsIp}/30`, 'dev', this.nsIf]);
    run('ip', ['-n', this.ns, 'link', 'set', this.nsIf, 'up']);
    const dev = ['dev', this.hostIf];
    run('tc', ['qdisc', 'add', ...dev, 'root', 'handle', '1:', 'htb', 'default', '10']);
    run('tc', ['class', 'add', ...dev, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '1gbit']);
    run('tc', ['class', 'add', ...dev, 'parent', '1:', 'classid', '1:20', 'htb', 'rate', '1gbit']);
    // ~40 full-size packets: at 600 kbit/s about 0.6 s of queue, then drops.
    run('tc', ['qdisc', 'add', ...dev, 'parent', '1:20', 'handle', '20:', 'pfifo', 'limit', '40']);
    writeFileSync(
      this.chromiumWrapper,
      `#!/bin/sh\nexec ip netns exec ${this.ns} ${JSON.stringify(chromiumPath)} "$@"\n`,
    );
    chmodSync(this.chromiumWrapper, 0o755);
  }

  /** Makes the page server on 127.0.0.1:`port` of this namespace reachable at the same address inside. */
  async forwardPageServer(port: number): Promise<void> {
    this.forwarders.push(await forwardTcp(this.hostIp, port, '127.0.0.1', port));
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.ns,
        process.execPath,
        '-e',
        NS_FORWARDER,
        '127.0.0.1',
        `${port}`,
        this.hostIp,
        `${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.nsForwarder = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('namespace forwarder did not start')), 15_000);
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`namespace forwarder exited (${code})`));
      });
    });
  }

  /** Shapes what the SFU's UDP `port` sends to UDP `toPort` in the namespace (one receiver's flow). */
  shapeUdpFlow(port: number, toPort: number): void {
    this.shapedPort = port;
    const match = `ip protocol 17 0xff match ip sport ${port} 0xffff match ip dport ${toPort} 0xffff`;
    run('tc', [
      ...`filter add dev ${this.hostIf} protocol ip parent 1: prio 1 u32 match ${match}`.split(' '),
      'flowid',
      '1:20',
    ]);
  }

  /** Limits the shaped flow to `kbit` kbit/s (0: unlimited). */
  setLimit(kbit: number): void {
    if (this.shapedPort === 0) throw new Error('no shaped port');
    const rate = kbit > 0 ? `${kbit}kbit` : '1gbit';
    run('tc', [
      'class',
      'change',
      'dev',
      this.hostIf,
      'parent',
      '1:',
      'classid',
      '1:20',
      'htb',
      'rate',
      rate,
      'ceil',
      rate,
      'burst',
      '15k',
    ]);
  }

  /** Bytes sent and dropped by the shaped class (for the report). */
  shapedClassStats(): string {
    return run('tc', ['-s', 'class', 'show', 'dev', this.hostIf, 'classid', '1:20']);
  }

  close(): void {
    for (const f of this.forwarders) f.close();
    this.forwarders.length = 0;
    if (this.nsForwarder && this.nsForwarder.exitCode === null) this.nsForwarder.kill();
    this.nsForwarder = undefined;
    // Deleting the namespace deletes the veth pair (and the shaping with it).
    try {
      execFileSync('ip', ['netns', 'delete', this.ns], { stdio: 'ignore' });
    } catch {}
    try {
      execFileSync('ip', ['link', 'delete', this.hostIf], { stdio: 'ignore' });
    } catch {}
  }
}
