/**
 * The bad-argument table (issue 17, hardening item 4): malformed calls over the
 * public API of `@tsfu/sfu`, each rejecting with the class mediasoup 3.27.1
 * uses (mostly TypeError) and a message naming the field, never through a
 * crash path ('Cannot destructure …'); and no state is left behind by any of
 * them. Imports the built package (`pnpm build` first).
 */
import * as sfu from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BadCall, type Ctx, setUp, snapshot } from './bad-arguments-fixture.js';
import { MEDIA_CALLS } from './bad-arguments-media-table.js';
import { SETUP_CALLS } from './bad-arguments-setup-table.js';

const TABLE: BadCall[] = [...SETUP_CALLS, ...MEDIA_CALLS];
const CRASH_PATH = /Cannot (destructure|read prop)|undefined is not|is not a function|is not iterable/;

let ctx: Ctx;
let before: unknown;
let newWorkers = 0;
const countNewWorker = () => newWorkers++;

beforeAll(async () => {
  ctx = await setUp();
  before = await snapshot(ctx);
  sfu.observer.on('newworker', countNewWorker);
});

afterAll(() => {
  sfu.observer.off('newworker', countNewWorker);
  ctx?.worker.close();
});

/** What the call rejected with (or a marker error if it resolved or threw synchronously). */
async function outcome(entry: BadCall): Promise<Error> {
  let promise: Promise<unknown>;
  try {
    promise = entry.call(ctx);
  } catch (error) {
    return new Error(`threw synchronously instead of rejecting: ${error}`);
  }
  try {
    await promise;
  } catch (error) {
    return error instanceof Error ? error : new Error(`rejected with a non-Error: ${String(error)}`);
  }
  return new Error('resolved: the malformed call was accepted');
}

describe('bad arguments', () => {
  it('the table has at least 140 entries, with distinct names', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(140);
    expect(new Set(TABLE.map((e) => e.name)).size).toBe(TABLE.length);
  });

  it.each(TABLE.map((e) => [e.name, e] as const))('%s', async (_name, entry) => {
    const error = await outcome(entry);
    const got = `${error.constructor.name}: ${error.message}`;
    expect(got).not.toMatch(CRASH_PATH);
    expect(error.constructor, got).toBe(entry.error);
    expect(error.message).toMatch(entry.field);
  });

  it('left no state behind: same servers, routers, transports, producers, consumers; no new worker', async () => {
    expect(await snapshot(ctx)).toEqual(before);
    expect(newWorkers).toBe(0);
    expect(ctx.worker.closed).toBe(false);
    expect(ctx.worker.died).toBe(false);
  });
});
