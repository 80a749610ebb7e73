/**
 * The logger of a worker (or I/O) thread, after mediasoup-worker's Logger.hpp:
 * `logLevel` ('debug' | 'warn' | 'error' | 'none') and `logTags` decide what
 * is emitted — a tagged debug or warn line needs its tag enabled too, an error
 * line only a level other than 'none' — and each line travels to the main
 * thread over the control channel as `D…`/`W…`/`E…` + `Class::method() | text`,
 * where `Channel` logs it under `tsfu:Channel [tid:N]`. The sink is per thread
 * (module state): one thread, one level and one set of tags.
 * Lines are bounded per second (beyond it they are counted and reported once),
 * so a tag left on under heavy traffic cannot flood the main thread.
 */
import { WorkerClosedError } from '../errors.js';
import type { WorkerLogLevel, WorkerLogTag } from '../types/worker.js';

/** Index = severity threshold: a line of level L is emitted when `LEVELS.indexOf(L) <= sink.level`. */
const LEVELS: readonly WorkerLogLevel[] = ['none', 'error', 'warn', 'debug'];
const LEVEL_VALUE = { none: 0, error: 1, warn: 2, debug: 3 } as const satisfies Record<
  WorkerLogLevel,
  number
>;
const DEFAULT_MAX_LINES_PER_SECOND = 1000;

class ThreadLogSink {
  level: number = LEVEL_VALUE.error;
  readonly tags = new Set<WorkerLogTag>();
  send: ((line: string) => void) | undefined;
  maxLinesPerSecond = DEFAULT_MAX_LINES_PER_SECOND;
  #windowStart = 0;
  #linesInWindow = 0;
  #dropped = 0;

  /** Starts counting anew (a new destination). */
  reset(): void {
    this.#windowStart = performance.now();
    this.#linesInWindow = 0;
    this.#dropped = 0;
  }

  write(line: string): void {
    const send = this.send;
    if (!send) return;
    const now = performance.now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#linesInWindow = 0;
      if (this.#dropped > 0) {
        const dropped = this.#dropped;
        this.#dropped = 0;
        this.#linesInWindow++;
        send(`WLogger::write() | ${dropped} log lines dropped (over ${this.maxLinesPerSecond} per second)`);
      }
    }
    if (this.#linesInWindow >= this.maxLinesPerSecond) {
      this.#dropped++;
      return;
    }
    this.#linesInWindow++;
    send(line);
  }
}

const sink = new ThreadLogSink();

/** Where this thread's lines go (the channel to the main thread), and how many per second at most. */
export function attachThreadLog(send: (line: string) => void, maxLinesPerSecond?: number): void {
  sink.send = send;
  if (maxLinesPerSecond !== undefined) sink.maxLinesPerSecond = maxLinesPerSecond;
  sink.reset();
}

/** Applies `logLevel` / `logTags` (unknown tags are ignored, as mediasoup-worker does). */
export function setThreadLogSettings({
  logLevel,
  logTags,
}: {
  logLevel?: WorkerLogLevel;
  logTags?: WorkerLogTag[];
}): void {
  if (logLevel !== undefined && LEVELS.includes(logLevel)) sink.level = LEVEL_VALUE[logLevel];
  if (logTags !== undefined) {
    sink.tags.clear();
    for (const tag of logTags) sink.tags.add(tag);
  }
}

/** The effective settings, in mediasoup's words (for the configuration dump). */
export function threadLogSettings(): { logLevel: WorkerLogLevel; logTags: WorkerLogTag[] } {
  return { logLevel: LEVELS[sink.level] ?? 'error', logTags: [...sink.tags] };
}

/** A class's logger: lines read `Class::method() | text` (callers write `method() | text`). */
export class ThreadLogger {
  constructor(private readonly className: string) {}

  /** Whether a debug line with `tag` would be emitted (check it before building a costly line). */
  debugTagEnabled(tag: WorkerLogTag): boolean {
    return sink.level === LEVEL_VALUE.debug && sink.tags.has(tag);
  }

  /** Whether a warn line with `tag` would be emitted. */
  warnTagEnabled(tag: WorkerLogTag): boolean {
    return sink.level >= LEVEL_VALUE.warn && sink.tags.has(tag);
  }

  /** An untagged debug line (lifecycle: created/closed), emitted at level 'debug'. */
  debug(text: string): void {
    if (sink.level === LEVEL_VALUE.debug) sink.write(`D${this.className}::${text}`);
  }

  /** mediasoup's MS_DEBUG_TAG: level 'debug' and the tag enabled. */
  debugTag(tag: WorkerLogTag, text: string): void {
    if (sink.level === LEVEL_VALUE.debug && sink.tags.has(tag)) sink.write(`D${this.className}::${text}`);
  }

  /** An untagged warning, emitted at level 'warn' or 'debug'. */
  warn(text: string): void {
    if (sink.level >= LEVEL_VALUE.warn) sink.write(`W${this.className}::${text}`);
  }

  /** mediasoup's MS_WARN_TAG: level 'warn' or 'debug' and the tag enabled. */
  warnTag(tag: WorkerLogTag, text: string): void {
    if (sink.level >= LEVEL_VALUE.warn && sink.tags.has(tag)) sink.write(`W${this.className}::${text}`);
  }

  /**
   * A `.catch()` handler for a request whose failure leaves nothing to undo: a warning, or a debug
   * line when the channel was closed (the thread is closing, so the request had nothing left to do).
   */
  catcher(where: string): (error: unknown) => void {
    return (error) => {
      if (error instanceof WorkerClosedError) this.debug(`${where} | channel closed: ${error.message}`);
      else this.warn(`${where} | failed: ${error instanceof Error ? error.message : String(error)}`);
    };
  }

  /** mediasoup's MS_ERROR: any level but 'none'. */
  error(text: string): void {
    if (sink.level >= LEVEL_VALUE.error) sink.write(`E${this.className}::${text}`);
  }
}
