// The far side of the cross-process pipe tests (`pipe-peer.ts` forks it, maybe inside a network
// namespace): a tsfu worker with a WebRtcServer and a router, driven over the IPC channel. The test
// relays a page's signalling here, and the pipe's setup (createPipeTransport, connect, produce);
// consumer events come back as messages. Plain JS so that Node runs it without a build step.
import { createWorker } from '@tsfu/sfu';

const objects = new Map();
let worker;
let server;
let router;

const keep = (o) => {
  objects.set(o.id, o);
  return o;
};
const get = (id) => {
  const o = objects.get(id);
  if (!o) throw new Error(`unknown object ${id}`);
  return o;
};
const event = (targetId, name) => process.send?.({ event: name, targetId });

const handlers = {
  async init({ mediaCodecs, listenIp, loopbackOnly }) {
    worker = await createWorker({ logLevel: 'warn' });
    server = await worker.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: listenIp, port: 0, tsfuLoopbackOnly: loopbackOnly }],
    });
    router = await worker.createRouter({ mediaCodecs });
    return { rtpCapabilities: router.rtpCapabilities };
  },
  async createPipeTransport(options) {
    const t = keep(await router.createPipeTransport(options));
    return { id: t.id, tuple: t.tuple, srtpParameters: t.srtpParameters };
  },
  async connectPipeTransport({ transportId, ...params }) {
    await get(transportId).connect(params);
    return { tuple: get(transportId).tuple };
  },
  async produce({ transportId, ...options }) {
    const p = keep(await get(transportId).produce(options));
    return { id: p.id, type: p.type };
  },
  pauseProducer: ({ id }) => get(id).pause(),
  resumeProducer: ({ id }) => get(id).resume(),
  closeProducer: ({ id }) => get(id).close(),
  async createWebRtcTransport() {
    const t = keep(await router.createWebRtcTransport({ webRtcServer: server }));
    return {
      id: t.id,
      iceParameters: t.iceParameters,
      iceCandidates: t.iceCandidates,
      dtlsParameters: t.dtlsParameters,
    };
  },
  async connectWebRtcTransport({ transportId, dtlsParameters }) {
    await get(transportId).connect({ dtlsParameters });
    return null;
  },
  async consume({ transportId, producerId, rtpCapabilities }) {
    const c = keep(await get(transportId).consume({ producerId, rtpCapabilities }));
    for (const name of ['producerpause', 'producerresume', 'producerclose', 'layerschange']) {
      c.on(name, () => event(c.id, name));
    }
    return { id: c.id, producerId, kind: c.kind, type: c.type, rtpParameters: c.rtpParameters };
  },
  setPreferredLayers: ({ id, layers }) => get(id).setPreferredLayers(layers),
  currentLayers: ({ id }) => get(id).currentLayers ?? null,
  closed: ({ id }) => get(id).closed,
  getStats: ({ id }) => get(id).getStats(),
  close() {
    worker?.close();
    setImmediate(() => process.exit(0));
  },
};

process.on('message', async ({ id, method, data }) => {
  try {
    const result = await handlers[method](data ?? {});
    process.send?.({ id, result: result ?? null });
  } catch (error) {
    process.send?.({ id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
});
// The test ended (or died): nothing may outlive it.
process.on('disconnect', () => {
  worker?.close();
  process.exit(0);
});
