/**
 * Page: loads a mediasoup-client Device with the router capabilities tsfu
 * generates, reports its capabilities to the server, and produces fake
 * camera/microphone tracks on a send transport built from the server's
 * transport parameters. Each step is called by capabilities.test.ts.
 */
import { Device } from 'mediasoup-client';
import type { Producer, Transport } from 'mediasoup-client/types';
import { connectSignal, type PageSignal } from '../harness/page/connect-signal.js';
import { exposePageApi } from '../harness/page/expose-api.js';
import type {
  CapabilitiesPageApi,
  CapabilitiesSchema,
  ProduceResult,
  ProduceSpec,
} from './capabilities-schema.js';

// Set before the API is exposed, so every step can use it.
let signal: PageSignal<CapabilitiesSchema>;
let device: Device | undefined;
let transport: Transport | undefined;
const producers: Producer[] = [];
const tracks: MediaStreamTrack[] = [];
const transportEvents: string[] = [];

async function getSendTransport(d: Device): Promise<Transport> {
  if (transport) return transport;
  const info = await signal.request('createWebRtcTransport', null);
  const t = d.createSendTransport({ ...info });
  t.on('connect', ({ dtlsParameters }, callback, errback) => {
    transportEvents.push(`connect:${dtlsParameters.role}`);
    signal
      .request('connectWebRtcTransport', { transportId: t.id, dtlsParameters })
      .then(() => callback(), errback);
  });
  t.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
    transportEvents.push(`produce:${kind}`);
    signal
      .request('produce', { transportId: t.id, kind, rtpParameters, appData: appData as { label?: string } })
      .then(callback, errback);
  });
  t.on('connectionstatechange', (state) => transportEvents.push(`connectionstate:${state}`));
  transport = t;
  return t;
}

async function produceOne(d: Device, t: Transport, spec: ProduceSpec): Promise<ProduceResult> {
  const stream = await navigator.mediaDevices.getUserMedia(
    spec.kind === 'audio' ? { audio: true } : { video: { width: 640, height: 480, frameRate: 30 } },
  );
  const track = spec.kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
  tracks.push(track);
  const codec = spec.codecMimeType
    ? d.sendRtpCapabilities.codecs?.find(
        (c) =>
          c.mimeType.toLowerCase() === spec.codecMimeType?.toLowerCase() &&
          Object.entries(spec.codecParameters ?? {}).every(([k, v]) => c.parameters?.[k] === v),
      )
    : undefined;
  if (spec.codecMimeType && !codec) throw new Error(`device cannot send ${spec.codecMimeType}`);
  const n = spec.simulcastEncodings ?? 0;
  const encodings =
    n > 0 ? Array.from({ length: n }, (_, i) => ({ scaleResolutionDownBy: 2 ** (n - 1 - i) })) : undefined;
  const producer = await t.produce({ track, codec, encodings, appData: { label: spec.label } });
  producers.push(producer);
  const s = track.getSettings();
  return {
    label: spec.label,
    producerId: producer.id,
    rtpParameters: producer.rtpParameters,
    trackSettings: { width: s.width, height: s.height, frameRate: s.frameRate, sampleRate: s.sampleRate },
  };
}

const api: CapabilitiesPageApi = {
  async loadDevice() {
    const routerRtpCapabilities = await signal.request('getRouterRtpCapabilities', null);
    const d = await Device.factory();
    await d.load({ routerRtpCapabilities });
    device = d;
    const verdict = await signal.request('setDeviceRtpCapabilities', {
      recvRtpCapabilities: d.recvRtpCapabilities,
      sendRtpCapabilities: d.sendRtpCapabilities,
    });
    return {
      loaded: d.loaded,
      handlerName: d.handlerName,
      canProduceAudio: d.canProduce('audio'),
      canProduceVideo: d.canProduce('video'),
      recvRtpCapabilities: d.recvRtpCapabilities,
      sendRtpCapabilities: d.sendRtpCapabilities,
      verdict,
    };
  },

  async produce(specs) {
    if (!device) throw new Error('device not loaded');
    const t = await getSendTransport(device);
    const results: ProduceResult[] = [];
    // One at a time: mediasoup-client serialises them anyway, and the order keeps the record readable.
    for (const spec of specs) results.push(await produceOne(device, t, spec));
    return results;
  },

  async transportEvents() {
    return [...transportEvents];
  },

  async close() {
    for (const p of producers) p.close();
    for (const tr of tracks) tr.stop();
    transport?.close();
  },
};

// Bundled as a classic script (no top-level await): connect, then offer the steps.
connectSignal<CapabilitiesSchema>().then(
  (s) => {
    signal = s;
    exposePageApi(api);
  },
  (err) => console.error('signalling failed', err),
);
