/**
 * Who is in the cluster. Each node writes its record (URL, pipe address,
 * load) under a key with a TTL and refreshes it every heartbeat; it reads the
 * others' at the same time. A node not seen for `deadAfterMs` while Redis
 * answered us all along is declared dead ('dead' event) — bounded, and never
 * while Redis itself is away (a Redis restart must not kill the cluster).
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { NODES_SET, nodeKey } from './keys.js';

export interface NodeRecord {
  id: string;
  /** The page's base URL on this node (`http://ip:port/`). */
  url: string;
  /** Where this node's pipe transports are reached. */
  pipeIp: string;
  /** Local participants (the load rooms are placed by). */
  peers: number;
  rooms: number;
}

export interface RegistryTiming {
  heartbeatMs: number;
  /** The key's TTL and the silence after which a node is dead (both well above heartbeatMs). */
  deadAfterMs: number;
}

export class NodeRegistry extends EventEmitter<{ dead: [nodeId: string]; alive: [node: NodeRecord] }> {
  private readonly seen = new Map<string, { record: NodeRecord; at: number }>();
  /** Since when every poll reached Redis (undefined: the last one failed). */
  private reachableSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly self: () => NodeRecord,
    private readonly timing: RegistryTiming,
    private readonly log: (line: string) => void,
  ) {
    super();
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => {
        this.beating = undefined;
      });
    }, this.timing.heartbeatMs);
    this.timer.unref();
  }

  /** Live nodes, this one included, as last read. */
  alive(): NodeRecord[] {
    return [...this.seen.values()].map((s) => s.record);
  }

  isAlive(nodeId: string): boolean {
    return this.seen.has(nodeId);
  }

  /** Stops the heartbeat and removes this node's key (a clean exit is not a death to wait for). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    const id = this.self().id;
    await Promise.all([this.redis.del(nodeKey(id)), this.redis.srem(NODES_SET, id)]).catch(() => {});
  }

  private async beat(): Promise<void> {
    const me = this.self();
    const now = Date.now();
    try {
      await this.redis
        .multi()
        .set(nodeKey(me.id), JSON.stringify(me), 'PX', this.timing.deadAfterMs)
        .sadd(NODES_SET, me.id)
        .exec();
      const ids = await this.redis.smembers(NODES_SET);
      const values = ids.length > 0 ? await this.redis.mget(ids.map(nodeKey)) : [];
      this.reachableSince ??= now;
      ids.forEach((id, i) => {
        const text = values[i];
        if (!text) return;
        const record = JSON.parse(text) as NodeRecord;
        if (!this.seen.has(id)) this.emit('alive', record);
        this.seen.set(id, { record, at: now });
      });
    } catch (error) {
      if (this.reachableSince !== undefined)
        this.log(`cluster: redis unreachable: ${(error as Error).message}`);
      this.reachableSince = undefined;
      return;
    }
    // Dead: not seen for deadAfterMs, while we have reached Redis for at least that long.
    if (now - this.reachableSince < this.timing.deadAfterMs) return;
    for (const [id, s] of this.seen) {
      if (id === me.id || now - s.at <= this.timing.deadAfterMs) continue;
      this.seen.delete(id);
      this.redis.srem(NODES_SET, id).catch(() => {});
      this.emit('dead', id);
    }
  }
}
