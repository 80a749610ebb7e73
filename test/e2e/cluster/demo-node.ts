/**
 * One node of the demo cluster as its own process: `apps/demo/dist/server/main.js
 * --redis … --node-id …`, optionally inside a network namespace (`ip netns
 * exec`, which execs node: the pid is node's). Resolves once it prints that it
 * is up; keeps its output for the failure message.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { E2E_DIR } from '../harness/index.js';

export const REPO_DIR = join(E2E_DIR, '..', '..');
const MAIN = join(REPO_DIR, 'apps', 'demo', 'dist', 'server', 'main.js');

/** The demo's server compiled (the nodes run its JavaScript; tsc -b is incremental). */
export function buildDemo(): void {
  const tsc = createRequire(join(REPO_DIR, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', join(REPO_DIR, 'apps', 'demo')], {
    stdio: 'pipe',
    timeout: 300_000,
  });
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface NodeSpec {
  id: string;
  ip: string;
  port: number;
  redisUrl: string;
  /** Run inside this network namespace. */
  netns?: string;
  loopbackOnly?: boolean;
  /** Serve https with a self-signed certificate (pages off loopback need it for the camera). */
  https?: boolean;
}

export class DemoNode {
  readonly output: string[] = [];
  private child: ChildProcess | undefined;

  constructor(readonly spec: NodeSpec) {}

  get url(): string {
    return `${this.spec.https ? 'https' : 'http'}://${this.spec.ip}:${this.spec.port}/`;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const { id, ip, port, redisUrl, netns, loopbackOnly } = this.spec;
    const args = [
      MAIN,
      `--redis=${redisUrl}`,
      `--node-id=${id}`,
      `--port=${port}`,
      `--http-ip=${ip}`,
      `--listen-ip=${ip}`,
      `--announced-ip=${ip}`,
      '--rtc-port=0',
      '--workers=1',
      '--no-tcp',
      '--stats-interval-ms=1000',
      `--loopback-only=${loopbackOnly === true}`,
      `--https=${this.spec.https === true}`,
    ];
    const child = netns
      ? spawn('ip', ['netns', 'exec', netns, process.execPath, ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node ${id} not up in 60 s:\n${this.log()}`)), 60_000);
      const onData = (d: Buffer) => {
        for (const line of d.toString().split('\n')) if (line) this.output.push(`[${id}] ${line}`);
        if (this.output.some((l) => l.includes('tsfu demo is up'))) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`node ${id} exited (${code ?? signal}):\n${this.log()}`));
      });
    });
    child.removeAllListeners('exit');
  }

  log(): string {
    return this.output.slice(-60).join('\n');
  }

  /** SIGKILL: no goodbye to Redis, the pages or the other nodes. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}
