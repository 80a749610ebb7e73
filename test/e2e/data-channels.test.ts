/**
 * Data channels through the SFU with real peers: page A produces with
 * mediasoup-client, pages B and C consume; 1,000 messages of 1–64 KiB
 * (binary and string) arrive at both in order and intact; an unordered
 * `maxRetransmits: 0` channel under 5 % loss toward C delivers what arrives and
 * keeps going; a message over `maxMessageSize` is refused at A. Then
 * DirectTransport data both ways: Node's `dataProducer.send()` into Chromium
 * consumers through mediasoup's subchannel filter, and A's DataProducer into a
 * Node direct DataConsumer's `message` events.
 */
import { createHash } from 'node:crypto';
import type { DataConsumer } from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callPage, E2E_WAIT_MS, type E2ePage } from './harness/index.js';
import { messageAt, messageBytesOf, sequenceMessage } from './pages/data-messages.js';
import type { DataPageApi } from './pages/data-schema.js';
import { type SfuRoom, startSfuRoom } from './sfu-room.js';

const MESSAGES = 1000;
/** Messages sent before waiting for B and C: ~0.8 MB, under the SFU's 2 MB `sctpSendBufferSize`. */
const BATCH = 25;
const LOSSY_MESSAGES = 400;
const LOSSY_BYTES = 1000;

let room: SfuRoom;
let a: E2ePage;
let b: E2ePage;
let c: E2ePage;

const call = <M extends keyof DataPageApi & string>(
  page: E2ePage,
  method: M,
  arg: Parameters<DataPageApi[M]>[0],
) => callPage<DataPageApi, M>(page, method, arg);

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const receivedCount = async (page: E2ePage, label: string) => (await call(page, 'received', { label })).count;
const consumersOf = (dataProducerId: string): DataConsumer[] =>
  [...room.dataConsumers.values()].filter((dc) => dc.dataProducerId === dataProducerId);

beforeAll(async () => {
  room = await startSfuRoom({ enableSctp: true, pages: ['pages/data.ts'] });
  a = await room.session.openPage('data', 'A');
  b = await room.session.openPage('data', 'B');
  c = await room.session.openPage('data', 'C');
  for (const p of [a, b, c]) await call(p, 'load', null);
});

afterAll(async () => {
  await room?.close();
});

