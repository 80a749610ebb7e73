/**
 * Main-thread side of the I/O thread: starts it lazily (the first worker
 * needs it) and hands each worker a MessagePort and two packet rings. If the
 * thread dies, every worker attached to it is told (it closes as a dead
 * worker does) and the next worker starts a fresh I/O thread.
 */
import { MessageChannel, Worker as ThreadWorker } from 'node:worker_threads';
import type { ThreadHeapForTesting } from '../heap-for-testing.js';
import { Channel } from '../protocol/channel.js';
import {
  type IoCounters,
  type IoStrategyEnd,
  type IoThreadMainEnd,
  zeroIoCounters,
} from '../protocol/io-protocol.js';
import { createPacketRingBuffer } from '../protocol/packet-ring.js';
import { Logger } from './logger.js';
import type { SocketStrategy, WorkerIoHandles } from './socket-strategy.js';
import { threadEntry } from './thread-entry.js';
import { HOT_PATH_RESOURCE_LIMITS } from './thread-limits.js';

const logger = new Logger('IoThread');
/** Logs the I/O thread's forwarded warnings and errors, `[tid:N] IoThread::method() | text`. */
const channelLogger = new Logger('Channel');

/** Ring size per direction per worker. */
const RING_CAPACITY = 4 << 20;

/**
 * Testing only: with this environment variable set to `1` when the I/O thread
 * starts, it obeys `crashIoThreadForTesting()`. Without it the request is refused.
 */
export const ALLOW_CRASH_FOR_TESTING_ENV = 'TSFU_ALLOW_CRASH_FOR_TESTING';

/** One run of the I/O thread, with the workers attached to it. */
interface IoGeneration {
  readonly thread: ThreadWorker;
  readonly threadId: number;
  readonly channel: Channel<IoStrategyEnd, IoThreadMainEnd>;
  /** Death callbacks of the attached workers, by worker index. */
  readonly workers: Map<number, (error: Error) => void>;
  /** Workers being attached (not yet in `workers`): they keep the thread referenced too. */
  attaching: number;
  error: Error | undefined;
}

export class IoThreadStrategy implements SocketStrategy {
  private current: IoGeneration | undefined;

  private start(): IoGeneration {
    if (this.current) return this.current;
    logger.debug('start() | starting the I/O thread');
    const thread = new ThreadWorker(threadEntry('io-thread/io-thread.js'), {
      name: 'tsfu-io',
      resourceLimits: HOT_PATH_RESOURCE_LIMITS,
      workerData: { allowCrashForTesting: process.env[ALLOW_CRASH_FOR_TESTING_ENV] === '1' },
    });
    const gen: IoGeneration = {
      thread,
      threadId: thread.threadId,
      channel: new Channel<IoStrategyEnd, IoThreadMainEnd>(thread, {
        logger: channelLogger,
        peerLabel: `[tid:${thread.threadId}]`,
      }),
      workers: new Map(),
      attaching: 0,
      error: undefined,
    };
    thread.on('error', (error) => {
      // The I/O thread runs no user code: an error here is a bug (or an out-of-memory). 'exit' follows.
      gen.error = error;
    });
    thread.on('exit', (code) => this.onExit(gen, code));
    this.current = gen;
    return gen;
  }

  private onExit(gen: IoGeneration, code: number): void {
    gen.channel.close();
    if (this.current === gen) this.current = undefined;
    const cause = gen.error;
    const error = new Error(
      `I/O thread died [threadId:${gen.threadId}, code:${code}]${cause ? `: ${cause.message}` : ''}`,
      cause ? { cause } : undefined,
    );
    const onDeaths = [...gen.workers.values()];
    if (cause || onDeaths.length > 0) logger.error(`onExit() | ${error.message}`);
    else logger.debug(`onExit() | I/O thread exited [threadId:${gen.threadId}, code:${code}]`);
    gen.workers.clear();
    for (const onDeath of onDeaths) onDeath(error);
  }

  async attachWorker(index: number, onDeath: (error: Error) => void): Promise<WorkerIoHandles> {
    const gen = this.start();
    const { port1, port2 } = new MessageChannel();
    const toWorker = createPacketRingBuffer({ capacity: RING_CAPACITY });
    const fromWorker = createPacketRingBuffer({ capacity: RING_CAPACITY });
    // Before the request: a thread left unreferenced by the last detach would not keep the process
    // alive while it answers, and `await createWorker()` would end a script with exit code 13.
    gen.thread.ref();
    gen.attaching++;
    try {
      await gen.channel.requestTransferring('addWorker', { index, port: port1, toWorker, fromWorker }, [
        port1,
      ]);
      gen.workers.set(index, onDeath);
    } finally {
      gen.attaching--;
      this.unrefIfIdle(gen);
    }
    return { port: port2, toWorker, fromWorker };
  }

  /** With no worker attached or being attached, the I/O thread must not keep the process alive. */
  private unrefIfIdle(gen: IoGeneration): void {
    if (gen.workers.size === 0 && gen.attaching === 0) gen.thread.unref();
  }

  async detachWorker(index: number): Promise<void> {
    // A worker of an I/O thread that died is no longer attached to anything.
    const gen = this.current;
    if (!gen?.workers.delete(index)) return;
    this.unrefIfIdle(gen);
    await gen.channel
      .request('removeWorker', { index })
      .catch(logger.catcher('detachWorker() | removeWorker'));
  }

  /** The running I/O thread's counters; all zero when none runs (nothing is started for this). */
  async getCounters(): Promise<IoCounters> {
    const gen = this.current;
    return gen ? gen.channel.request('getCounters') : zeroIoCounters();
  }

  /** Testing only: makes the running I/O thread throw an uncaught error (see `ALLOW_CRASH_FOR_TESTING_ENV`). */
  async crashForTesting(): Promise<void> {
    const gen = this.current;
    if (!gen) throw new Error('no I/O thread is running');
    await gen.channel.request('tsfu.crashForTesting');
  }

  /** Testing only: the running I/O thread's used heap (see `threadHeapForTesting`). */
  async heapForTesting(): Promise<ThreadHeapForTesting> {
    const gen = this.current;
    if (!gen) throw new Error('no I/O thread is running');
    return gen.channel.request('tsfu.heapForTesting');
  }
}

let defaultStrategy: IoThreadStrategy | undefined;

function defaultIoThreadStrategy(): IoThreadStrategy {
  defaultStrategy ??= new IoThreadStrategy();
  return defaultStrategy;
}

/** The process-wide socket layer (one I/O thread per process). */
export function getSocketStrategy(): SocketStrategy {
  return defaultIoThreadStrategy();
}

/**
 * Testing only: crashes this process's I/O thread as a bug would, so every
 * worker on it dies. The thread obeys only if `TSFU_ALLOW_CRASH_FOR_TESTING=1`
 * was set when it started; nothing received from the network can do this.
 */
export function crashIoThreadForTesting(): Promise<void> {
  return defaultIoThreadStrategy().crashForTesting();
}

/** Testing only: the I/O thread's used heap, after a full GC when `gc` is exposed (heap churn tests). */
export function ioThreadHeapForTesting(): Promise<ThreadHeapForTesting> {
  return defaultIoThreadStrategy().heapForTesting();
}
