/**
 * ffmpeg and GStreamer as test peers: a child process with its output kept
 * (for waits and failure messages), a lifetime bound (killed by its pid when
 * it overstays), and UDP port helpers — free ports for a receiver to listen
 * on, and a wait until it has bound them (read from /proc/net/udp, so a test
 * starts sending only once the receiver can hear).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';

export interface MediaProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class MediaProcess {
  readonly child: ChildProcess;
  /** stdout and stderr, interleaved as they came. */
  output = '';
  readonly exited: Promise<MediaProcessExit>;
  #exit: MediaProcessExit | undefined;
  readonly #timer: NodeJS.Timeout;

  /** Starts `command args…`; it is killed (SIGKILL, by pid) after `maxLifetimeMs`. */
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    maxLifetimeMs: number,
  ) {
    this.child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const append = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      // Bounded: a chatty process keeps only its last 1 MB.
      if (this.output.length > 2_000_000) this.output = this.output.slice(-1_000_000);
    };
    this.child.stdout?.on('data', append);
    this.child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.output += `\n[spawn error] ${err.message}`;
        this.#exit ??= { code: null, signal: null };
        resolve(this.#exit);
      });
      this.child.on('exit', (code, signal) => {
        this.#exit ??= { code, signal };
        resolve(this.#exit);
      });
    });
    this.#timer = setTimeout(() => this.kill(), maxLifetimeMs);
    void this.exited.then(() => clearTimeout(this.#timer));
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** The exit, or a rejection (with the output's tail) when it has not come within `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<MediaProcessExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.command} still running after ${timeoutMs} ms:\n${this.tail()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once `pattern` appears in the output; rejects if the process exits first or after `timeoutMs`. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const m = this.output.match(pattern);
      if (m) return m;
      if (!this.running) throw new Error(`${this.command} exited before ${pattern}:\n${this.tail()}`);
      if (performance.now() > deadline)
        throw new Error(`no ${pattern} from ${this.command}:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The last lines of output, for failure messages. */
  tail(lines = 30): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  /** Kills the process (its own pid only) and waits for it to go. */
  async stop(): Promise<MediaProcessExit> {
    this.kill();
    return this.exited;
  }

  private kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

/** Binds a UDP socket on 127.0.0.1 at `port` (0: any), or undefined when taken. */
async function bindUdp(port: number): Promise<Socket | undefined> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

/**
 * `count` pairs of free ports `(p, p + 1)` on 127.0.0.1 with `p` even (the
 * RTP/RTCP convention ffmpeg follows), found by binding them, then released
 * for the receiver to take.
 */
export async function freeUdpPortPairs(count: number): Promise<Array<[number, number]>> {
  const held: Socket[] = [];
  const pairs: Array<[number, number]> = [];
  try {
    for (let attempt = 0; attempt < 200 && pairs.length < count; attempt++) {
      const p = 20_000 + 2 * Math.floor(Math.random() * 20_000);
      const a = await bindUdp(p);
      if (!a) continue;
      const b = await bindUdp(p + 1);
      if (!b) {
        a.close();
        continue;
      }
      held.push(a, b);
      pairs.push([p, p + 1]);
    }
  } finally {
    for (const s of held) s.close();
  }
  if (pairs.length < count) throw new Error(`found only ${pairs.length} of ${count} free UDP port pairs`);
  return pairs;
}

/** Local UDP ports bound on this machine now (IPv4 and IPv6), from /proc/net/udp{,6}. */
export function boundUdpPorts(): Set<number> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const hex = local?.split(':').at(-1);
      if (hex) ports.add(Number.parseInt(hex, 16));
    }
  }
  return ports;
}

/** Resolves once every port in `ports` is bound (by the process under test), or rejects after `timeoutMs`. */
export async function waitForUdpBound(
  ports: readonly number[],
  timeoutMs: number,
  who?: MediaProcess,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const bound = boundUdpPorts();
    if (ports.every((p) => bound.has(p))) return;
    if (who && !who.running) throw new Error(`${who.command} exited before binding ${ports}:\n${who.tail()}`);
    if (performance.now() > deadline) {
      throw new Error(
        `ports ${ports.filter((p) => !bound.has(p))} not bound after ${timeoutMs} ms\n${who?.tail() ?? ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