describe('Chromium A → tsfu DataProducer → DataConsumers → Chromium B and C', () => {
  it('1,000 ordered messages of 1–64 KiB (binary and string) reach B and C intact and in order', async () => {
    const { id } = await call(a, 'produceData', { label: 'bulk', ordered: true });
    expect((await call(b, 'consumeData', { dataProducerId: id })).label).toBe('bulk');
    expect((await call(c, 'consumeData', { dataProducerId: id })).label).toBe('bulk');
    const bufferFull: string[] = [];
    for (const dc of consumersOf(id)) dc.on('sctpsendbufferfull', () => bufferFull.push(dc.id));

    let bytes = 0;
    for (let from = 0; from < MESSAGES; from += BATCH) {
      const to = Math.min(from + BATCH, MESSAGES);
      bytes += (await call(a, 'sendMessages', { label: 'bulk', from, to })).bytes;
      for (const p of [b, c])
        await expect
          .poll(() => receivedCount(p, 'bulk'), { timeout: E2E_WAIT_MS })
          .toBeGreaterThanOrEqual(to);
    }

    const expected = Array.from({ length: MESSAGES }, (_, i) => messageAt(i));
    const expectedHashes = expected.map((m) => sha256(messageBytesOf(m)));
    const expectedKinds = expected.map((m) => (typeof m === 'string' ? 's' : 'b')).join('');
    expect(bytes).toBe(expected.reduce((n, m) => n + messageBytesOf(m).length, 0));
    for (const p of [b, c]) {
      const got = await call(p, 'received', { label: 'bulk' });
      expect(got.count).toBe(MESSAGES);
      expect(got.kinds).toBe(expectedKinds);
      expect(got.hashes).toEqual(expectedHashes);
    }

    const dataProducer = room.dataProducers.get(id)!;
    const [pStat] = await dataProducer.getStats();
    expect(pStat).toMatchObject({ type: 'data-producer', label: 'bulk', messagesReceived: MESSAGES });
    expect(pStat.bytesReceived).toBe(bytes);
    for (const dc of consumersOf(id)) {
      const [cStat] = await dc.getStats();
      expect(cStat).toMatchObject({ type: 'data-consumer', messagesSent: MESSAGES, bytesSent: bytes });
    }
    expect(bufferFull).toEqual([]);
    expect(room.session.server.handlerErrors).toEqual([]);
  });

  it('an unordered maxRetransmits: 0 channel under 5 % loss toward C delivers what arrives and keeps going', async () => {
    const { id } = await call(a, 'produceData', { label: 'lossy', ordered: false, maxRetransmits: 0 });
    await call(b, 'consumeData', { dataProducerId: id });
    const onC = await call(c, 'consumeData', { dataProducerId: id });
    const toC = [...room.transports.values()].find((t) => t.peer === 'C' && t.direction === 'recv')!;
    const cConsumer = room.dataConsumers.get(onC.id)!;
    expect(cConsumer.sctpStreamParameters).toMatchObject({ ordered: false, maxRetransmits: 0 });
    await toC.transport.setOutgoingLossForTesting(0.05);

    await call(a, 'sendSequence', { label: 'lossy', from: 0, to: LOSSY_MESSAGES, bytes: LOSSY_BYTES });
    // Never blocks: messages sent after the losses still arrive (nothing waits for a retransmission).
    // Once one of the later ones is in, every earlier one has left the SFU (its queue is in order).
    const TAIL = 40;
    await call(a, 'sendSequence', {
      label: 'lossy',
      from: LOSSY_MESSAGES,
      to: LOSSY_MESSAGES + TAIL,
      bytes: LOSSY_BYTES,
    });
    const maxSequence = async (page: E2ePage) =>
      Math.max(-1, ...(await call(page, 'received', { label: 'lossy' })).sequences);
    for (const p of [b, c])
      await expect
        .poll(() => maxSequence(p), { timeout: E2E_WAIT_MS })
        .toBeGreaterThanOrEqual(LOSSY_MESSAGES + TAIL / 2);
    await toC.transport.setOutgoingLossForTesting(0);

    // Whatever the SFU got went to C (read both until no message is between the two reads).
    const sfuCounts = async () => {
      const [p] = await room.dataProducers.get(id)!.getStats();
      const [sent] = await cConsumer.getStats();
      return { received: p.messagesReceived, sentToC: sent.messagesSent };
    };
    await expect
      .poll(async () => {
        const n = await sfuCounts();
        return n.sentToC - n.received;
      })
      .toBe(0);
    const { received: sfuReceived, sentToC } = await sfuCounts();
    const atB = await call(b, 'received', { label: 'lossy' });
    const atC = await call(c, 'received', { label: 'lossy' });
    console.log(
      `lossy channel: SFU received ${sfuReceived}/${LOSSY_MESSAGES + TAIL}, sent ${sentToC} to C; ` +
        `C received ${atC.count}, B ${atB.count} (no loss injected toward B)`,
    );
    // The injected loss took some for good (no retransmission), the rest arrived once each and intact.
    expect(atC.count).toBeLessThan(sentToC);
    expect(atC.count).toBeGreaterThanOrEqual(sentToC * 0.85);
    expect(new Set(atC.sequences).size).toBe(atC.count);
    atC.sequences.forEach((seq, k) => {
      expect(atC.hashes[k]).toBe(sha256(sequenceMessage(seq, LOSSY_BYTES)));
    });
    expect(atC.sequences.every((seq) => seq < LOSSY_MESSAGES + TAIL)).toBe(true);
  });

  it('a message over maxMessageSize is refused at the producer; the channel goes on', async () => {
    const sendTransport = [...room.transports.values()].find((t) => t.peer === 'A')!.transport;
    const maxMessageSize = sendTransport.sctpParameters!.maxMessageSize;
    const before = await receivedCount(b, 'bulk');
    const refused = await call(a, 'sendRaw', { label: 'bulk', bytes: maxMessageSize + 1 });
    console.log('oversize send:', JSON.stringify(refused));
    expect(refused.threw?.name).toBe('TypeError');
    expect(refused.threw?.message).toMatch(/max.*message.*size|too large/i);
    const fits = await call(a, 'sendRaw', { label: 'bulk', bytes: maxMessageSize });
    expect(fits.threw).toBeUndefined();
    await expect.poll(() => receivedCount(b, 'bulk'), { timeout: E2E_WAIT_MS }).toBe(before + 1);
  });
  it("closing a DataConsumer resets its SCTP stream: the browser's RTCDataChannel closes", async () => {
    const { id } = await call(a, 'produceData', { label: 'closing', ordered: true });
    const onB = await call(b, 'consumeData', { dataProducerId: id });
    await call(c, 'consumeData', { dataProducerId: id });
    room.dataConsumers.get(onB.id)!.close();
    await expect
      .poll(() => call(b, 'consumerState', { label: 'closing' }), { timeout: E2E_WAIT_MS })
      .toEqual({ readyState: 'closed', closed: true });
    expect(await call(c, 'consumerState', { label: 'closing' })).toEqual({
      readyState: 'open',
      closed: false,
    });
  });
});

