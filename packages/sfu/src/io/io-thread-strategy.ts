/**
 * Main-thread side of the I/O thread: starts it lazily (the first worker
 * needs it) and hands each worker a MessagePort and two packet rings.
 */
import { MessageChannel, Worker as ThreadWorker } from 'node:worker_threads';
import { Channel, type MessageEndpoint } from '../channel/channel.js';
import { createPacketRingBuffer } from '../channel/packet-ring.js';
import type { IoCounters } from './io-protocol.js';
import type { SocketStrategy, WorkerIoHandles } from './socket-strategy.js';
import { threadEntry } from './thread-entry.js';
import { HOT_PATH_RESOURCE_LIMITS } from './thread-limits.js';

/** Ring size per direction per worker. */
const RING_CAPACITY = 4 << 20;

export class IoThreadStrategy implements SocketStrategy {
  private thread: ThreadWorker | undefined;
  private channel: Channel | undefined;
  private attached = 0;

  private start(): Channel {
    if (this.channel && !this.channel.closed) return this.channel;
    const thread = new ThreadWorker(threadEntry('io/io-thread.js'), {
      name: 'tsfu-io',
      resourceLimits: HOT_PATH_RESOURCE_LIMITS,
    });
    const channel = new Channel(thread as unknown as MessageEndpoint);
    thread.on('error', () => {
      // The I/O thread has no user code; an error here is a bug. Workers see their sockets vanish.
    });
    thread.on('exit', () => {
      channel.close();
      if (this.thread === thread) {
        this.thread = undefined;
        this.channel = undefined;
      }
    });
    this.thread = thread;
    this.channel = channel;
    return channel;
  }

  async attachWorker(index: number): Promise<WorkerIoHandles> {
    const channel = this.start();
    const { port1, port2 } = new MessageChannel();
    const toWorker = createPacketRingBuffer({ capacity: RING_CAPACITY });
    const fromWorker = createPacketRingBuffer({ capacity: RING_CAPACITY });
    await channel.request('addWorker', { index, port: port1, toWorker, fromWorker }, [port1]);
    this.attached++;
    this.thread?.ref();
    return { port: port2, toWorker, fromWorker };
  }

  async detachWorker(index: number): Promise<void> {
    const channel = this.channel;
    if (!channel || channel.closed) return;
    this.attached = Math.max(0, this.attached - 1);
    await channel.request('removeWorker', { index }).catch(() => {});
    // With no worker left the I/O thread must not keep the process alive.
    if (this.attached === 0) this.thread?.unref();
  }

  async getCounters(): Promise<IoCounters> {
    return this.start().request<IoCounters>('getCounters');
  }
}

let defaultStrategy: IoThreadStrategy | undefined;

/** The process-wide socket layer (one I/O thread per process). */
export function getSocketStrategy(): SocketStrategy {
  defaultStrategy ??= new IoThreadStrategy();
  return defaultStrategy;
}
