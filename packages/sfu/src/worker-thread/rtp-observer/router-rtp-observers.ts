/**
 * A router's RTP observers and which producers each watches. The router
 * hands every packet here; a producer no observer watches costs one field
 * check (`producer.rtpObserverWatch`). The ssrc-audio-level byte (RFC 6464)
 * is read once per packet, at the producer's negotiated extension id, and
 * handed to each watching observer.
 */
import { RTP_EXTENSION_URI, readAudioLevelByte } from '@tsfu/rtp';
import { NotFoundError } from '../../errors.js';
import type { Producer } from '../producer.js';
import type { RtpPacket } from '../rtp/rtp-packet.js';
import type { RtpObserver } from './rtp-observer.js';

/** Who watches one producer (kept on the producer, so the packet path reads a field). */
export interface RtpObserverWatch {
  /** The producer's ssrc-audio-level id, 0 when it negotiated none. */
  readonly extId: number;
  /** Replaced, never changed in place, so a packet in progress is unaffected. */
  observers: readonly RtpObserver[];
}

export class RouterRtpObservers {
  readonly observers = new Map<string, RtpObserver>();
  private readonly watched = new Map<Producer, RtpObserverWatch>();
  /** Packets of watched producers without a readable audio level. */
  packetsWithoutLevel = 0;

  add(observer: RtpObserver): void {
    if (this.observers.has(observer.id)) throw new Error('an RtpObserver with same id already exists');
    this.observers.set(observer.id, observer);
  }

  get(id: string): RtpObserver {
    const o = this.observers.get(id);
    if (!o) throw new NotFoundError(`RtpObserver not found [rtpObserverId:${id}]`);
    return o;
  }

  close(id: string): void {
    const observer = this.observers.get(id);
    if (!observer) return;
    observer.close();
    this.observers.delete(id);
    for (const [producer, w] of this.watched) this.unwatch(producer, w, observer);
  }

  closeAll(): void {
    for (const id of [...this.observers.keys()]) this.close(id);
  }

  addProducer(observer: RtpObserver, producer: Producer): void {
    observer.addProducer(producer);
    const w = this.watched.get(producer);
    if (w === undefined) {
      const extId =
        producer.rtpParameters.headerExtensions?.find((e) => e.uri === RTP_EXTENSION_URI.audioLevel)?.id ?? 0;
      const watch = { extId, observers: [observer] };
      this.watched.set(producer, watch);
      producer.rtpObserverWatch = watch;
    } else if (!w.observers.includes(observer)) {
      w.observers = [...w.observers, observer];
    }
  }

  removeProducer(observer: RtpObserver, producer: Producer): void {
    observer.removeProducer(producer);
    const w = this.watched.get(producer);
    if (w) this.unwatch(producer, w, observer);
  }

  /** The observer ids watching each producer (for `router.dump()`). */
  observerIdsOf(producer: Producer): string[] {
    return this.watched.get(producer)?.observers.map((o) => o.id) ?? [];
  }

  onRtpPacket(producer: Producer, packet: RtpPacket, nowMs: number): void {
    const w = producer.rtpObserverWatch;
    if (w === undefined) return;
    const i = w.extId === 0 ? -1 : packet.findExtension(w.extId);
    const byte =
      i < 0
        ? -1
        : readAudioLevelByte(packet.buffer, packet.extensionValueOffsets[i], packet.extensionValueLengths[i]);
    if (byte < 0) {
      this.packetsWithoutLevel++;
      return;
    }
    const level = byte & 0x7f;
    const observers = w.observers;
    for (let k = 0; k < observers.length; k++) observers[k].receiveAudioLevel(producer, level, nowMs);
  }

  producerClosed(producer: Producer): void {
    const w = this.watched.get(producer);
    if (!w) return;
    this.watched.delete(producer);
    producer.rtpObserverWatch = undefined;
    for (const o of w.observers) o.removeProducer(producer);
  }

  producerPaused(producer: Producer): void {
    for (const o of this.watched.get(producer)?.observers ?? []) o.producerPaused(producer);
  }

  producerResumed(producer: Producer): void {
    for (const o of this.watched.get(producer)?.observers ?? []) o.producerResumed(producer);
  }

  private unwatch(producer: Producer, w: RtpObserverWatch, observer: RtpObserver): void {
    if (!w.observers.includes(observer)) return;
    w.observers = w.observers.filter((o) => o !== observer);
    if (w.observers.length > 0) return;
    this.watched.delete(producer);
    producer.rtpObserverWatch = undefined;
  }
}
