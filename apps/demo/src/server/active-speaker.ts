/**
 * Who is talking in a room: an ActiveSpeakerObserver on the room's router
 * watches every microphone producer, and each change of dominant speaker is
 * reported (the room tells every page, which highlights that tile). The
 * observer keeps the last speaker while everyone is silent or muted, as
 * mediasoup's does; it picks another one when the speaker's producer closes.
 */
import type { ActiveSpeakerObserver, Producer, Router } from '@tsfu/sfu';
import { type ActiveSpeaker, NO_SPEAKER } from '../signalling/protocol.js';

export class ActiveSpeakerWatch {
  /** The dominant speaker; nobody before the first decision or after that producer closed. */
  current: ActiveSpeaker = NO_SPEAKER;
  /** Watched producer id → its peer id. */
  private readonly peerOf = new Map<string, string>();

  private constructor(
    private readonly observer: ActiveSpeakerObserver,
    private readonly onChange: (speaker: ActiveSpeaker) => void,
  ) {
    observer.on('dominantspeaker', ({ producer }) => {
      const peerId = this.peerOf.get(producer.id);
      // A decision about a producer that closed meanwhile (the worker had not heard yet).
      if (peerId === undefined) return;
      this.set({ peerId, producerId: producer.id });
    });
  }

  static async create(
    router: Router,
    onChange: (speaker: ActiveSpeaker) => void,
  ): Promise<ActiveSpeakerWatch> {
    return new ActiveSpeakerWatch(await router.createActiveSpeakerObserver({ interval: 300 }), onChange);
  }

  /** Watches a peer's microphone. Resolves once the observer has it (or the producer is already gone). */
  async watch(producer: Producer, peerId: string): Promise<void> {
    if (this.observer.closed || producer.closed) return;
    this.peerOf.set(producer.id, peerId);
    try {
      await this.observer.addProducer({ producerId: producer.id });
    } catch (error) {
      // The producer (or the room) closed while the worker was asked: nothing left to watch.
      if (!producer.closed && !this.observer.closed) throw error;
    }
  }

  /** A watched producer closed (the observer drops it by itself); a closed speaker is nobody's now. */
  forget(producerId: string): void {
    if (!this.peerOf.delete(producerId)) return;
    if (this.current.producerId === producerId) this.set(NO_SPEAKER);
  }

  close(): void {
    this.observer.close();
  }

  private set(speaker: ActiveSpeaker): void {
    if (speaker.producerId === this.current.producerId) return;
    this.current = speaker;
    this.onChange(speaker);
  }
}
