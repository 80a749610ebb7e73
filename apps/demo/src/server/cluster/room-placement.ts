/**
 * Which node a room belongs on: its owner in Redis if that node is alive,
 * else the least-loaded live node (fewest participants, then fewest rooms,
 * then name), written with SET NX so that concurrent placements agree. Loads
 * are the heartbeat's (at most one heartbeat old); placements this node made
 * since count too, so a burst from one node spreads.
 */
import type { Redis } from 'ioredis';
import { ownerKey } from './keys.js';
import type { NodeRecord, NodeRegistry } from './node-registry.js';

/** How long an owner stays recorded without being asked again. */
const OWNER_TTL_MS = 3_600_000;

export class RoomPlacement {
  /** Rooms this node placed per node since the loads were last read. */
  private readonly placed = new Map<string, { rooms: number; at: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly registry: NodeRegistry,
    private readonly heartbeatMs: number,
  ) {}

  async ownerOf(roomId: string): Promise<NodeRecord> {
    const alive = this.registry.alive();
    if (alive.length === 0) throw new Error('no live node');
    const key = ownerKey(roomId);
    const current = await this.redis.get(key);
    const owner = alive.find((n) => n.id === current);
    if (owner) {
      await this.redis.pexpire(key, OWNER_TTL_MS);
      return owner;
    }
    const best = this.leastLoaded(alive);
    // A dead owner is replaced only if nobody replaced it meanwhile.
    if (current) await this.redis.eval(REPLACE_IF, 1, key, current, best.id, OWNER_TTL_MS);
    else await this.redis.set(key, best.id, 'PX', OWNER_TTL_MS, 'NX');
    const chosen = await this.redis.get(key);
    const node = alive.find((n) => n.id === chosen) ?? best;
    if (node === best) this.count(best.id);
    return node;
  }

  private leastLoaded(alive: NodeRecord[]): NodeRecord {
    const now = Date.now();
    const load = (n: NodeRecord) => {
      const p = this.placed.get(n.id);
      return { peers: n.peers, rooms: n.rooms + (p && now - p.at < this.heartbeatMs * 2 ? p.rooms : 0) };
    };
    return alive.reduce((best, n) => {
      const a = load(n);
      const b = load(best);
      return a.peers < b.peers ||
        (a.peers === b.peers && (a.rooms < b.rooms || (a.rooms === b.rooms && n.id < best.id)))
        ? n
        : best;
    });
  }

  private count(nodeId: string): void {
    const now = Date.now();
    const p = this.placed.get(nodeId);
    if (p && now - p.at < this.heartbeatMs * 2) p.rooms++;
    else this.placed.set(nodeId, { rooms: 1, at: now });
  }
}

/** SET key new PX ttl, only if key still holds old (one round trip, atomic). */
const REPLACE_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end return nil`;
