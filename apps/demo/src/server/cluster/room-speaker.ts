/**
 * A room's dominant speaker over the cluster. Each node's
 * ActiveSpeakerObserver hears only the microphones on its router, so two
 * nodes could name two speakers; one node decides instead: the smallest id
 * among the nodes with participants in the room (each node derives the same
 * from the room's state in Redis). The decider pulls every far microphone
 * into its router (the pipes most often carry them already, for its own
 * pages), so its observer hears the whole room, and publishes each decision
 * on the room's channel. The other nodes tell their pages what the decider
 * said and ignore their own observers. When the decider leaves or dies the
 * next node in order takes over with what its observer hears.
 */
import type { Producer } from '@tsfu/sfu';
import { type ActiveSpeaker, NO_SPEAKER } from '../../signalling/protocol.js';
import type { Pulled } from './pipe-in.js';

/** What the speaker needs of the room on this node. */
export interface SpeakerRoom {
  hasLocalPeers(): boolean;
  /** The local observer's latest decision. */
  localSpeaker(): ActiveSpeaker;
  /** Adds a piped microphone to the local observer. */
  watchSpeaker(producer: Producer, peerId: string): Promise<void>;
  /** Tells this node's pages who speaks. */
  tellSpeaker(speaker: ActiveSpeaker): void;
}

/** A far participant's microphone. */
export interface FarMic {
  producerId: string;
  peerId: string;
  nodeId: string;
}

export class RoomSpeaker {
  /** The room's speaker as this node's pages were last told. */
  current: ActiveSpeaker = NO_SPEAKER;
  private decider: string | undefined;
  /** Far microphones this node pulls because it decides: producer id → its hold (undefined while pulling). */
  private readonly held = new Map<string, Pulled<Producer> | undefined>();
  /** Nodes with participants in the room, as of the last update (the decider repeats itself to new ones). */
  private nodes = new Set<string>();

  constructor(
    private readonly nodeId: string,
    private readonly room: SpeakerRoom,
    private readonly pull: (mic: FarMic) => Promise<Pulled<Producer>>,
    private readonly publish: (speaker: ActiveSpeaker) => void,
    private readonly log: (line: string) => void,
  ) {}

  get deciding(): boolean {
    return this.decider === this.nodeId;
  }

  /** The room's participants changed (here or there): who decides, and which microphones it needs. */
  update(farNodes: Iterable<string>, farMics: FarMic[]): void {
    const nodes = new Set(farNodes);
    if (this.room.hasLocalPeers()) nodes.add(this.nodeId);
    const wasDeciding = this.deciding;
    const newNode = [...nodes].some((n) => !this.nodes.has(n));
    this.nodes = nodes;
    this.decider = [...nodes].sort()[0];
    if (!this.deciding) {
      this.releaseAll();
      return;
    }
    // Just took over, or a node came that has not heard the decision yet.
    if (!wasDeciding) this.decided(this.room.localSpeaker(), true);
    else if (newNode) this.publish(this.current);
    const wanted = new Set(farMics.map((m) => m.producerId));
    for (const [id, hold] of this.held) {
      if (wanted.has(id)) continue;
      this.held.delete(id);
      hold?.release();
    }
    for (const mic of farMics) if (!this.held.has(mic.producerId)) this.hear(mic);
  }

  /** This node's observer changed its mind: the room's speaker if this node decides. */
  local(speaker: ActiveSpeaker): void {
    if (this.deciding) this.decided(speaker, false);
  }

  /** A node published a decision; the decider's is the room's. */
  remote(from: string, speaker: ActiveSpeaker): void {
    if (from === this.decider) this.set(speaker);
  }

  close(): void {
    this.releaseAll();
  }

  private decided(speaker: ActiveSpeaker, always: boolean): void {
    if (!always && speaker.producerId === this.current.producerId) return;
    this.set(speaker);
    this.publish(speaker);
  }

  private set(speaker: ActiveSpeaker): void {
    if (speaker.producerId === this.current.producerId) return;
    this.current = speaker;
    this.room.tellSpeaker(speaker);
  }

  private hear(mic: FarMic): void {
    this.held.set(mic.producerId, undefined);
    this.pull(mic)
      .then(async (hold) => {
        // No longer wanted while it was being piped (the decider changed, the mic closed).
        if (!this.held.has(mic.producerId) || this.held.get(mic.producerId) !== undefined) {
          hold.release();
          return;
        }
        this.held.set(mic.producerId, hold);
        await this.room.watchSpeaker(hold.producer, mic.peerId);
      })
      .catch((error: Error) => {
        if (this.held.get(mic.producerId) === undefined) this.held.delete(mic.producerId);
        this.log(`speaker: microphone ${mic.producerId} of node ${mic.nodeId} not heard: ${error.message}`);
      });
  }

  private releaseAll(): void {
    for (const hold of this.held.values()) hold?.release();
    this.held.clear();
  }
}
