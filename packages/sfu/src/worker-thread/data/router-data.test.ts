import { describe, expect, it } from 'vitest';
import type { ConsumeDataRequest } from '../../protocol/worker-protocol.js';
import type { Transport } from '../transport/transport.js';
import { RouterData } from './router-data.js';

/** Just what RouterData reads of a transport: its ids and data maps (no association: sctp sends drop). */
function fakeTransport(id: string): Transport {
  return { id, dataProducers: new Map(), dataConsumers: new Map(), sctp: undefined } as unknown as Transport;
}

function setup() {
  const transports = new Map<string, Transport>();
  for (const id of ['a', 'b']) transports.set(id, fakeTransport(id));
  const notes: Array<{ event: string; target: string; data: unknown }> = [];
  const data = new RouterData(transports, ((event: string, target: string, d?: unknown) =>
    notes.push({ event, target, data: d })) as never);
  const a = transports.get('a') as Transport;
  const b = transports.get('b') as Transport;
  data.produce(a, {
    transportId: 'a',
    dataProducerId: 'dp',
    type: 'direct',
    label: '',
    protocol: '',
    paused: false,
  });
  const consume = (id: string, subchannels: number[], type: 'direct' | 'sctp' = 'direct') =>
    data.consume(b, {
      transportId: 'b',
      dataConsumerId: id,
      dataProducerId: 'dp',
      type,
      label: '',
      protocol: '',
      paused: false,
      subchannels,
      ...(type === 'sctp' ? { sctpStreamParameters: { streamId: 1, ordered: true } } : {}),
    } satisfies ConsumeDataRequest);
  return { data, notes, a, b, consume, dp: () => data.producers.get('dp')! };
}

const msg = (
  text: string,
  f: { subchannels?: number[]; requiredSubchannel?: number; ignoredSubchannel?: number } = {},
) => ({
  ppid: 51,
  data: new TextEncoder().encode(text),
  ...f,
});

describe('RouterData', () => {
  it("filters by mediasoup's subchannel rules and hands every consumer the same bytes", () => {
    const { data, notes, consume, dp } = setup();
    consume('c1', [1, 11, 666]);
    consume('c2', [2, 22, 666]);
    const all = msg('all');
    data.onProducerMessage(dp(), all);
    data.onProducerMessage(dp(), msg('none', { subchannels: [3], requiredSubchannel: 666 }));
    data.onProducerMessage(dp(), msg('c1', { subchannels: [666], requiredSubchannel: 11 }));
    data.onProducerMessage(dp(), msg('c2-only', { ignoredSubchannel: 1 }));
    const got = notes.filter((n) => n.event === 'dataConsumer.message');
    const text = (n: (typeof got)[number]) => new TextDecoder().decode((n.data as { data: Uint8Array }).data);
    expect(got.map((n) => `${n.target}:${text(n)}`)).toEqual(['c1:all', 'c2:all', 'c1:c1', 'c2:c2-only']);
    // No copy per consumer inside the worker.
    const bytes = got.map((n) => (n.data as { data: Uint8Array }).data);
    expect(bytes[0]).toBe(bytes[1]);
    expect(dp().messagesReceived).toBe(4);
    expect(data.consumers.get('c1')?.messagesSent).toBe(2);
  });

  it('drops (uncounted as sent) an sctp consumer message without an association, and paused flows', () => {
    const { data, consume, dp } = setup();
    consume('s', [], 'sctp');
    data.onProducerMessage(dp(), msg('x'));
    expect(data.consumers.get('s')?.messagesSent).toBe(0);
    data.setProducerPaused(dp(), true);
    data.onProducerMessage(dp(), msg('y'));
    expect(dp().messagesReceived).toBe(2);
  });

  it('pauses, resumes and closes consumers with their producer; a transport close forgets both sides', () => {
    const { data, notes, a, b, consume, dp } = setup();
    consume('c1', []);
    data.setProducerPaused(dp(), true);
    data.setProducerPaused(dp(), true);
    data.setProducerPaused(dp(), false);
    expect(notes.map((n) => n.event)).toEqual([
      'dataConsumer.dataproducerpause',
      'dataConsumer.dataproducerresume',
    ]);
    expect(data.dump().mapDataConsumerIdDataProducerId).toEqual([{ key: 'c1', value: 'dp' }]);
    data.transportClosed(a);
    expect(notes.at(-1)).toMatchObject({ event: 'dataConsumer.dataproducerclose', target: 'c1' });
    expect(data.producers.size + data.consumers.size + a.dataProducers.size + b.dataConsumers.size).toBe(0);
    expect(data.dump()).toEqual({
      mapDataProducerIdDataConsumerIds: [],
      mapDataConsumerIdDataProducerId: [],
    });
  });

  it('rejects a second data producer on the same stream id of a transport', () => {
    const { data, a } = setup();
    const req = (id: string) => ({
      transportId: 'a',
      dataProducerId: id,
      type: 'sctp' as const,
      sctpStreamParameters: { streamId: 5 },
      label: '',
      protocol: '',
      paused: false,
    });
    data.produce(a, req('x'));
    expect(() => data.produce(a, req('y'))).toThrow(/streamId already in use/);
    expect(data.producers.has('y')).toBe(false);
  });
});
