/** Redis key and channel names of a cluster (one prefix, so several clusters can share a Redis). */
export const PREFIX = 'tsfu:';

/** A node's record (JSON), with a TTL its heartbeat refreshes. */
export const nodeKey = (nodeId: string) => `${PREFIX}node:${nodeId}`;
/** The ids of every node that registered (a node whose key expired is dead). */
export const NODES_SET = `${PREFIX}nodes`;
/** A room's participants: hash peerId → RemotePeer JSON, written by the node hosting each peer. */
export const roomKey = (roomId: string) => `${PREFIX}room:${roomId}`;
/** A room's signalling channel: every change of a participant, published by its node. */
export const roomChannel = (roomId: string) => `${PREFIX}room:${roomId}`;
/** A node's requests and answers (pipes). */
export const rpcChannel = (nodeId: string) => `${PREFIX}rpc:${nodeId}`;
/** A room's owner node (placement by load), with a TTL refreshed while the room lives. */
export const ownerKey = (roomId: string) => `${PREFIX}owner:${roomId}`;
