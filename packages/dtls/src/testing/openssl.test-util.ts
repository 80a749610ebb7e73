/**
 * Drives real `openssl s_server` / `s_client` processes over UDP on
 * 127.0.0.1 for interop tests. Every spawned child is tracked so tests can
 * kill them all in `afterEach`, pass or fail.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first match of `re` in the output; rejects on timeout or exit. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  write(line: string): void;
  kill(): Promise<void>;
}

const live = new Set<OpensslProcess>();

export function spawnOpenssl(args: string[]): OpensslProcess {
  const child = spawn('openssl', args, { stdio: 'pipe' });
  let out = '';
  let exited = false;
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of waiters) w();
  };
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString('latin1');
    poke();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString('latin1');
    poke();
  });
  child.on('exit', () => {
    exited = true;
    poke();
  });
  child.stdin.on('error', () => {});
  const proc: OpensslProcess = {
    child,
    output: () => out,
    waitFor(re, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.match(re);
          if (m) {
            done();
            resolve(m);
          } else if (exited) {
            done();
            reject(new Error(`openssl exited before ${re}; output:\n${out}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timeout waiting for ${re}; output:\n${out}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    write(line) {
      if (!exited) child.stdin.write(line);
    },
    kill() {
      live.delete(proc);
      if (exited) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
  live.add(proc);
  return proc;
}

/** Kills every openssl child still running (call from afterEach). */
export async function killAllOpenssl(): Promise<void> {
  await Promise.all([...live].map((p) => p.kill()));
}

/** A UDP port that was free a moment ago (bind port 0, read it, close). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(resolve));
  return port;
}

/** The hex after "Keying material:" in s_server/s_client output. */
export function parseKeyingMaterial(out: string): Buffer | undefined {
  const m = out.match(/Keying material: ([0-9A-F]+)/);
  return m ? Buffer.from(m[1], 'hex') : undefined;
}

/** The SRTP profile openssl says it negotiated, e.g. `SRTP_AEAD_AES_128_GCM`. */
export function parseSrtpProfile(out: string): string | undefined {
  return out.match(/SRTP Extension negotiated, profile=(\S+)/)?.[1];
}

/** OpenSSL's names for the SRTP profiles, keyed by @tsfu/srtp crypto suite. */
export const OPENSSL_SRTP_NAMES: Record<string, string> = {
  AEAD_AES_256_GCM: 'SRTP_AEAD_AES_256_GCM',
  AEAD_AES_128_GCM: 'SRTP_AEAD_AES_128_GCM',
  AES_CM_128_HMAC_SHA1_80: 'SRTP_AES128_CM_SHA1_80',
  AES_CM_128_HMAC_SHA1_32: 'SRTP_AES128_CM_SHA1_32',
};

/** A temp directory for PEM files, removed by `cleanup`. */
export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'tsfu-dtls-'));
  file(name: string, content: string): string {
    const p = join(this.path, name);
    writeFileSync(p, content);
    return p;
  }
  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
