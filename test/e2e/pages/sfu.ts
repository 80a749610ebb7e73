/**
 * Page: a mediasoup-client app against the tsfu SFU — produce on a send
 * transport, consume on a receive transport, as mediasoup-demo does.
 */
import { Device } from 'mediasoup-client';
import type { Consumer, Producer, Transport } from 'mediasoup-client/types';
import { connectSignal, type PageSignal } from '../harness/page/connect-signal.js';
import { exposePageApi } from '../harness/page/expose-api.js';
import type { SfuPageApi, SfuSchema } from './sfu-schema.js';

let signal: PageSignal<SfuSchema>;
let device: Device;
let recvTransport: Transport | undefined;
const transports: Transport[] = [];
const producers: Producer[] = [];
const consumers: Consumer[] = [];
const tracks: MediaStreamTrack[] = [];

async function createTransport(direction: 'send' | 'recv'): Promise<Transport> {
  const info = await signal.request('createWebRtcTransport', { direction });
  const t = direction === 'send' ? device.createSendTransport(info) : device.createRecvTransport(info);
  t.on('connect', ({ dtlsParameters }, callback, errback) => {
    signal
      .request('connectWebRtcTransport', { transportId: t.id, dtlsParameters })
      .then(() => callback(), errback);
  });
  t.on('produce', ({ kind, rtpParameters }, callback, errback) => {
    signal.request('produce', { transportId: t.id, kind, rtpParameters }).then(callback, errback);
  });
  transports.push(t);
  return t;
}

const api: SfuPageApi = {
  async load() {
    device = await Device.factory();
    await device.load({ routerRtpCapabilities: await signal.request('getRouterRtpCapabilities', null) });
    return device.recvRtpCapabilities;
  },

  async produce(spec) {
    const t = await createTransport('send');
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: spec.audio,
      video: spec.video
        ? { width: spec.width ?? 640, height: spec.height ?? 480, frameRate: spec.frameRate ?? 30 }
        : false,
    });
    const out = [];
    for (const track of stream.getTracks()) {
      tracks.push(track);
      const mime = spec.codec ?? 'video/VP8';
      const codec =
        track.kind === 'video'
          ? device.sendRtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === mime.toLowerCase())
          : undefined;
      const encodings =
        track.kind === 'video' && spec.simulcast
          ? [
              { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
              { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
              { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: 'L1T3' },
            ]
          : track.kind === 'video' && spec.scalabilityMode
            ? [{ scalabilityMode: spec.scalabilityMode }]
            : undefined;
      const p = await t.produce({ track, codec, encodings });
      producers.push(p);
      out.push({ id: p.id, kind: p.kind });
    }
    return out;
  },

  async consume(producerIds) {
    recvTransport ??= await createTransport('recv');
    const t = recvTransport;
    const out = [];
    for (const producerId of producerIds) {
      const spec = await signal.request('consume', {
        transportId: t.id,
        producerId,
        rtpCapabilities: device.recvRtpCapabilities,
      });
      const c = await t.consume(spec);
      consumers.push(c);
      const el = document.createElement(c.kind === 'video' ? 'video' : 'audio');
      el.muted = true;
      el.srcObject = new MediaStream([c.track]);
      document.body.appendChild(el);
      void el.play().catch(() => {});
      out.push({ id: c.id, kind: c.kind, trackState: c.track.readyState });
    }
    return out;
  },

  async close() {
    for (const c of consumers) c.close();
    for (const p of producers) p.close();
    for (const tr of tracks) tr.stop();
    for (const t of transports) t.close();
  },
};

connectSignal<SfuSchema>().then(
  (s) => {
    signal = s;
    exposePageApi(api);
  },
  (err) => console.error('signalling failed', err),
);
