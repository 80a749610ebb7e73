/**
 * What the metrics count, kept current by the SFU's observer events (as a
 * mediasoup app would): per worker, its routers, transports, producers and
 * consumers. Nothing here asks a worker anything; the scrape does.
 */
import type { Consumer, Producer, Router, Transport, WebRtcTransport, Worker } from '@tsfu/sfu';

/** Every per-worker series carries these. */
export interface WorkerLabels {
  [name: string]: string;
  /** The app's name for the worker (the demo: its index). */
  worker: string;
  thread_id: string;
}

export interface TrackedWorker {
  readonly worker: Worker;
  readonly labels: WorkerLabels;
  readonly routers: Set<Router>;
  readonly transports: Set<WebRtcTransport>;
  readonly producers: Set<Producer>;
  readonly consumers: Set<Consumer>;
}

export class SfuGraph {
  readonly workers: TrackedWorker[] = [];

  /** `closed` hears every transport, producer, consumer and worker that closes. */
  constructor(private readonly closed: (owner: object) => void) {}

  /** Follows `worker` from now on: call it before the worker gets routers. */
  track(worker: Worker, name: string): TrackedWorker {
    const w: TrackedWorker = {
      worker,
      labels: { worker: name, thread_id: String(worker.threadId) },
      routers: new Set(),
      transports: new Set(),
      producers: new Set(),
      consumers: new Set(),
    };
    this.workers.push(w);
    worker.observer.once('close', () => this.closed(worker));
    worker.observer.on('newrouter', (router) => {
      w.routers.add(router);
      router.observer.once('close', () => w.routers.delete(router));
      router.observer.on('newtransport', (transport) => this.trackTransport(w, transport));
    });
    return w;
  }

  private trackTransport(w: TrackedWorker, t: Transport): void {
    // The demo's transports are WebRTC ones (their stats carry the ICE/SRTP counters read here).
    if (t.type !== 'webrtc') return;
    const transport = t as WebRtcTransport;
    w.transports.add(transport);
    transport.observer.once('close', () => {
      w.transports.delete(transport);
      this.closed(transport);
    });
    transport.observer.on('newproducer', (producer) => {
      w.producers.add(producer);
      producer.observer.once('close', () => {
        w.producers.delete(producer);
        this.closed(producer);
      });
    });
    transport.observer.on('newconsumer', (consumer) => {
      w.consumers.add(consumer);
      consumer.observer.once('close', () => {
        w.consumers.delete(consumer);
        this.closed(consumer);
      });
    });
  }
}
