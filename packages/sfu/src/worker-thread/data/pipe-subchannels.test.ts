/**
 * A data message's subchannel metadata across a pipe: two routers' data planes
 * joined by two pipe transports' real SCTP associations (packets handed over
 * in memory), as `pipeToRouter({ dataProducerId })` joins them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DataMessage } from '../../protocol/worker-protocol.js';
import type { SctpParameters } from '../../types/sctp-parameters.js';
import type { Transport } from '../transport/transport.js';
import type { DataProducer } from './data-producer.js';
import { RouterData } from './router-data.js';
import { TransportSctp } from './transport-sctp.js';

const PARAMS: SctpParameters = {
  port: 5000,
  maxSendMessageSize: 262144,
  maxReceiveMessageSize: 262144,
  sendBufferSize: 262144,
  perStreamSendQueueLimit: 262144,
  maxReceiverWindowBufferSize: 262144,
  isDataChannel: false,
  OS: 1024,
  MIS: 1024,
  maxMessageSize: 262144,
};
const STREAM = 1;
const noop = (() => {}) as never;

type FakeTransport = Transport & { sctp: TransportSctp | undefined };

function fakeTransport(id: string, isPipe: boolean): FakeTransport {
  return { id, isPipe, dataProducers: new Map(), dataConsumers: new Map(), sctp: undefined } as never;
}

const opened: TransportSctp[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

/** Router 1: a direct data producer and its pipe consumer; router 2: the pipe's data producer and direct consumers. */
function setup() {
  const src = fakeTransport('src', false);
  const pipe1 = fakeTransport('pipe1', true);
  const pipe2 = fakeTransport('pipe2', true);
  const dst = fakeTransport('dst', false);
  const delivered: Array<{ id: string; text: string }> = [];
  const router1 = new RouterData(new Map([src, pipe1].map((t) => [t.id, t])), noop);
  const router2 = new RouterData(new Map([pipe2, dst].map((t) => [t.id, t])), ((
    event: string,
    target: string,
    d?: { data: Uint8Array },
  ) => {
    if (event === 'dataConsumer.message' && d)
      delivered.push({ id: target, text: new TextDecoder().decode(d.data) });
  }) as never);
  const sctpOf = (t: FakeTransport, router: RouterData, peer: () => TransportSctp | undefined) =>
    new TransportSctp(
      {
        id: t.id,
        isPipe: t.isPipe,
        dataProducers: t.dataProducers,
        dataConsumers: t.dataConsumers,
        onDataProducerMessage: (dp: DataProducer, m: DataMessage) => router.onProducerMessage(dp, m),
      },
      PARAMS,
      (packet) => setImmediate(() => peer()?.handle(packet)),
      noop,
    );
  pipe1.sctp = sctpOf(pipe1, router1, () => pipe2.sctp);
  pipe2.sctp = sctpOf(pipe2, router2, () => pipe1.sctp);
  opened.push(pipe1.sctp, pipe2.sctp);

  const base = { label: 'foo', protocol: 'bar', paused: false };
  router1.produce(src, { ...base, transportId: 'src', dataProducerId: 'dp', type: 'direct' });
  router1.consume(pipe1, {
    ...base,
    transportId: 'pipe1',
    dataConsumerId: 'pipeDc',
    dataProducerId: 'dp',
    type: 'sctp',
    sctpStreamParameters: { streamId: STREAM, ordered: true },
    subchannels: [],
  });
  router2.produce(pipe2, {
    ...base,
    transportId: 'pipe2',
    dataProducerId: 'dp',
    type: 'sctp',
    sctpStreamParameters: { streamId: STREAM, ordered: true },
  });
  const consume = (id: string, subchannels: number[]) =>
    router2.consume(dst, {
      ...base,
      transportId: 'dst',
      dataConsumerId: id,
      dataProducerId: 'dp',
      type: 'direct',
      subchannels,
    });
  const send = (text: string, m: Omit<DataMessage, 'ppid' | 'data'> = {}) =>
    router1.onProducerMessage(router1.producers.get('dp') as DataProducer, {
      ppid: 51,
      data: new TextEncoder().encode(text),
      ...m,
    });
  /** Resolves once `id` got `text` (every message sent before it is in by then: one ordered stream). */
  const until = async (id: string, text: string) => {
    for (let i = 0; i < 2000; i++) {
      if (delivered.some((d) => d.id === id && d.text === text)) return;
      await new Promise((r) => setImmediate(r));
    }
    throw new Error(`${id} never got ${text}`);
  };
  const pipeDc = () => router1.consumers.get('pipeDc')!;
  return { pipe1, pipe2, consume, send, until, delivered, pipeDc, router2 };
}

describe('subchannel metadata across a pipe', () => {
  it("applies mediasoup's filter at the far router, the pipe consumer filtering on its own subchannels only", async () => {
    const { pipe1, pipe2, consume, send, until, delivered, pipeDc } = setup();
    consume('final', [123, 666, 777]);
    // Sent before the handshake: queued, not lost (as in mediasoup 3.27's association).
    send('hello1', { subchannels: [123, 124], requiredSubchannel: 666 });
    pipe1.sctp?.connect();
    pipe2.sctp?.connect();
    pipeDc().subchannels = new Set([123, 124, 666]);
    send('hello2', { subchannels: [123], requiredSubchannel: 666 });
    send('hello3', { subchannels: [124], requiredSubchannel: 666 }); // passes the pipe, not the final consumer
    send('hello4', { subchannels: [125], requiredSubchannel: 666 }); // stopped at the pipe
    send('hello5', { subchannels: [123], ignoredSubchannel: 666 });
    send('hello6', { requiredSubchannel: 123, ignoredSubchannel: 777 });
    send('bye');
    await until('final', 'bye');
    expect(delivered.map((d) => d.text)).toEqual(['hello1', 'hello2', 'bye']);
    // hello4 never left router 1; the others crossed, with their headers counted as sent bytes.
    expect(pipeDc().messagesSent).toBe(6);
  });

  it('lets an ignored subchannel through the pipe so only the final subscriber to it is skipped', async () => {
    const { pipe1, pipe2, consume, send, until, delivered, pipeDc } = setup();
    pipe1.sctp?.connect();
    pipe2.sctp?.connect();
    consume('dc1', [111]);
    consume('dc2', [222]);
    pipeDc().subchannels = new Set([111, 222]);
    send('hello1', { ignoredSubchannel: 111 });
    send('bye');
    await until('dc1', 'bye');
    await until('dc2', 'bye');
    expect(delivered.filter((d) => d.id === 'dc1').map((d) => d.text)).toEqual(['bye']);
    expect(delivered.filter((d) => d.id === 'dc2').map((d) => d.text)).toEqual(['hello1', 'bye']);
  });

  it('delivers a message without the token as it is and drops and counts a truncated header', async () => {
    const { pipe1, pipe2, consume, until, delivered } = setup();
    pipe1.sctp?.connect();
    pipe2.sctp?.connect();
    consume('final', []);
    const raw = (hex: string) => pipe1.sctp!.association.sendMessage(STREAM, 53, Buffer.from(hex, 'hex'));
    raw('a5f09cb3d6e1f28c0003' + '0001'); // announces three subchannels, carries one
    raw('a5f09cb3d6e1f28e0000'); // R flag, no requiredSubchannel
    raw('68656c6c6f'); // "hello", no header
    await until('final', 'hello');
    expect(delivered.map((d) => d.text)).toEqual(['hello']);
    expect(pipe2.sctp?.malformedSubchannelHeaders).toBe(2);
  });
});
