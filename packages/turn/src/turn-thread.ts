/**
 * The TURN server on a thread of its own (`worker_threads`), as the SFU runs
 * its I/O: relaying then never competes with the embedding app's event loop.
 * Options cross the thread boundary by structured clone, so `auth.users` must
 * be a table, not a function.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TurnListenAddress, TurnServerOptions } from './turn-server.js';
import type { TurnServerStats } from './turn-stats.js';

export interface TurnServerThread {
  readonly addresses: readonly TurnListenAddress[];
  /** The thread's `urls()` with the listening addresses (pass `host` to put another one in). */
  urls(host?: string): string[];
  /** A snapshot of the thread's counters. */
  stats(): Promise<TurnServerStats>;
  /** Closes the server and ends the thread. */
  close(): Promise<void>;
}

/** dist/ holds the thread's script; from the TypeScript sources (tests), use the built one. */
function workerEntry(): URL {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return new URL('../dist/turn-thread-worker.js', import.meta.url);
  return new URL('./turn-thread-worker.js', import.meta.url);
}

type Reply =
  | { kind: 'ready'; addresses: TurnListenAddress[]; urls: string[] }
  | { kind: 'failed'; message: string }
  | { kind: 'answer'; id: number; stats?: TurnServerStats };

export function startTurnServerThread(options: TurnServerOptions): Promise<TurnServerThread> {
  if (typeof options?.auth?.users === 'function') {
    throw new TypeError('auth.users must be a table on a thread (a function cannot be sent to it)');
  }
  const worker = new Worker(workerEntry(), { workerData: options });
  const pending = new Map<number, (r: Extract<Reply, { kind: 'answer' }>) => void>();
  let nextId = 1;
  let exited = false;
  const ask = (kind: 'stats' | 'close') =>
    new Promise<Extract<Reply, { kind: 'answer' }>>((resolve, reject) => {
      if (exited) {
        reject(new Error('the TURN thread has exited'));
        return;
      }
      const id = nextId++;
      pending.set(id, resolve);
      worker.postMessage({ id, kind });
    });
  return new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', () => {
      exited = true;
      reject(new Error('the TURN thread exited before it was ready'));
    });
    worker.on('message', (m: Reply) => {
      if (m.kind === 'failed') reject(new Error(m.message));
      else if (m.kind === 'answer') {
        pending.get(m.id)?.(m);
        pending.delete(m.id);
      } else {
        let closing: Promise<void> | undefined;
        resolve({
          addresses: m.addresses,
          urls(host?: string) {
            if (host === undefined) return m.urls;
            return m.urls.map((u) => u.replace(/^(turns?:)[^:]+|^(turns?:)\[[^\]]+\]/, `$1$2${host}`));
          },
          async stats() {
            return (await ask('stats')).stats!;
          },
          close() {
            closing ??= ask('close').then(
              () => worker.terminate().then(() => {}),
              () => {},
            );
            return closing;
          },
        });
      }
    });
  });
}
