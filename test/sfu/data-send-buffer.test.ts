/**
 * `sctpSendBufferSize` and stream resets with real @tsfu/sctp peers over
 * PlainTransports: a consumer whose peer stops acknowledging (frozen: it
 * handles no packet) gets `sctpsendbufferfull` and its messages are dropped once
 * the association's send buffer would exceed the limit, so the SFU holds at most
 * that much for it; the producer and a healthy consumer are unaffected, and the
 * frozen peer gets the rest once it thaws. Closing a DataConsumer resets its
 * outgoing stream (RFC 6525), as mediasoup does.
 */
import { createSocket } from 'node:dgram';
import { SctpAssociation } from '@tsfu/sctp';
import { createWorker, type PlainTransport, type Router, type Worker } from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Peer {
  assoc: SctpAssociation;
  received: number;
  resets: number[];
  /** Frozen: incoming packets are ignored, so nothing is acknowledged. */
  frozen: boolean;
  close(): void;
}

async function sctpPeer(t: PlainTransport): Promise<Peer> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const { localAddress, localPort } = t.tuple;
  const assoc = new SctpAssociation({ send: (p) => sock.send(p, localPort, localAddress) });
  const peer: Peer = {
    assoc,
    received: 0,
    resets: [],
    frozen: false,
    close: () => {
      assoc.abort();
      sock.close();
    },
  };
  assoc.on('message', () => peer.received++);
  assoc.on('streamsReset', (ids) => peer.resets.push(...ids));
  sock.on('message', (m) => {
    if (!peer.frozen) assoc.handle(m);
  });
  const open = new Promise<void>((r) => assoc.once('open', () => r()));
  assoc.connect();
  await Promise.all([open, waitUntil(() => t.sctpState === 'connected', 'transport SCTP connected')]);
  return peer;
}

async function waitUntil(
  cond: () => boolean,
  what: string | (() => string),
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('sctpSendBufferSize and stream resets', () => {
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

  const plain = (sctpSendBufferSize?: number) =>
    router.createPlainTransport({
      listenIp: '127.0.0.1',
      comedia: true,
      enableSctp: true,
      ...(sctpSendBufferSize !== undefined ? { sctpSendBufferSize } : {}),
    });

  it('a consumer whose peer stops acknowledging gets sctpsendbufferfull; the SFU holds at most sctpSendBufferSize for it', async () => {
    const SEND_BUFFER = 128 * 1024;
    const MESSAGE = 4096;
    // 1.2 MB: nine times the frozen consumer's send buffer, within the healthy one's (2 MB, the default).
    const COUNT = 300;
    const [ta, tb, tc] = await Promise.all([plain(), plain(SEND_BUFFER), plain()]);
    expect(tb.sctpParameters?.sendBufferSize).toBe(SEND_BUFFER);
    const [a, b, c] = await Promise.all([sctpPeer(ta), sctpPeer(tb), sctpPeer(tc)]);
    closers.push(a.close, b.close, c.close);
    const producer = await ta.produceData({ sctpStreamParameters: { streamId: 1 } });
    const frozenConsumer = await tb.consumeData({ dataProducerId: producer.id });
    const healthyConsumer = await tc.consumeData({ dataProducerId: producer.id });
    let bufferFull = 0;
    frozenConsumer.on('sctpsendbufferfull', () => bufferFull++);
    let healthyBufferFull = 0;
    healthyConsumer.on('sctpsendbufferfull', () => healthyBufferFull++);

    b.frozen = true;
    const payload = Buffer.alloc(MESSAGE, 0x61);
    for (let i = 0; i < COUNT; i++) a.assoc.sendMessage(1, 53, payload);
    await waitUntil(
      () => c.received === COUNT,
      () => `the healthy consumer gets every message (${c.received}/${COUNT})`,
    );
    const [pStat] = await producer.getStats();
    expect(pStat.messagesReceived).toBe(COUNT);
    expect(a.assoc.totalBufferedAmount).toBe(0); // the producer's peer: everything acknowledged

    const [frozenStat] = await frozenConsumer.getStats();
    // Nothing was acknowledged, so all it accepted is still held: at most the send buffer.
    expect(frozenStat.bytesSent).toBeLessThanOrEqual(SEND_BUFFER);
    expect(frozenStat.bytesSent).toBeGreaterThan(SEND_BUFFER / 2);
    const dropped = COUNT - frozenStat.messagesSent;
    await waitUntil(() => bufferFull === dropped, 'one sctpsendbufferfull per dropped message');
    const [healthyStat] = await healthyConsumer.getStats();
    expect(healthyStat.messagesSent).toBe(COUNT);
    expect(healthyBufferFull).toBe(0);
    console.log(
      `frozen consumer: ${frozenStat.messagesSent} accepted (${frozenStat.bytesSent} B held), ${dropped} dropped with sctpsendbufferfull`,
    );

    // Thawed: the SFU's retransmissions get through, the buffer drains, new messages flow again.
    b.frozen = false;
    await waitUntil(
      () => b.received === frozenStat.messagesSent,
      () => `the held messages reach the thawed peer (${b.received}/${frozenStat.messagesSent})`,
      60_000,
    );
    for (let i = 0; i < 10; i++) a.assoc.sendMessage(1, 53, payload);
    await waitUntil(() => b.received === frozenStat.messagesSent + 10, 'new messages reach the thawed peer');
    expect(bufferFull).toBe(dropped);
  }, 90_000);

  it("closing a DataConsumer resets its outgoing stream at the peer (the peer's channel closes)", async () => {
    const [ta, tb] = await Promise.all([plain(), plain()]);
    const [a, b] = await Promise.all([sctpPeer(ta), sctpPeer(tb)]);
    closers.push(a.close, b.close);
    const producer = await ta.produceData({ sctpStreamParameters: { streamId: 2 } });
    const first = await tb.consumeData({ dataProducerId: producer.id });
    const second = await tb.consumeData({ dataProducerId: producer.id });
    const firstId = first.sctpStreamParameters!.streamId;
    a.assoc.sendMessage(2, 51, Buffer.from('before'));
    await waitUntil(() => b.received === 2, 'both consumers get the first message');

    first.close();
    await waitUntil(() => b.resets.includes(firstId), 'the stream reset reaches the peer');
    expect(b.resets).toEqual([firstId]);
    a.assoc.sendMessage(2, 51, Buffer.from('after'));
    await waitUntil(() => b.received === 3, 'the other consumer goes on');
    // A consumer opened after the reset (stream ids go round robin, so a new one) gets messages as before.
    const third = await tb.consumeData({ dataProducerId: producer.id });
    a.assoc.sendMessage(2, 51, Buffer.from('again'));
    await waitUntil(() => b.received === 5, 'the new consumer and the other one get it');
    third.close();
    await waitUntil(() => b.resets.length === 2, 'the third stream reset');

    // Closing the producer closes its consumers: their streams are reset too.
    producer.close();
    await waitUntil(() => b.resets.length === 3, 'the second stream reset');
    expect(b.resets).toEqual([
      firstId,
      third.sctpStreamParameters!.streamId,
      second.sctpStreamParameters!.streamId,
    ]);
  });
});
