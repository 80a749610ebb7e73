import type { MessagePort } from 'node:worker_threads';
import type { IoCounters } from '../protocol/io-protocol.js';

/** What a worker thread receives to reach the socket layer. */
export interface WorkerIoHandles {
  /** Control channel to the socket owner (listen, ufrag registration, tuple binding). */
  port: MessagePort;
  /** Packets for the worker. */
  toWorker: SharedArrayBuffer;
  /** Packets the worker sends. */
  fromWorker: SharedArrayBuffer;
}

/**
 * The socket layer as the main thread sees it. Transports never see it: they
 * talk to `IoLink` in their worker thread. Today's strategy is one I/O thread
 * owning every socket (`IoThreadStrategy`); a `reusePort` strategy (Node ≥ 22.12,
 * every worker binding the shared port itself) would implement this and
 * `IoLink` without touching transports.
 */
export interface SocketStrategy {
  /**
   * Connects worker `index`; the handles are transferred to its thread.
   * `onDeath` is called (once) if the socket layer dies while the worker is
   * attached: its sockets are gone, so the worker must close as if it died.
   */
  attachWorker(index: number, onDeath: (error: Error) => void): Promise<WorkerIoHandles>;
  /** Forgets worker `index`: its ufrags, tuples and socket references. */
  detachWorker(index: number): Promise<void>;
  /** The socket layer's counters. */
  getCounters(): Promise<IoCounters>;
}
