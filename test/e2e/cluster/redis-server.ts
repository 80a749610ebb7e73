/**
 * A real Redis for the cluster tests: Debian's `redis-server` (installed with
 * apt-get when missing and we are root, as harness/media-tools.ts does for
 * ffmpeg), started on the address and port the test gives, no persistence.
 * `restart()` kills it and starts an empty one on the same port (what the
 * nodes must survive). Throws — the test fails, never skips — when it cannot.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { findOnPath } from '../harness/media-tools.js';

export function ensureRedisServer(): string {
  const found = findOnPath('redis-server');
  if (found) return found;
  if (process.getuid?.() !== 0)
    throw new Error('redis-server missing and not root: apt-get install redis-server');
  if (!findOnPath('apt-get')) throw new Error('redis-server missing and no apt-get to install it');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (...args: string[]) =>
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=120', ...args], {
      stdio: 'ignore',
      timeout: 300_000,
      env,
    });
  apt('update');
  apt('install', '-y', '--no-install-recommends', 'redis-server');
  const installed = findOnPath('redis-server');
  if (!installed) throw new Error('apt-get installed redis-server but it is not on PATH');
  return installed;
}

export class RedisProcess {
  private child: ChildProcess | undefined;

  constructor(
    readonly ip: string,
    readonly port: number,
    private readonly binary = ensureRedisServer(),
  ) {}

  get url(): string {
    return `redis://${this.ip}:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      this.binary,
      [
        '--bind',
        this.ip,
        '--port',
        String(this.port),
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server not ready in 20 s: ${output}`)), 20_000);
      child.stdout?.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}): ${output}`));
      });
    });
  }

  /** SIGKILL (nothing saved), then an empty server on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
