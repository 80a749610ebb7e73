/**
 * The I/O thread keeps the process alive exactly while a worker is attached
 * or being attached: a script that closes its last worker and then awaits
 * `createWorker()` runs on (it used to end with exit code 13, "unsettled
 * top-level await", because the unreferenced I/O thread was asked to attach
 * the new worker before being referenced again), and ends on its own once
 * that worker is closed. Imports the built package (`pnpm build` first).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('await createWorker() after the last worker closed keeps the process alive; it exits after', async () => {
  const dist = fileURLToPath(new URL('../../packages/sfu/dist/', import.meta.url));
  const script = `
    const sfu = await import(${JSON.stringify(`${dist}index.js`)});
    for (let i = 0; i < 3; i++) {
      const w = await sfu.createWorker({ logLevel: 'warn' });
      w.close();
      await new Promise((r) => w.once('subprocessclose', r));
      console.log('worker', i);
    }
  `;
  const dir = mkdtempSync(join(tmpdir(), 'tsfu-alive-'));
  const file = join(dir, 'child.mjs');
  writeFileSync(file, script);
  try {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        // A file, not -e: worker threads inherit the parent's execArgv.
        const child = spawn(process.execPath, [file]);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => {
          stdout += d;
        });
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        // A bound for a child that never exits, not a speed target (three worker starts, loaded machine).
        const deadline = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`child did not exit: ${stdout} ${stderr}`));
        }, 60_000);
        child.on('exit', (code) => {
          clearTimeout(deadline);
          resolve({ code, stdout, stderr });
        });
      },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toEqual(['worker 0', 'worker 1', 'worker 2']);
    expect(result.code).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
