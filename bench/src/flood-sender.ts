/**
 * The flooder of `flood.ts`, a process of its own (forked): on each IPC
 * command `{ port, rate, ms }` it sends `floodDatagrams()` to 127.0.0.1:port
 * at `rate` datagrams/s for `ms` from SOCKETS source ports, paced by the
 * clock (1 ms ticks), then answers `{ sent, errors, elapsedMs }`.
 */
import { createSocket, type Socket } from 'node:dgram';
import { floodDatagrams } from '@tsfu/sfu/testing';

const SOCKETS = 32;
/** A tick never sends more than this (a stalled process does not burst to catch up). */
const MAX_PER_TICK = 200;

interface Command {
  port: number;
  rate: number;
  ms: number;
}

const datagrams = floodDatagrams(16);
const sockets: Socket[] = [];
let errors = 0;

async function open(): Promise<void> {
  for (let i = 0; i < SOCKETS; i++) {
    const s = createSocket('udp4');
    s.on('error', () => errors++);
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    sockets.push(s);
  }
}

async function flood({
  port,
  rate,
  ms,
}: Command): Promise<{ sent: number; errors: number; elapsedMs: number }> {
  errors = 0;
  let sent = 0;
  const start = performance.now();
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= ms) break;
    const due = Math.min(MAX_PER_TICK, Math.floor((rate * elapsed) / 1000) - sent);
    for (let i = 0; i < due; i++, sent++) {
      sockets[sent % SOCKETS].send(datagrams[sent % datagrams.length], port, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  // Let libuv's queued sends leave before answering.
  await new Promise((r) => setImmediate(r));
  return { sent, errors, elapsedMs: performance.now() - start };
}

await open();
process.on('message', (cmd: Command | 'exit') => {
  if (cmd === 'exit') {
    for (const s of sockets) s.close();
    process.disconnect?.();
    return;
  }
  void flood(cmd).then((r) => process.send?.(r));
});
process.send?.('ready');
