/**
 * Page: a mediasoup-client app whose "microphone" is a WAV the test
 * generated, looped through Web Audio with a gain the test sets — so one
 * page can talk while the others stay silent, in one browser (Chromium's
 * fake-capture file would be the same for every page).
 */
import { Device } from 'mediasoup-client';
import type { Producer, Transport } from 'mediasoup-client/types';
import { connectSignal, type PageSignal } from '../harness/page/connect-signal.js';
import { exposePageApi } from '../harness/page/expose-api.js';
import type { SfuSchema } from './sfu-schema.js';
import type { SpeakerPageApi } from './speaker-schema.js';

let signal: PageSignal<SfuSchema>;
let device: Device;
let transport: Transport | undefined;
let producer: Producer | undefined;
let audio: AudioContext | undefined;
let gainNode: GainNode | undefined;

const api: SpeakerPageApi = {
  async load() {
    device = await Device.factory();
    await device.load({ routerRtpCapabilities: await signal.request('getRouterRtpCapabilities', null) });
    return device.recvRtpCapabilities;
  },

  async produceWav({ wavBase64, gain }) {
    audio = new AudioContext({ sampleRate: 48000 });
    await audio.resume();
    const bytes = Uint8Array.from(atob(wavBase64), (c) => c.charCodeAt(0));
    const buffer = await audio.decodeAudioData(bytes.buffer);
    const source = audio.createBufferSource();
    source.buffer = buffer;
    source.loop = true;
    gainNode = audio.createGain();
    gainNode.gain.value = gain;
    const destination = audio.createMediaStreamDestination();
    source.connect(gainNode).connect(destination);
    source.start();
    const info = await signal.request('createWebRtcTransport', { direction: 'send' });
    const t = device.createSendTransport(info);
    t.on('connect', ({ dtlsParameters }, callback, errback) => {
      signal
        .request('connectWebRtcTransport', { transportId: t.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    t.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      signal.request('produce', { transportId: t.id, kind, rtpParameters }).then(callback, errback);
    });
    transport = t;
    producer = await t.produce({ track: destination.stream.getAudioTracks()[0] });
    return { id: producer.id };
  },

  async setGain(gain) {
    if (!gainNode || !audio) throw new Error('produceWav first');
    gainNode.gain.setValueAtTime(gain, audio.currentTime);
  },

  async close() {
    producer?.close();
    transport?.close();
    await audio?.close();
  },
};

connectSignal<SfuSchema>().then(
  (s) => {
    signal = s;
    exposePageApi(api);
  },
  (err) => console.error('signalling failed', err),
);
