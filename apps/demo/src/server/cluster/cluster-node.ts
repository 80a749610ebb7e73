/**
 * This process as one node of a cluster (`--redis`): its Redis connections
 * (commands + a subscriber), its registry entry and heartbeat, its RPC
 * channel (pipes), and a {@link RoomLink} per room open here. Rooms ask it
 * for their link when they open and drop it when they close.
 */
import type { PipeTransport } from '@tsfu/sfu';
import { Redis } from 'ioredis';
import type { ClusterContext } from './context.js';
import { roomChannel } from './keys.js';
import { type NodeRecord, NodeRegistry, type RegistryTiming } from './node-registry.js';
import { NodeRpc } from './node-rpc.js';
import { type ClusterRoom, RoomLink } from './room-link.js';
import { RoomPlacement } from './room-placement.js';

export interface ClusterOptions {
  redisUrl: string;
  nodeId: string;
  /** The page's URL on this node, given to pages as a place to reconnect to. */
  url: string;
  /** Pipe transports bind here (UDP, ephemeral port) … */
  listenIp: string;
  /** … and are reached there (the node's `--announced-ip`). */
  announcedIp: string;
  timing?: Partial<RegistryTiming> & { rpcTimeoutMs?: number };
  /** Local participants and rooms: the load rooms are placed by. */
  load: () => { peers: number; rooms: number };
  log: (line: string) => void;
}

export const DEFAULT_TIMING = { heartbeatMs: 1000, deadAfterMs: 4000, rpcTimeoutMs: 5000 };

export class ClusterNode {
  private readonly links = new Map<string, RoomLink>();
  private readonly ctx: ClusterContext;
  private closed = false;
  private readonly placement: RoomPlacement;

  private constructor(
    private readonly options: ClusterOptions,
    private readonly redis: Redis,
    private readonly sub: Redis,
    readonly registry: NodeRegistry,
    private readonly rpc: NodeRpc,
  ) {
    this.ctx = {
      nodeId: options.nodeId,
      redis,
      rpc,
      registry,
      pipeListenInfo: { protocol: 'udp', ip: options.listenIp, announcedAddress: options.announcedIp },
      log: options.log,
    };
    this.placement = new RoomPlacement(redis, registry, this.timing.heartbeatMs);
    this.serveRpc();
    sub.on('message', (channel: string, text: string) => {
      if (channel === rpc.channel) rpc.onMessage(text);
      else this.links.get(channel.slice(roomChannel('').length))?.onMessage(text);
    });
    registry.on('dead', (nodeId) => {
      options.log(`node  ${nodeId} dead (no heartbeat for ${this.timing.deadAfterMs} ms): its peers leave`);
      for (const link of this.links.values()) link.nodeDied(nodeId);
    });
    registry.on('alive', (node) => {
      if (node.id !== options.nodeId) options.log(`node  ${node.id} up at ${node.url}`);
    });
    // ioredis reconnects by itself (and resubscribes); a restarted Redis has lost the rooms' hashes.
    let connectedOnce = false;
    redis.on('ready', () => {
      if (connectedOnce) {
        options.log('cluster: redis back: writing this node and its rooms again');
        for (const link of this.links.values()) link.resync();
      }
      connectedOnce = true;
    });
    redis.on('error', () => {}); // reported by the registry's heartbeat
    sub.on('error', () => {});
  }

  static async start(options: ClusterOptions): Promise<ClusterNode> {
    const timing = { ...DEFAULT_TIMING, ...options.timing };
    const connect = () =>
      new Redis(options.redisUrl, {
        maxRetriesPerRequest: 2,
        retryStrategy: (times) => Math.min(100 * times, 1000),
      });
    const redis = connect();
    const sub = connect();
    const rpc = new NodeRpc(options.nodeId, redis, timing.rpcTimeoutMs);
    let node: ClusterNode | undefined;
    const registry = new NodeRegistry(redis, () => node?.record() ?? recordOf(options), timing, options.log);
    node = new ClusterNode(options, redis, sub, registry, rpc);
    try {
      await sub.subscribe(rpc.channel);
      await registry.start();
    } catch (error) {
      redis.disconnect();
      sub.disconnect();
      throw error;
    }
    return node;
  }

  get id(): string {
    return this.options.nodeId;
  }

