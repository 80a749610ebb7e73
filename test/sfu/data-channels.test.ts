/**
 * Data channels through the SFU over real UDP sockets: @tsfu/sctp peers speak
 * SCTP straight over UDP to PlainTransports (as mediasoup's PlainTransport
 * carries it), and over DTLS to WebRtcTransports (synthetic ICE/DTLS clients). One peer's data producer reaches two consumers on other
 * transports, every message in order; a DirectTransport's data producer
 * reaches an SCTP consumer, with mediasoup's subchannel filter.
 */
import { createSocket, type Socket } from 'node:dgram';
import { SctpAssociation } from '@tsfu/sctp';
import { createWorker, type PlainTransport, type Router, type WebRtcTransport, type Worker } from '@tsfu/sfu';
import { SyntheticWebRtcClient } from '@tsfu/sfu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Received = { streamId: number; ppid: number; text: string };

/** An SCTP endpoint on its own UDP socket toward one PlainTransport. */
async function sctpPeer(
  t: PlainTransport,
): Promise<{ assoc: SctpAssociation; received: Received[]; close(): void }> {
  const sock: Socket = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const { localAddress, localPort } = t.tuple;
  const assoc = new SctpAssociation({ send: (p) => sock.send(p, localPort, localAddress) });
  const received: Received[] = [];
  assoc.on('message', (streamId, ppid, data) =>
    received.push({ streamId, ppid, text: data.toString('utf8') }),
  );
  sock.on('message', (m) => assoc.handle(m));
  const open = new Promise<void>((r) => assoc.once('open', () => r()));
  assoc.connect();
  await Promise.all([open, waitUntil(() => t.sctpState === 'connected', 'transport SCTP connected')]);
  return {
    assoc,
    received,
    close: () => {
      assoc.abort();
      sock.close();
    },
  };
}

/** A synthetic ICE/DTLS client with an SCTP association over its DTLS application data. */
async function webRtcSctpPeer(
  t: WebRtcTransport,
): Promise<{ assoc: SctpAssociation; received: Received[]; close(): void }> {
  const client = await SyntheticWebRtcClient.create();
  const assoc = new SctpAssociation({ send: (p) => client.sendApplicationData(p) });
  const received: Received[] = [];
  assoc.on('message', (streamId, ppid, data) =>
    received.push({ streamId, ppid, text: data.toString('utf8') }),
  );
  client.onApplicationData = (d) => assoc.handle(d);
  await t.connect({ dtlsParameters: client.dtlsParameters });
  await client.connect({
    iceParameters: t.iceParameters,
    iceCandidates: t.iceCandidates,
    dtlsParameters: t.dtlsParameters,
  });
  const open = new Promise<void>((r) => assoc.once('open', () => r()));
  assoc.connect();
  await Promise.all([open, waitUntil(() => t.sctpState === 'connected', 'transport SCTP connected')]);
  return {
    assoc,
    received,
    close: () => {
      assoc.abort();
      client.close();
    },
  };
}

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('data channels over PlainTransport SCTP', () => {
  let worker: Worker;
  let router: Router;
  const closers: Array<() => void> = [];

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter();
  });
  afterAll(() => {
    for (const c of closers) c();
    worker.close();
  });

  const plain = () => router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true, enableSctp: true });

  it('forwards every message of one producer to two consumers, in order', async () => {
    const [ta, tb, tc] = await Promise.all([plain(), plain(), plain()]);
    const [a, b, c] = await Promise.all([sctpPeer(ta), sctpPeer(tb), sctpPeer(tc)]);
    closers.push(a.close, b.close, c.close);
    const producer = await ta.produceData({ sctpStreamParameters: { streamId: 7 }, label: 'chat' });
    const cb = await tb.consumeData({ dataProducerId: producer.id });
    const cc = await tc.consumeData({ dataProducerId: producer.id });
    expect(cb.sctpStreamParameters?.ordered).toBe(true);
    const n = 200;
    for (let i = 0; i < n; i++) a.assoc.sendMessage(7, 51, Buffer.from(`m${i}`));
    await waitUntil(
      () => b.received.length >= n && c.received.length >= n,
      'both consumers receive every message',
    );
    const expected = Array.from({ length: n }, (_, i) => `m${i}`);
    expect(b.received.map((m) => m.text)).toEqual(expected);
    expect(c.received.map((m) => m.text)).toEqual(expected);
    expect(new Set(b.received.map((m) => m.streamId))).toEqual(new Set([cb.sctpStreamParameters?.streamId]));
    expect(new Set(c.received.map((m) => m.ppid))).toEqual(new Set([51]));
    const [stats] = await producer.getStats();
    expect(stats?.messagesReceived).toBe(n);
    const [cstats] = await cc.getStats();
    expect(cstats?.messagesSent).toBe(n);
  });

  it('sends a DirectTransport producer into an SCTP consumer, filtered by subchannels', async () => {
    const direct = await router.createDirectTransport();
    const t = await plain();
    const peer = await sctpPeer(t);
    closers.push(peer.close);
    const producer = await direct.produceData();
    const consumer = await t.consumeData({ dataProducerId: producer.id, subchannels: [1, 2] });
    producer.send('all');
    producer.send('one', undefined, [1]);
    producer.send('three', undefined, [3]);
    producer.send('required-2', undefined, undefined, 2);
    producer.send('required-9', undefined, undefined, 9);
    producer.send(Buffer.from('binary'), undefined, [2, 3]);
    producer.send('ignored-1', undefined, undefined, undefined, 1);
    producer.send('last');
    await waitUntil(() => peer.received.some((m) => m.text === 'last'), 'the last message');
    expect(peer.received.map((m) => m.text)).toEqual(['all', 'one', 'required-2', 'binary', 'last']);
    expect(peer.received.map((m) => m.ppid)).toEqual([51, 51, 51, 53, 51]);
    const [stats] = await consumer.getStats();
    expect(stats?.messagesSent).toBe(5);
  });

  it('carries SCTP over DTLS on WebRtcTransports: one producer, two consumers, every message in order', async () => {
    const web = () =>
      router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], enableSctp: true });
    const [ta, tb, tc] = await Promise.all([web(), web(), web()]);
    const [a, b, c] = await Promise.all([webRtcSctpPeer(ta), webRtcSctpPeer(tb), webRtcSctpPeer(tc)]);
    closers.push(a.close, b.close, c.close);
    expect(ta.sctpNegotiatedCapabilities?.negotiatedMaxInboundStreams).toBeGreaterThan(0);
    const producer = await ta.produceData({ sctpStreamParameters: { streamId: 3 } });
    const cb = await tb.consumeData({ dataProducerId: producer.id });
    await tc.consumeData({ dataProducerId: producer.id });
    const n = 100;
    for (let i = 0; i < n; i++) a.assoc.sendMessage(3, i % 2 ? 53 : 51, Buffer.from(`d${i}`));
    await waitUntil(
      () => b.received.length >= n && c.received.length >= n,
      'both consumers receive every message',
    );
    const expected = Array.from({ length: n }, (_, i) => `d${i}`);
    expect(b.received.map((m) => m.text)).toEqual(expected);
    expect(c.received.map((m) => m.text)).toEqual(expected);
    expect(b.received.map((m) => m.ppid)).toEqual(expected.map((_, i) => (i % 2 ? 53 : 51)));
    expect(new Set(b.received.map((m) => m.streamId))).toEqual(new Set([cb.sctpStreamParameters?.streamId]));
  });
});
