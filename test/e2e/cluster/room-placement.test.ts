/**
 * Room placement by load over a real Redis (Debian's redis-server): three
 * cluster nodes in this process (no rooms, their loads given by the test).
 * 20 rooms asked of one node spread over the three (7/7/6), a room asked of
 * any node has the same owner, a loaded node gets no new rooms, and a dead
 * owner's rooms are placed again on a live node.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterNode } from '../../../apps/demo/src/server/cluster/cluster-node.js';
import { freePort } from './demo-node.js';
import { RedisProcess } from './redis-server.js';

let redis: RedisProcess;
const loads = new Map<string, { peers: number; rooms: number }>();
const nodes: ClusterNode[] = [];

beforeAll(async () => {
  redis = new RedisProcess('127.0.0.1', await freePort());
  await redis.start();
  for (const id of ['n1', 'n2', 'n3']) {
    loads.set(id, { peers: 0, rooms: 0 });
    nodes.push(
      await ClusterNode.start({
        redisUrl: redis.url,
        nodeId: id,
        url: `http://${id}.test/`,
        listenIp: '127.0.0.1',
        announcedIp: '127.0.0.1',
        timing: { heartbeatMs: 200, deadAfterMs: 1000 },
        load: () => loads.get(id)!,
        log: () => {},
      }),
    );
  }
});

afterAll(async () => {
  for (const n of nodes) await n.close();
  await redis?.stop();
});

describe('cluster room placement (real Redis)', () => {
  it('20 rooms over 3 idle nodes: 7/7/6, and every node names the same owner', async () => {
    // Every node has read the others' records.
    await expect
      .poll(() => nodes.map((n) => n.registry.alive().length), { timeout: 10_000 })
      .toEqual([3, 3, 3]);
    const owners = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const owner = await nodes[0].placeRoom(`room-${i}`);
      owners.set(owner.id, (owners.get(owner.id) ?? 0) + 1);
      expect((await nodes[1].placeRoom(`room-${i}`)).id).toBe(owner.id);
      expect((await nodes[2].placeRoom(`room-${i}`)).id).toBe(owner.id);
    }
    expect([...owners.values()].sort()).toEqual([6, 7, 7]);
    // `/cluster?room=`'s answer: the live nodes and the owner's page URL.
    const described = await nodes[1].describe('room-0');
    expect(described.nodes.map((n) => n.id).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(described.owner).toBe(`http://${(await nodes[0].placeRoom('room-0')).id}.test/`);
    expect((await nodes[1].describe('bad room!')).owner).toBeUndefined();
  });

  it('a loaded node gets no new room', async () => {
    loads.set('n2', { peers: 40, rooms: 3 });
    await expect
      .poll(() => nodes[0].registry.alive().find((n) => n.id === 'n2')?.peers, { timeout: 10_000 })
      .toBe(40);
    for (let i = 0; i < 6; i++) expect((await nodes[0].placeRoom(`busy-${i}`)).id).not.toBe('n2');
  });

  it('a dead owner: its rooms are placed again on a live node', async () => {
    const ownedByN3: string[] = [];
    for (let i = 0; i < 20; i++) {
      if ((await nodes[0].placeRoom(`room-${i}`)).id === 'n3') ownedByN3.push(`room-${i}`);
    }
    expect(ownedByN3.length).toBeGreaterThan(0);
    await nodes[2].close();
    await expect.poll(() => nodes[0].registry.isAlive('n3'), { timeout: 10_000 }).toBe(false);
    for (const room of ownedByN3) {
      const owner = await nodes[0].placeRoom(room);
      expect(owner.id).toBe('n1'); // n2 is loaded
      expect((await nodes[1].placeRoom(room)).id).toBe('n1');
    }
  });
});
