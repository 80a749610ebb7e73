import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, UnsupportedError, WorkerClosedError } from '../errors.js';
import { Channel, type MessageEndpoint } from './channel.js';

const ports: Array<{ close(): void }> = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

function pair(): [Channel, Channel] {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  return [new Channel(port1 as unknown as MessageEndpoint), new Channel(port2 as unknown as MessageEndpoint)];
}

describe('Channel (control messages between threads)', () => {
  it('answers requests by id, in any order', async () => {
    const [a, b] = pair();
    // 'slow' is answered only once 'fast' was handled: the answers come back in reverse order.
    let fastHandled!: () => void;
    const afterFast = new Promise<void>((r) => {
      fastHandled = r;
    });
    b.handleRequests(async (method, data) => {
      if (method === 'slow') await afterFast;
      else fastHandled();
      return { method, data };
    });
    const order: string[] = [];
    const slow = a.request('slow', 1).finally(() => order.push('slow'));
    const fast = a.request('fast', 2).finally(() => order.push('fast'));
    expect(await fast).toEqual({ method: 'fast', data: 2 });
    expect(await slow).toEqual({ method: 'slow', data: 1 });
    expect(order).toEqual(['fast', 'slow']);
  });

  it.each([
    ['TypeError', () => new TypeError('bad'), TypeError],
    ['NotFoundError', () => new NotFoundError('nope'), NotFoundError],
    ['UnsupportedError', () => new UnsupportedError('no'), UnsupportedError],
    ['WorkerClosedError', () => new WorkerClosedError('gone'), WorkerClosedError],
    ['RangeError', () => new RangeError('far'), RangeError],
    ['Error', () => new Error('plain'), Error],
  ])('rebuilds a thrown %s as the same class', async (_n, make, cls) => {
    const [a, b] = pair();
    const thrown = make();
    b.handleRequests(() => {
      throw thrown;
    });
    const error = await a.request('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(cls);
    expect((error as Error).message).toBe(thrown.message);
  });

  it('delivers notifications with their target', async () => {
    const [a, b] = pair();
    const got = new Promise<unknown[]>((resolve) => b.handleNotifications((...args) => resolve(args)));
    a.notify('icestatechange', 'transport-1', { iceState: 'completed' });
    expect(await got).toEqual(['icestatechange', 'transport-1', { iceState: 'completed' }]);
  });

  it('close() rejects pending and later requests with WorkerClosedError', async () => {
    const [a, b] = pair();
    b.handleRequests(() => new Promise(() => {}));
    const pending = a.request('never');
    a.close();
    await expect(pending).rejects.toBeInstanceOf(WorkerClosedError);
    await expect(a.request('later')).rejects.toBeInstanceOf(WorkerClosedError);
    expect(a.closed).toBe(true);
  });

  it('ignores junk messages', async () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const b = new Channel(port2 as unknown as MessageEndpoint);
    const a = new Channel(port1 as unknown as MessageEndpoint);
    b.handleRequests(() => 'ok');
    port1.postMessage(null);
    port1.postMessage(42);
    port1.postMessage({ kind: 'res', id: 999, ok: true });
    expect(await a.request('x')).toBe('ok');
  });
});
