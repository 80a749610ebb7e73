import { afterAll, describe, expect, it } from 'vitest';
import { TurnAttr, TurnMethod } from './turn-constants.js';
import { relayedAddress, TestTurnClient } from './turn-test-client.test-util.js';
import { startTurnServerThread, type TurnServerThread } from './turn-thread.js';

let thread: TurnServerThread | undefined;
afterAll(async () => {
  await thread?.close();
});

describe('startTurnServerThread', () => {
  it('serves allocations from its own thread and reports its stats', async () => {
    thread = await startTurnServerThread({
      listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
      auth: { realm: 'thread', users: { alice: 'pw' } },
      relay: { minPort: 28000, maxPort: 28099 },
      peers: { allowedPeers: ['127.0.0.1'] },
    });
    expect(thread.urls()).toEqual([`turn:127.0.0.1:${thread.addresses[0].port}?transport=udp`]);
    expect(thread.urls('turn.example.org')[0]).toBe(
      `turn:turn.example.org:${thread.addresses[0].port}?transport=udp`,
    );
    const c = await TestTurnClient.udp(thread.addresses[0].port);
    try {
      expect(relayedAddress(await c.allocate()).port).toBeGreaterThanOrEqual(28000);
      expect(
        (await c.request(TurnMethod.Refresh, (w) => w.addUint32(TurnAttr.Lifetime, 0))).code,
      ).toBeUndefined();
    } finally {
      c.close();
    }
    const stats = await thread.stats();
    expect(stats.allocationsCreated).toBe(1);
    expect(stats.allocationsDeleted).toBe(1);
    await thread.close();
    await expect(thread.stats()).rejects.toThrow(/exited/);
  });

  it('rejects what it cannot start, and a users function', async () => {
    await expect(
      startTurnServerThread({
        listen: [{ protocol: 'udp', address: '127.0.0.1', port: 0 }],
        auth: { realm: 'r' },
      }),
    ).rejects.toThrow(/open relay/);
    expect(() =>
      startTurnServerThread({
        listen: [{ protocol: 'udp', port: 0 }],
        auth: { realm: 'r', users: () => 'pw' },
      }),
    ).toThrow(TypeError);
  });
});
