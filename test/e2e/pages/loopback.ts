/**
 * Page: one mediasoup-client Device that produces on a send transport and
 * consumes on a receive transport; the test relays between the two.
 */
import { Device } from 'mediasoup-client';
import type { Consumer, Producer, Transport } from 'mediasoup-client/types';
import { connectSignal, type PageSignal } from '../harness/page/connect-signal.js';
import { exposePageApi } from '../harness/page/expose-api.js';
import type { LoopbackPageApi, LoopbackSchema } from './loopback-schema.js';

let signal: PageSignal<LoopbackSchema>;
let device: Device;
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

const api: LoopbackPageApi = {
  async load() {
    device = await Device.factory();
    await device.load({ routerRtpCapabilities: await signal.request('getRouterRtpCapabilities', null) });
    return device.recvRtpCapabilities;
  },

  async produce() {
    const t = await createTransport('send');
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: 320, height: 240, frameRate: 30 },
    });
    const out = [];
    for (const track of stream.getTracks()) {
      tracks.push(track);
      const codec =
        track.kind === 'video'
          ? device.sendRtpCapabilities.codecs?.find((c) => c.mimeType === 'video/VP8')
          : undefined;
      const p = await t.produce({ track, codec });
      producers.push(p);
      out.push({ id: p.id, kind: p.kind });
    }
    return out;
  },

  async consume(specs) {
    const t = await createTransport('recv');
    const out = [];
    for (const spec of specs) {
      const c = await t.consume(spec);
      consumers.push(c);
      // Playing the track keeps the receive pipeline pulling audio as a real app would.
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

connectSignal<LoopbackSchema>().then(
  (s) => {
    signal = s;
    exposePageApi(api);
  },
  (err) => console.error('signalling failed', err),
);
