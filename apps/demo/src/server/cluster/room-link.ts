/**
 * One room's share of the cluster on this node. The node hosting a
 * participant writes its state (name, producers, paused) into the room's
 * Redis hash and publishes it on the room's channel; every other node with
 * the room open turns the difference into the usual notifications for its
 * own pages (`peerJoined`, `newProducer`, `producerPaused`, `peerLeft`, …).
 * A local consume of a far producer (or a far page's chat) pulls it over a
 * pipe (`pipe-in.ts`); far nodes pull ours (`pipe-out.ts`). The room's
 * dominant speaker is one node's decision, published here too
 * (`room-speaker.ts`).
 */
import type { Router } from '@tsfu/sfu';
import type { ActiveSpeaker, DataProducerInfo, PeerInfo, ProducerInfo } from '../../signalling/protocol.js';
import type { ClusterContext } from './context.js';
import { roomChannel, roomKey } from './keys.js';
import { PipeIn } from './pipe-in.js';
import { PipeOut } from './pipe-out.js';
import { type FarMic, RoomSpeaker, type SpeakerRoom } from './room-speaker.js';

/** A participant as the cluster knows it: its page's info and the node hosting it. */
export interface RemotePeer extends PeerInfo {
  nodeId: string;
}

/** What the link needs of the local room. */
export interface ClusterRoom extends SpeakerRoom {
  readonly id: string;
  readonly router: Router;
  localPeers(): PeerInfo[];
  remotePeerJoined(peerId: string, displayName: string): void;
  remotePeerLeft(peerId: string): void;
  remoteProducerAdded(info: ProducerInfo): void;
  remoteProducerClosed(peerId: string, producerId: string): void;
  remoteProducerPaused(peerId: string, producerId: string, paused: boolean): void;
  remoteDataProducerAdded(info: DataProducerInfo): void;
}

type RoomMessage =
  | { from: string; peer: RemotePeer }
  | { from: string; gone: string }
  | { from: string; speaker: ActiveSpeaker };

export class RoomLink {
  private readonly remote = new Map<string, RemotePeer>();
  readonly pipeIn: PipeIn;
  readonly pipeOut: PipeOut;
  readonly speaker: RoomSpeaker;

  constructor(
    private readonly room: ClusterRoom,
    private readonly ctx: ClusterContext,
  ) {
    this.pipeIn = new PipeIn(room.id, room.router, ctx);
    this.pipeOut = new PipeOut(room.id, room.router, ctx);
    this.speaker = new RoomSpeaker(
      ctx.nodeId,
      room,
      (mic) => this.pipeIn.pull(mic.producerId, mic.nodeId),
      (speaker) => this.publish({ from: ctx.nodeId, speaker }),
      ctx.log,
    );
  }

  /** Reads who is already in the room on other nodes (the caller subscribed to the channel first). */
  async load(): Promise<void> {
    const all = await this.ctx.redis.hgetall(roomKey(this.room.id));
    for (const text of Object.values(all)) {
      const peer = parse<RemotePeer>(text);
      if (peer && peer.nodeId !== this.ctx.nodeId && this.ctx.registry.isAlive(peer.nodeId)) this.apply(peer);
    }
    this.speakerUpdate();
  }

  remotePeers(): PeerInfo[] {
    return [...this.remote.values()].map(({ nodeId: _, ...info }) => info);
  }

  get remoteCount(): number {
    return this.remote.size;
  }

  /** The node hosting this producer, if a far participant has it. */
  ownerOf(producerId: string): string | undefined {
    for (const p of this.remote.values()) {
      if (p.producers.some((x) => x.producerId === producerId)) return p.nodeId;
    }
    return undefined;
  }

  /** The far participant with this data producer (a chat), and its node. */
  dataOwnerOf(dataProducerId: string): { peerId: string; nodeId: string } | undefined {
    for (const p of this.remote.values()) {
      if (p.dataProducers.some((d) => d.dataProducerId === dataProducerId)) return p;
    }
    return undefined;
  }

  /** A local participant joined or changed (produced, paused, opened its chat, …). */
  peerChanged(info: PeerInfo): void {
    const peer: RemotePeer = { ...info, nodeId: this.ctx.nodeId };
    const text = JSON.stringify(peer);
    this.ctx.redis.hset(roomKey(this.room.id), info.peerId, text).catch(() => {});
    this.publish({ from: this.ctx.nodeId, peer });
    this.speakerUpdate();
  }

