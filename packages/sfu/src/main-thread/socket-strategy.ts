import type { IoCounters, WorkerIoHandles } from '../protocol/io-protocol.js';

export type { WorkerIoHandles };

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