  get timing(): RegistryTiming & { rpcTimeoutMs: number } {
    return { ...DEFAULT_TIMING, ...this.options.timing };
  }

  record(): NodeRecord {
    return recordOf(this.options);
  }

  /** Every live node's page URL, this one first. */
  nodeUrls(): string[] {
    const others = this.registry.alive().filter((n) => n.id !== this.options.nodeId);
    return [this.options.url, ...others.map((n) => n.url)];
  }

  /** The room's owner node: where a front door should send its participants while it has room. */
  placeRoom(roomId: string): Promise<NodeRecord> {
    return this.placement.ownerOf(roomId);
  }

  /** `/cluster`: the live nodes, and the room's owner when one is asked about. */
  async describe(roomId: string | undefined): Promise<{ node: string; nodes: NodeRecord[]; owner?: string }> {
    const owner = roomId && /^[A-Za-z0-9_-]{1,64}$/.test(roomId) ? await this.placeRoom(roomId) : undefined;
    return { node: this.options.nodeId, nodes: this.registry.alive(), owner: owner?.url };
  }

  /** Pipe producers (in) and pipe consumers (out) open on this node, over every room. */
  pipeCounts(): { in: number; out: number } {
    let pipedIn = 0;
    let out = 0;
    for (const link of this.links.values()) {
      pipedIn += link.pipeIn.size;
      out += link.pipeOut.size;
    }
    return { in: pipedIn, out };
  }

  /** Bytes through this node's pipe transports (both ways, every room), from their `getStats()`. */
  async pipeBytes(): Promise<{ received: number; sent: number; transports: number }> {
    const transports: PipeTransport[] = [];
    for (const link of this.links.values())
      transports.push(...(await link.pipeIn.transports()), ...link.pipeOut.transports());
    let received = 0;
    let sent = 0;
    for (const t of transports) {
      const [s] = await t.getStats().catch(() => []);
      received += s?.bytesReceived ?? 0;
      sent += s?.bytesSent ?? 0;
    }
    return { received, sent, transports: transports.length };
  }

  /** Joins a room opening here to the cluster: subscribes, then reads who is on other nodes. */
  async openRoom(room: ClusterRoom): Promise<RoomLink> {
    const link = new RoomLink(room, this.ctx);
    this.links.get(room.id)?.close();
    this.links.set(room.id, link);
    try {
      await this.sub.subscribe(roomChannel(room.id));
      await link.load();
    } catch (error) {
      // Redis away: the room works locally; the subscription is replayed when Redis is back.
      this.options.log(`cluster: room=${room.id} not linked yet: ${(error as Error).message}`);
    }
    return link;
  }

  closeRoom(roomId: string, link: RoomLink): void {
    link.close();
    if (this.links.get(roomId) !== link) return;
    this.links.delete(roomId);
    this.sub.unsubscribe(roomChannel(roomId)).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id, link] of [...this.links]) this.closeRoom(id, link);
    this.rpc.close();
    await this.registry.stop();
    this.redis.disconnect();
    this.sub.disconnect();
  }

  private serveRpc(): void {
    const linkOf = (data: Record<string, unknown>) => {
      const link = this.links.get(String(data.roomId));
      if (!link) throw new Error(`room ${String(data.roomId)} is not open on node ${this.options.nodeId}`);
      return link;
    };
    this.rpc.handle('openPipe', async (from, data) =>
      linkOf(data).pipeOut.open(from, {
        ip: String(data.ip),
        port: Number(data.port),
        srtpParameters: data.srtpParameters as never,
      }),
    );
    this.rpc.handle('pipeProducer', async (from, data) =>
      linkOf(data).pipeOut.consume(from, String(data.producerId)),
    );
    this.rpc.handle('pipeDataProducer', async (from, data) =>
      linkOf(data).pipeOut.consumeData(from, String(data.producerId)),
    );
    this.rpc.handle('unpipe', async (from, data) => {
      this.links.get(String(data.roomId))?.pipeOut.unpipe(from, String(data.producerId));
      return {};
    });
    this.rpc.handle('closePipe', async (from, data) => {
      this.links.get(String(data.roomId))?.pipeOut.closePair(from);
      return {};
    });
  }
}

function recordOf(options: ClusterOptions): NodeRecord {
  const load = options.load();
  return { id: options.nodeId, url: options.url, pipeIp: options.announcedIp, ...load };
}
