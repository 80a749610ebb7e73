/**
 * Two Node processes, each with its own `createWorker()` and WebRtcServer,
 * joined by PipeTransports connected over 127.0.0.1 (`pipe-peer.ts`): page A
 * produces into this process, page B consumes from the other. Without and
 * with SRTP on the pipe: B decodes ≥ 60 frames and audio grows; A's pause and
 * close reach B's consumer.
 */
import { describe, expect, it } from 'vitest';
import { runCrossProcessPipe } from './pipe-peer.js';

describe('PipeTransport between two processes on 127.0.0.1', () => {
  for (const enableSrtp of [false, true]) {
    it(`media crosses the pipe${enableSrtp ? ' with SRTP' : ''}`, async () => {
      const r = await runCrossProcessPipe({ enableSrtp, enableRtx: true });
      expect(r.framesDecoded).toBeGreaterThanOrEqual(60);
      // The pipe consumer forwarded every simulcast stream, each under its own SSRC.
      expect(new Set(r.pipeConsumerStats.map((s) => s.ssrc)).size).toBe(3);
    });
  }
});
