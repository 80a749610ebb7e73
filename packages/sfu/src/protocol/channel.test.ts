import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, UnsupportedError, WorkerClosedError } from '../errors.js';
import { Channel, type Method, type RequestHandlers } from './channel.js';

const ports: Array<{ close(): void }> = [];
afterEach(() => {
  for (const p of ports.splice(0)) p.close();
});

/** The protocol of these tests: what B serves, and what A hears. */
type TestMethods = {
  slow: Method<number, { method: string; data: number }>;
  fast: Method<number, { method: string; data: number }>;
  x: Method<undefined, string>;
  never: Method<undefined>;
  later: Method<undefined>;
};
type Served = { requests: TestMethods; notifications: Record<never, never> };
type Hearing = { requests: Record<never, never>; notifications: { icestatechange: { iceState: string } } };
/** What A believes B serves: one method more than B has a handler for. */
type Believed = {
  requests: TestMethods & { missing: Method<undefined> };
  notifications: Record<never, never>;
};

function pair(): [Channel<Hearing, Believed>, Channel<Served, Hearing>] {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  return [new Channel<Hearing, Believed>(port1), new Channel<Served, Hearing>(port2)];
}

/** Handlers for every test method; `over` replaces some. */
function handlers(over: Partial<RequestHandlers<TestMethods>> = {}): RequestHandlers<TestMethods> {
  return {
    slow: (data) => ({ method: 'slow', data }),
    fast: (data) => ({ method: 'fast', data }),
    x: () => 'ok',
    never: () => new Promise<void>(() => {}),
    later: () => {},
    ...over,
  };
}

describe('Channel (control messages between threads)', () => {
  it('answers requests by id, in any order', async () => {
    const [a, b] = pair();
    // 'slow' is answered only once 'fast' was handled: the answers come back in reverse order.
    let fastHandled!: () => void;
    const afterFast = new Promise<void>((r) => {
      fastHandled = r;
    });
    b.serve(
      handlers({
        slow: async (data) => {
          await afterFast;
          return { method: 'slow', data };
        },
        fast: (data) => {
          fastHandled();
          return { method: 'fast', data };
        },
      }),
    );
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
    const seen: Array<[string, unknown]> = [];
    b.serve(
      handlers({
        x: () => {
          throw thrown;
        },
      }),
      (method, error) => seen.push([method, error]),
    );
    const error = await a.request('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(cls);
    expect((error as Error).message).toBe(thrown.message);
    expect(seen).toEqual([['x', thrown]]);
  });

  it('rejects a method the serving end has no handler for, naming it', async () => {
    const [a, b] = pair();
    b.serve(handlers());
    await expect(a.request('missing')).rejects.toThrow('unknown method [method:missing]');
    // Inherited properties of the handler table are no methods either.
    await expect(a.request('toString' as 'missing')).rejects.toThrow('unknown method [method:toString]');
    expect(await a.request('x')).toBe('ok');
  });

  it('delivers notifications with their target and typed data', async () => {
    const [a, b] = pair();
    const got = new Promise<unknown[]>((resolve) =>
      a.onNotification((n) => resolve([n.event, n.targetId, n.data.iceState])),
    );
    b.notify('icestatechange', 'transport-1', { iceState: 'completed' });
    expect(await got).toEqual(['icestatechange', 'transport-1', 'completed']);
  });

  it('close() rejects pending and later requests with WorkerClosedError', async () => {
    const [a, b] = pair();
    b.serve(handlers());
    const pending = a.request('never');
    a.close();
    await expect(pending).rejects.toBeInstanceOf(WorkerClosedError);
    await expect(a.request('later')).rejects.toBeInstanceOf(WorkerClosedError);
    expect(a.closed).toBe(true);
  });

  it('lastRequest(): earlier answers still arrive, later requests reject, then the channel closes', async () => {
    const [a, b] = pair();
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    b.serve(
      handlers({
        slow: async (data) => {
          await released;
          return { method: 'slow', data };
        },
      }),
    );
    const earlier = a.request('slow', 7);
    const last = a.lastRequest('x');
    await expect(a.request('fast', 1)).rejects.toBeInstanceOf(WorkerClosedError);
    expect(a.closed).toBe(false);
    release();
    expect(await earlier).toEqual({ method: 'slow', data: 7 });
    expect(await last).toBe('ok');
    expect(a.closed).toBe(true);
  });

  it('ignores junk messages', async () => {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1, port2);
    const b = new Channel<Served, Hearing>(port2);
    const a = new Channel<Hearing, Served>(port1);
    b.serve(handlers());
    port1.postMessage(null);
    port1.postMessage(42);
    port1.postMessage({ kind: 'res', id: 999, ok: true });
    port1.postMessage({ kind: 'req', id: 'x', method: 'x' });
    expect(await a.request('x')).toBe('ok');
  });
});
