/**
 * `dataProducer.send()` against mediasoup 3.27.1's DataProducer.send(): its
 * validation (TypeError for a message that is neither string nor Buffer,
 * WorkerClosedError once the worker is closed, nothing for a closed
 * DataProducer), subchannels as uint16, ignoredSubchannel for ordinary
 * consumers, any DataProducer type, and the worker dropping a message over
 * the transport's maxReceiveMessageSize.
 */
import { createWorker, type DataConsumer, type Router, type Worker, WorkerClosedError } from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let worker: Worker;
let router: Router;

beforeAll(async () => {
  worker = await createWorker({ logLevel: 'none' });
  router = await worker.createRouter({ mediaCodecs: [] });
});

afterAll(() => {
  if (!worker.closed) worker.close();
});

/** Every message text a direct consumer gets. */
function inbox(dc: DataConsumer): string[] {
  const got: string[] = [];
  dc.on('message', (m: Buffer) => got.push(m.toString('utf8')));
  return got;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('dataProducer.send()', () => {
  it('filters ordinary consumers on ignoredSubchannel, with subchannels taken modulo 65536', async () => {
    const t = await router.createDirectTransport();
    const dp = await t.produceData();
    const five = inbox(await t.consumeData({ dataProducerId: dp.id, subchannels: [5] }));
    const six = inbox(await t.consumeData({ dataProducerId: dp.id, subchannels: [6] }));
    const none = inbox(await t.consumeData({ dataProducerId: dp.id }));
    dp.send('not-5', undefined, undefined, undefined, 5);
    dp.send('required-6', undefined, undefined, 65536 + 6);
    dp.send('any-of-5', undefined, [65536 + 5, 65536 + 5]);
    dp.send('bye');
    await until(() => five.includes('bye') && six.includes('bye') && none.includes('bye'), 'bye');
    expect(five).toEqual(['any-of-5', 'bye']);
    expect(six).toEqual(['not-5', 'required-6', 'bye']);
    expect(none).toEqual(['not-5', 'bye']);
    t.close();
  });

  it('throws TypeError for a message that is neither string nor Buffer, and nothing once closed', async () => {
    const t = await router.createDirectTransport();
    const dp = await t.produceData();
    expect(() => dp.send(42 as never)).toThrow(TypeError);
    expect(() => dp.send(new Uint8Array(2) as never)).toThrow(TypeError);
    dp.close();
    expect(() => dp.send('after close')).not.toThrow();
    t.close();
  });

  it("drops a message over the DirectTransport's maxMessageSize in the worker", async () => {
    const t = await router.createDirectTransport({ maxMessageSize: 8 });
    const dp = await t.produceData();
    const got = inbox(await t.consumeData({ dataProducerId: dp.id }));
    dp.send('123456789');
    dp.send('12345678');
    await until(() => got.length > 0, 'the 8-byte message');
    expect(got).toEqual(['12345678']);
    const [stat] = await dp.getStats();
    expect(stat?.messagesReceived).toBe(1);
    t.close();
  });

  it("takes an 'sctp' DataProducer's message too (as mediasoup's worker does)", async () => {
    const plain = await router.createPlainTransport({ listenIp: '127.0.0.1', enableSctp: true });
    const dp = await plain.produceData({ sctpStreamParameters: { streamId: 3 } });
    const direct = await router.createDirectTransport();
    const got = inbox(await direct.consumeData({ dataProducerId: dp.id }));
    dp.send('from node');
    await until(() => got.length > 0, 'the message');
    expect(got).toEqual(['from node']);
    plain.close();
    direct.close();
  });

  it('throws WorkerClosedError once the worker is closed', async () => {
    const w = await createWorker({ logLevel: 'none' });
    const r = await w.createRouter({ mediaCodecs: [] });
    const dp = await (await r.createDirectTransport()).produceData();
    w.close();
    expect(() => dp.send('late')).toThrow(WorkerClosedError);
  });
});