  peerGone(peerId: string): void {
    this.ctx.redis.hdel(roomKey(this.room.id), peerId).catch(() => {});
    this.publish({ from: this.ctx.nodeId, gone: peerId });
    this.speakerUpdate();
  }

  /** After a Redis restart: write our participants again. */
  resync(): void {
    for (const info of this.room.localPeers()) this.peerChanged(info);
  }

  onMessage(text: string): void {
    const m = parse<RoomMessage>(text);
    if (!m || m.from === this.ctx.nodeId) return;
    if ('speaker' in m) {
      if (isSpeaker(m.speaker)) this.speaker.remote(m.from, m.speaker);
      return;
    }
    if ('gone' in m) this.drop(m.gone);
    else if (m.peer && typeof m.peer.peerId === 'string') this.apply(m.peer);
    this.speakerUpdate();
  }

  /** A node died: its participants leave, its pipes close; the hash forgets them. */
  nodeDied(nodeId: string): void {
    for (const p of [...this.remote.values()]) {
      if (p.nodeId !== nodeId) continue;
      this.drop(p.peerId);
      this.ctx.redis.hdel(roomKey(this.room.id), p.peerId).catch(() => {});
    }
    this.pipeIn.closeNode(nodeId);
    this.pipeOut.closePair(nodeId);
    this.speakerUpdate();
  }

  close(): void {
    this.speaker.close();
    this.pipeIn.close();
    this.pipeOut.close();
    this.remote.clear();
  }

  private publish(m: RoomMessage): void {
    this.ctx.redis.publish(roomChannel(this.room.id), JSON.stringify(m)).catch(() => {});
  }

  /** Turns a far participant's new state into notifications for the local pages. */
  private apply(peer: RemotePeer): void {
    const before = this.remote.get(peer.peerId);
    this.remote.set(peer.peerId, peer);
    if (!before) this.room.remotePeerJoined(peer.peerId, peer.displayName);
    const old = new Map((before?.producers ?? []).map((p) => [p.producerId, p]));
    for (const p of peer.producers) {
      const was = old.get(p.producerId);
      old.delete(p.producerId);
      if (!was) this.room.remoteProducerAdded(p);
      else if (was.paused !== p.paused) {
        void this.pipeIn.setPaused(p.producerId, p.paused).catch(() => {});
        this.room.remoteProducerPaused(peer.peerId, p.producerId, p.paused);
      }
    }
    for (const gone of old.keys()) {
      this.pipeIn.producerClosed(gone);
      this.room.remoteProducerClosed(peer.peerId, gone);
    }
    // A far chat: local pages consume it (piped on demand); a closed one closes their consumers.
    const oldData = new Set((before?.dataProducers ?? []).map((d) => d.dataProducerId));
    for (const d of peer.dataProducers ?? []) {
      if (!oldData.delete(d.dataProducerId)) this.room.remoteDataProducerAdded(d);
    }
    for (const gone of oldData) this.pipeIn.producerClosed(gone);
  }

  private drop(peerId: string): void {
    const peer = this.remote.get(peerId);
    if (!peer) return;
    this.remote.delete(peerId);
    for (const p of peer.producers) this.pipeIn.producerClosed(p.producerId);
    for (const d of peer.dataProducers ?? []) this.pipeIn.producerClosed(d.dataProducerId);
    this.room.remotePeerLeft(peerId);
  }

  private speakerUpdate(): void {
    const mics: FarMic[] = [];
    const nodes = new Set<string>();
    for (const p of this.remote.values()) {
      nodes.add(p.nodeId);
      for (const x of p.producers)
        if (x.source === 'mic') mics.push({ producerId: x.producerId, peerId: p.peerId, nodeId: p.nodeId });
    }
    this.speaker.update(nodes, mics);
  }
}

/** A speaker message's body: a peer and its producer, or nobody (anything else is dropped). */
function isSpeaker(s: unknown): s is ActiveSpeaker {
  if (typeof s !== 'object' || s === null) return false;
  const { peerId, producerId } = s as Record<string, unknown>;
  return (
    (peerId === null && producerId === null) || (typeof peerId === 'string' && typeof producerId === 'string')
  );
}

function parse<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
