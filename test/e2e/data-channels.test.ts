/**
 * Data channels through the SFU with real peers: page A produces with
 * mediasoup-client, pages B and C consume; 1,000 messages of 1–64 KiB
 * (binary and string) arrive at both in order and intact; an unordered
 * `maxRetransmits: 0` channel under 5 % loss toward C delivers what arrives and
 * keeps going; a message over `maxMessageSize` is refused at A.
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
    await expect
      .poll(() => receivedCount(b, 'lossy'), { timeout: E2E_WAIT_MS })
      .toBeGreaterThanOrEqual(LOSSY_MESSAGES);
    // Never blocks: messages sent after the losses still arrive (nothing waits for a retransmission).
    const TAIL = 40;
    await call(a, 'sendSequence', {
      label: 'lossy',
      from: LOSSY_MESSAGES,
      to: LOSSY_MESSAGES + TAIL,
      bytes: LOSSY_BYTES,
    });
    await expect
      .poll(async () => Math.max(...(await call(c, 'received', { label: 'lossy' })).sequences), {
        timeout: E2E_WAIT_MS,
      })
      .toBeGreaterThanOrEqual(LOSSY_MESSAGES + TAIL / 2);
    await toC.transport.setOutgoingLossForTesting(0);

    const atB = await call(b, 'received', { label: 'lossy' });
    expect(atB.count).toBe(LOSSY_MESSAGES + TAIL);
    const atC = await call(c, 'received', { label: 'lossy' });
    const first = atC.sequences.filter((s) => s < LOSSY_MESSAGES);
    console.log(`lossy channel: C received ${first.length}/${LOSSY_MESSAGES} (B ${atB.count - TAIL})`);
    // Lost ones are gone for good (no retransmission), the rest arrived once each and intact.
    expect(first.length).toBeLessThan(LOSSY_MESSAGES);
    expect(first.length).toBeGreaterThanOrEqual(LOSSY_MESSAGES * 0.85);
    expect(new Set(atC.sequences).size).toBe(atC.sequences.length);
    atC.sequences.forEach((seq, k) => {
      expect(atC.hashes[k]).toBe(sha256(sequenceMessage(seq, LOSSY_BYTES)));
    });
    const [cStat] = await cConsumer.getStats();
    expect(cStat.messagesSent).toBe(LOSSY_MESSAGES + TAIL);
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
});
