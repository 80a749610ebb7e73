/** What a room's cluster parts share from their node: Redis, the node's RPC, where pipes listen. */
import type { TransportListenInfo } from '@tsfu/sfu';
import type { Redis } from 'ioredis';
import type { NodeRegistry } from './node-registry.js';
import type { NodeRpc } from './node-rpc.js';

export interface ClusterContext {
  nodeId: string;
  /** Commands and publishing (the subscriber connection is the node's). */
  redis: Redis;
  rpc: NodeRpc;
  registry: NodeRegistry;
  /** The pipe transports' socket: UDP, the node's listen address, announced as its `--announced-ip`. */
  pipeListenInfo: TransportListenInfo;
  log: (line: string) => void;
}