describe('DirectTransport data ↔ Chromium', () => {
  it("Node's dataProducer.send() reaches Chromium consumers through mediasoup's subchannel filter", async () => {
    const direct = await room.routers[0].createDirectTransport();
    const dp = await direct.produceData({ label: 'node' });
    expect(dp.type).toBe('direct');
    const onB = await call(b, 'consumeData', { dataProducerId: dp.id, subchannels: [1] });
    await call(c, 'consumeData', { dataProducerId: dp.id, subchannels: [2] });

    dp.send('to everyone');
    dp.send('to 1', undefined, [1]);
    dp.send('to 2', undefined, [2]);
    dp.send('to 1 or 2, requiring 2', undefined, [1, 2], 2);
    dp.send('to 3', undefined, [3]);
    dp.send(Buffer.from(sequenceMessage(7, 100)));
    await room.dataConsumers.get(onB.id)!.setSubchannels([2, 3]);
    dp.send('to 3, after B subscribed to 3', undefined, [3]);
    dp.send('end');

    const texts = async (page: E2ePage) => (await call(page, 'received', { label: 'node' })).texts;
    for (const p of [b, c]) await expect.poll(() => texts(p), { timeout: E2E_WAIT_MS }).toContain('end');
    expect(await texts(b)).toEqual(['to everyone', 'to 1', 'to 3, after B subscribed to 3', 'end']);
    expect(await texts(c)).toEqual(['to everyone', 'to 2', 'to 1 or 2, requiring 2', 'end']);
    // The binary message (sequence 7) arrives between the strings sent around it.
    for (const [p, kinds] of [
      [b, 'ssbss'],
      [c, 'sssbs'],
    ] as const) {
      const got = await call(p, 'received', { label: 'node' });
      expect(got.kinds).toBe(kinds);
      expect(got.sequences).toEqual([7]);
    }
    const [pStat] = await dp.getStats();
    expect(pStat.messagesReceived).toBe(8);
  });

  it("A's DataProducer reaches a Node direct DataConsumer's message events, intact, in order, with their PPIDs", async () => {
    const direct = await room.routers[0].createDirectTransport();
    const bulk = [...room.dataProducers.values()].find((dp) => dp.label === 'bulk')!;
    // A message from SCTP carries no subchannels: it reaches every consumer, subscribed or not (mediasoup).
    const dc = await direct.consumeData({ dataProducerId: bulk.id, subchannels: [5] });
    expect(dc.type).toBe('direct');
    const got: { hash: string; ppid: number }[] = [];
    dc.on('message', (message, ppid) => got.push({ hash: sha256(message), ppid }));

    const COUNT = 100;
    await call(a, 'sendMessages', { label: 'bulk', from: 0, to: COUNT });
    await expect.poll(() => got.length, { timeout: E2E_WAIT_MS }).toBe(COUNT);
    const expected = Array.from({ length: COUNT }, (_, i) => messageAt(i));
    expect(got.map((m) => m.hash)).toEqual(expected.map((m) => sha256(messageBytesOf(m))));
    // WebRTC PPIDs (RFC 8831): 51 string, 53 binary.
    expect(got.map((m) => m.ppid)).toEqual(expected.map((m) => (typeof m === 'string' ? 51 : 53)));
    const [stat] = await dc.getStats();
    expect(stat.messagesSent).toBe(COUNT);
  });
});
