/**
 * The cross-process pipe across a real interface: the far process runs in a
 * network namespace joined by a veth pair (`netns-link.ts`), its pipe
 * transport and WebRtcServer on the namespace's address, and 2 % of the UDP
 * datagrams arriving in the namespace are dropped (nftables `numgen random`).
 * With `enableRtx` and SRTP on the pipe, the far producer NACKs what the pipe
 * lost, router A's pipe consumer retransmits (RTX), and page B keeps decoding.
 * Fails (never skips) when the namespace cannot be created.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { allInbound, E2E_WAIT_MS, readRtcStats } from '../harness/index.js';
import { createNetnsLink, type NetnsLink } from './netns-link.js';
import { runCrossProcessPipe } from './pipe-peer.js';

describe('PipeTransport across a veth pair with 2 % loss', () => {
  let link: NetnsLink | undefined;

  afterAll(() => {
    link?.remove();
  });

  it('NACK/RTX across the pipe recover the loss; frames keep decoding', async () => {
    link = createNetnsLink(2);
    const l = link;
    const r = await runCrossProcessPipe(
      { enableSrtp: true, enableRtx: true, localPipeIp: l.localIp, remoteIp: l.remoteIp, netns: l.netns },
      async ({ pipeConsumers, b }) => {
        const videoPipe = pipeConsumers.find((c) => c.kind === 'video')!;
        const nacks = async () =>
          ((await videoPipe.getStats()) as Array<{ nackCount: number }>).reduce((n, s) => n + s.nackCount, 0);
        await expect.poll(nacks, { timeout: E2E_WAIT_MS, interval: 500 }).toBeGreaterThan(0);
        const frames = async () =>
          allInbound(await readRtcStats(b), 'video').reduce((n, v) => n + (v.framesDecoded ?? 0), 0);
        const f = await frames();
        await expect.poll(frames, { timeout: E2E_WAIT_MS }).toBeGreaterThan(f + 60);
      },
    );
    expect(l.dropped()).toBeGreaterThan(0);
    const retransmitted = r.pipeConsumerStats.reduce((n, s) => n + s.packetsRetransmitted, 0);
    expect(retransmitted).toBeGreaterThan(0);
  });
});
