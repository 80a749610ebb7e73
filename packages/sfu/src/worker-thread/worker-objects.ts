/**
 * The worker thread's objects by id: requests name routers, servers,
 * transports, producers, consumers and data producers/consumers by id, and a
 * missing one is mediasoup's NotFoundError.
 */
import { NotFoundError } from '../errors.js';
import type { Consumer } from './consumer/consumer.js';
import type { DataConsumer } from './data/data-consumer.js';
import type { DataProducer } from './data/data-producer.js';
import type { RouterData } from './data/router-data.js';
import type { Producer } from './producer.js';
import type { Router } from './router.js';
import type { Transport } from './transport/transport.js';
import { WebRtcTransport } from './transport/webrtc-transport.js';
import type { WebRtcServer } from './webrtc-server.js';

export class WorkerObjects {
  constructor(
    private readonly routers: ReadonlyMap<string, Router>,
    private readonly servers: ReadonlyMap<string, WebRtcServer>,
  ) {}

  router(id: string): Router {
    const router = this.routers.get(id);
    if (!router) throw new NotFoundError(`Router not found [routerId:${id}]`);
    return router;
  }

  server(id: string): WebRtcServer {
    const server = this.servers.get(id);
    if (!server) throw new NotFoundError(`WebRtcServer not found [webRtcServerId:${id}]`);
    return server;
  }

  findTransport(id: string): { router: Router; transport: Transport } | undefined {
    for (const router of this.routers.values()) {
      const transport = router.transports.get(id);
      if (transport) return { router, transport };
    }
    return undefined;
  }

  transport(id: string): Transport {
    const t = this.findTransport(id)?.transport;
    if (!t || t.isClosed) throw new NotFoundError(`Transport not found [transportId:${id}]`);
    return t;
  }

  webRtcTransport(id: string): WebRtcTransport {
    const t = this.transport(id);
    if (!(t instanceof WebRtcTransport))
      throw new NotFoundError(`WebRtcTransport not found [transportId:${id}]`);
    return t;
  }

  findProducer(id: string): Producer | undefined {
    for (const router of this.routers.values()) {
      const p = router.producers.get(id);
      if (p) return p;
    }
    return undefined;
  }

  findDataProducer(id: string): DataProducer | undefined {
    for (const router of this.routers.values()) {
      const dp = router.data.producers.get(id);
      if (dp) return dp;
    }
    return undefined;
  }

  dataProducer(id: string): DataProducer {
    const dp = this.findDataProducer(id);
    if (!dp) throw new NotFoundError(`DataProducer not found [dataProducerId:${id}]`);
    return dp;
  }

  findDataConsumer(id: string): DataConsumer | undefined {
    for (const router of this.routers.values()) {
      const dc = router.data.consumers.get(id);
      if (dc) return dc;
    }
    return undefined;
  }

  dataConsumer(id: string): DataConsumer {
    const dc = this.findDataConsumer(id);
    if (!dc) throw new NotFoundError(`DataConsumer not found [dataConsumerId:${id}]`);
    return dc;
  }

  /** The data plane of the router a data producer or consumer belongs to. */
  routerOfData(o: { transportId: string }): RouterData {
    const found = this.findTransport(o.transportId);
    if (!found) throw new NotFoundError(`Transport not found [transportId:${o.transportId}]`);
    return found.router.data;
  }

  transportAndRouter(transportId: string): { router: Router; transport: Transport } {
    const found = this.findTransport(transportId);
    if (!found) throw new NotFoundError(`Transport not found [transportId:${transportId}]`);
    return found;
  }

  producer(id: string): Producer {
    const p = this.findProducer(id);
    if (!p) throw new NotFoundError(`Producer not found [producerId:${id}]`);
    return p;
  }

  findConsumer(id: string): Consumer | undefined {
    for (const router of this.routers.values()) {
      const c = router.consumers.get(id);
      if (c) return c;
    }
    return undefined;
  }

  consumer(id: string): Consumer {
    const c = this.findConsumer(id);
    if (!c) throw new NotFoundError(`Consumer not found [consumerId:${id}]`);
    return c;
  }
}
