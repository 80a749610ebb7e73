/**
 * The worker/I-O thread logger in isolation: which lines each logLevel and
 * logTags let through (mediasoup-worker's rules), the line format, the
 * per-second bound, and the `.catch()` helper. Time is vitest's fake clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkerClosedError } from '../errors.js';
import type { WorkerLogLevel, WorkerLogTag } from '../types/worker.js';
import { attachThreadLog, setThreadLogSettings, ThreadLogger, threadLogSettings } from './thread-logger.js';

const logger = new ThreadLogger('Test');
let lines: string[] = [];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance'] });
  lines = [];
  attachThreadLog((line) => lines.push(line), 1000);
  setThreadLogSettings({ logLevel: 'error', logTags: [] });
});
afterEach(() => {
  vi.useRealTimers();
});

function emitAll(): void {
  logger.debug('d() | plain');
  logger.debugTag('ice', 'd() | ice');
  logger.warn('w() | plain');
  logger.warnTag('dtls', 'w() | dtls');
  logger.error('e() | plain');
}

describe('ThreadLogger levels and tags', () => {
  it.each<[WorkerLogLevel, WorkerLogTag[], string[]]>([
    ['none', ['ice', 'dtls'], []],
    ['error', ['ice', 'dtls'], ['ETest::e() | plain']],
    ['warn', [], ['WTest::w() | plain', 'ETest::e() | plain']],
    ['warn', ['ice', 'dtls'], ['WTest::w() | plain', 'WTest::w() | dtls', 'ETest::e() | plain']],
    ['debug', [], ['DTest::d() | plain', 'WTest::w() | plain', 'ETest::e() | plain']],
    [
      'debug',
      ['ice'],
      ['DTest::d() | plain', 'DTest::d() | ice', 'WTest::w() | plain', 'ETest::e() | plain'],
    ],
    [
      'debug',
      ['ice', 'dtls'],
      [
        'DTest::d() | plain',
        'DTest::d() | ice',
        'WTest::w() | plain',
        'WTest::w() | dtls',
        'ETest::e() | plain',
      ],
    ],
  ])('logLevel %s with tags %j emits %j', (logLevel, logTags, expected) => {
    setThreadLogSettings({ logLevel, logTags });
    emitAll();
    expect(lines).toEqual(expected);
  });

  it('keeps what an update leaves out, ignores an unknown level, and reports the effective settings', () => {
    setThreadLogSettings({ logLevel: 'debug', logTags: ['rtp'] });
    setThreadLogSettings({ logTags: ['info', 'score'] });
    expect(threadLogSettings()).toEqual({ logLevel: 'debug', logTags: ['info', 'score'] });
    setThreadLogSettings({ logLevel: 'loud' as WorkerLogLevel });
    expect(threadLogSettings().logLevel).toBe('debug');
    expect(logger.debugTagEnabled('score')).toBe(true);
    expect(logger.debugTagEnabled('rtp')).toBe(false);
    setThreadLogSettings({ logLevel: 'warn' });
    expect(logger.debugTagEnabled('score')).toBe(false);
    expect(logger.warnTagEnabled('score')).toBe(true);
  });
});

describe('ThreadLogger bound', () => {
  it('sends at most maxLinesPerSecond lines a second, then one warning with the count of dropped lines', () => {
    attachThreadLog((line) => lines.push(line), 3);
    for (let i = 0; i < 10; i++) logger.error(`e() | ${i}`);
    expect(lines).toEqual(['ETest::e() | 0', 'ETest::e() | 1', 'ETest::e() | 2']);
    vi.advanceTimersByTime(999);
    logger.error('e() | still in the window');
    expect(lines).toHaveLength(3);
    vi.advanceTimersByTime(1);
    logger.error('e() | next window');
    expect(lines.slice(3)).toEqual([
      'WLogger::write() | 8 log lines dropped (over 3 per second)',
      'ETest::e() | next window',
    ]);
  });
});

describe('ThreadLogger.catcher', () => {
  it('a closed channel is a debug line, any other failure a warning', () => {
    setThreadLogSettings({ logLevel: 'debug' });
    const onFailure = logger.catcher('close() | unlisten');
    onFailure(new WorkerClosedError('Channel closed'));
    onFailure(new Error('boom'));
    onFailure('odd');
    expect(lines).toEqual([
      'DTest::close() | unlisten | channel closed: Channel closed',
      'WTest::close() | unlisten | failed: boom',
      'WTest::close() | unlisten | failed: odd',
    ]);
  });
});
