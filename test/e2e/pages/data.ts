/**
 * Page: data channels with mediasoup-client against the tsfu SFU —
 * `produceData()` on a send transport, `consumeData()` on a receive transport;
 * every received message is hashed (SHA-256) in arrival order.
 */
import { Device } from 'mediasoup-client';
import type { DataConsumer, DataProducer, Transport } from 'mediasoup-client/types';
import { connectSignal, type PageSignal } from '../harness/page/connect-signal.js';
import { exposePageApi } from '../harness/page/expose-api.js';
import { messageAt, sequenceMessage } from './data-messages.js';
import type { DataPageApi, ReceivedData } from './data-schema.js';
import type { SfuSchema } from './sfu-schema.js';

const HIGH_WATER = 1 << 20;

let signal: PageSignal<SfuSchema>;
let device: Device;
let sendTransport: Transport | undefined;
let recvTransport: Transport | undefined;
const producers = new Map<string, DataProducer>();
const consumers = new Map<
  string,
  { consumer: DataConsumer; received: ReceivedData; closed: boolean; done: Promise<void> }
>();

async function createTransport(direction: 'send' | 'recv'): Promise<Transport> {
  const info = await signal.request('createWebRtcTransport', { direction });
  const t = direction === 'send' ? device.createSendTransport(info) : device.createRecvTransport(info);
  t.on('connect', ({ dtlsParameters }, callback, errback) => {
    signal
      .request('connectWebRtcTransport', { transportId: t.id, dtlsParameters })
      .then(() => callback(), errback);
  });
  t.on('producedata', ({ sctpStreamParameters, label, protocol }, callback, errback) => {
    signal
      .request('produceData', {
        transportId: t.id,
        sctpStreamParameters,
        label: label ?? '',
        protocol: protocol ?? '',
      })
      .then(callback, errback);
  });
  return t;
}

const hex = (b: ArrayBuffer) =>
  Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('');

function producer(label: string): DataProducer {
  const p = producers.get(label);
  if (!p) throw new Error(`no data producer ${label}`);
  return p;
}

function drained(p: DataProducer): Promise<void> {
  if (p.bufferedAmount <= HIGH_WATER) return Promise.resolve();
  return new Promise((resolve) => p.once('bufferedamountlow', () => resolve()));
}

const api: DataPageApi = {
  async load() {
    device = await Device.factory();
    await device.load({ routerRtpCapabilities: await signal.request('getRouterRtpCapabilities', null) });
  },

  async produceData({ label, ordered, maxRetransmits }) {
    sendTransport ??= await createTransport('send');
    const p = await sendTransport.produceData({
      label,
      ordered,
      ...(maxRetransmits !== undefined ? { maxRetransmits } : {}),
    });
    p.bufferedAmountLowThreshold = HIGH_WATER / 4;
    await new Promise<void>((resolve, reject) => {
      if (p.readyState === 'open') resolve();
      p.once('open', () => resolve());
      p.once('error', (e) => reject(e));
    });
    producers.set(label, p);
    return { id: p.id };
  },

  async consumeData({ dataProducerId, subchannels }) {
    recvTransport ??= await createTransport('recv');
    const spec = await signal.request('consumeData', {
      transportId: recvTransport.id,
      dataProducerId,
      ...(subchannels ? { subchannels } : {}),
    });
    const consumer = await recvTransport.consumeData(spec);
    consumer.binaryType = 'arraybuffer';
    const entry = {
      consumer,
      received: {
        count: 0,
        hashes: [] as string[],
        kinds: '',
        sequences: [] as number[],
        texts: [] as string[],
      },
      closed: false,
      done: Promise.resolve(),
    };
    // Hashing is async: chaining keeps the hashes in arrival order.
    consumer.on('message', (data: ArrayBuffer | string) => {
      const r = entry.received;
      r.count++;
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data);
      r.kinds += typeof data === 'string' ? 's' : 'b';
      if (typeof data === 'string' && data.length <= 64) r.texts.push(data);
      if (typeof data !== 'string' && bytes.length >= 4) r.sequences.push(new DataView(data).getUint32(0));
      entry.done = entry.done
        .then(() => crypto.subtle.digest('SHA-256', bytes))
        .then((h) => {
          r.hashes.push(hex(h));
        });
    });
    consumer.on('close', () => {
      entry.closed = true;
    });
    await new Promise<void>((resolve) => {
      if (consumer.readyState === 'open') resolve();
      else consumer.once('open', () => resolve());
    });
    consumers.set(consumer.label, entry);
    return { id: consumer.id, label: consumer.label };
  },

  async sendMessages({ label, from, to }) {
    const p = producer(label);
    let bytes = 0;
    for (let i = from; i < to; i++) {
      await drained(p);
      const m = messageAt(i);
      p.send(m as string | ArrayBuffer);
      bytes += typeof m === 'string' ? new TextEncoder().encode(m).length : m.length;
    }
    return { bytes };
  },

  async sendSequence({ label, from, to, bytes }) {
    const p = producer(label);
    for (let seq = from; seq < to; seq++) {
      await drained(p);
      p.send(sequenceMessage(seq, bytes).buffer as ArrayBuffer);
    }
  },

  async sendRaw({ label, bytes }) {
    const p = producer(label);
    let threw: { name: string; message: string } | undefined;
    try {
      p.send(new Uint8Array(bytes).buffer as ArrayBuffer);
    } catch (e) {
      threw = { name: (e as Error).name, message: (e as Error).message };
    }
    return { ...(threw ? { threw } : {}), readyState: p.readyState, closed: p.closed };
  },

  async received({ label }) {
    const entry = consumers.get(label);
    if (!entry) throw new Error(`no data consumer ${label}`);
    await entry.done;
    return entry.received;
  },

  async consumerState({ label }) {
    const entry = consumers.get(label);
    if (!entry) throw new Error(`no data consumer ${label}`);
    return { readyState: entry.consumer.readyState, closed: entry.closed };
  },

  async close() {
    for (const { consumer } of consumers.values()) consumer.close();
    for (const p of producers.values()) p.close();
    sendTransport?.close();
    recvTransport?.close();
  },
};

connectSignal<SfuSchema>().then(
  (s) => {
    signal = s;
    exposePageApi(api);
  },
  (err) => console.error('signalling failed', err),
);
