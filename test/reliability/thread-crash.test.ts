/**
 * Thread crashes mid-media (issue 17): audio flows through two rooms, one per
 * worker, both workers sharing one WebRtcServer port; then
 * 1. one worker thread crashes (`worker.crashForTesting()`): it emits `died`
 *    with an Error and mediasoup's worker-death cascade reaches its producer
 *    and consumer too; its clients stop receiving while the other worker's
 *    room keeps forwarding on the same port; the dead room's clients, still
 *    sending, are dropped and counted by the I/O thread; nothing escapes;
 * 2. the I/O thread crashes (`crashIoThreadForTesting()`) while the surviving
 *    room forwards: its worker dies, media stops, and a new worker on the same
 *    port carries media again while the old clients' packets are dropped and
 *    counted there. (test/sfu/io-thread-death.test.ts has the cascade, the
 *    refusal without the opt-in and the process exiting cleanly; not repeated.)
 * Imports the built package (`pnpm build` first).
 */
import * as sfu from '@tsfu/sfu';
import { ALLOW_CRASH_FOR_TESTING_ENV, crashIoThreadForTesting } from '@tsfu/sfu/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { MEDIA_CODECS, opusProducerParameters, rtp, waitFor } from '../sfu/media-rig.js';
import { connectServerPeer, type ServerPeer } from '../sfu/server-peer.js';

// Read when the I/O thread starts (the first createWorker below).
process.env[ALLOW_CRASH_FOR_TESTING_ENV] = '1';

const escaped: unknown[] = [];
const onEscaped = (e: unknown) => escaped.push(e);
process.on('unhandledRejection', onEscaped);
process.on('uncaughtException', onEscaped);

const workers: sfu.Worker[] = [];
const peers: ServerPeer[] = [];
const pumps: NodeJS.Timeout[] = [];

afterAll(() => {
  for (const t of pumps) clearInterval(t);
  for (const p of peers) p.client.close();
  for (const w of workers) w.close();
  process.off('unhandledRejection', onEscaped);
  process.off('uncaughtException', onEscaped);
});

async function newWorker(): Promise<sfu.Worker> {
  const w = await sfu.createWorker({ logLevel: 'error' });
  workers.push(w);
  return w;
}

/** A room on one worker: audio from `from` to `to`. */
interface Room {
  router: sfu.Router;
  from: ServerPeer;
  to: ServerPeer;
  producer: sfu.Producer;
  consumer: sfu.Consumer;
  sent: () => number;
  received: () => number;
}

let nextSsrc = 0x9000;

/** Starts a room whose client sends one packet per 10 ms, for at most 60 s (stopped in afterAll). */
async function startRoom(worker: sfu.Worker, server: sfu.WebRtcServer): Promise<Room> {
  const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  const from = await connectServerPeer(router, server);
  const to = await connectServerPeer(router, server);
  peers.push(from, to);
  const ssrc = nextSsrc++;
  const producer = await from.transport.produce({
    kind: 'audio',
    rtpParameters: opusProducerParameters('0', ssrc),
  });
  const consumer = await to.transport.consume({
    producerId: producer.id,
    rtpCapabilities: router.rtpCapabilities,
  });
  let seq = 0;
  const pump = setInterval(() => {
    if (seq >= 6_000) return clearInterval(pump);
    from.client.sendRtp(
      rtp({ ssrc, payloadType: 111, seq: seq++, ts: seq * 960, payload: Buffer.alloc(20, 1) }),
    );
  }, 10);
  pumps.push(pump);
  const room = {
    router,
    from,
    to,
    producer,
    consumer,
    sent: () => seq,
    received: () => to.client.counters.rtpReceived,
  };
  await waitFor(() => room.received() >= 5, 10_000, 'media flowing');
  return room;
}

/** Waits until `room` received `n` more packets. */
const receivesMore = (room: Room, n: number, what: string) => {
  const start = room.received();
  return waitFor(() => room.received() >= start + n, 10_000, what);
};

/** Waits until `room`'s client sent `n` more packets (time passing, measured in the pump's ticks). */
const sendsMore = (room: Room, n: number) => {
  const start = room.sent();
  return waitFor(() => room.sent() >= start + n, 10_000, `${n} more packets sent`);
};

function record(
  events: string[],
  name: string,
  emitter: { on(e: string, fn: () => void): unknown },
  e: string,
) {
  emitter.on(e, () => events.push(`${name} ${e}`));
}

describe('thread crashes mid-media', () => {
  let b: sfu.Worker;
  let roomB: Room;
  let udpPort = 0;

  it('a worker crashes: died with an Error, its objects close, the other worker on the same port keeps forwarding', async () => {
    const a = await newWorker();
    b = await newWorker();
    const sa = await a.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }] });
    udpPort = (await sa.dump()).udpSockets[0].port;
    const sb = await b.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: udpPort }],
    });
    const roomA = await startRoom(a, sa);
    roomB = await startRoom(b, sb);

    const events: string[] = [];
    record(events, 'producer', roomA.producer, 'transportclose');
    record(events, 'producer observer', roomA.producer.observer, 'close');
    record(events, 'consumer', roomA.consumer, 'transportclose');
    record(events, 'consumer observer', roomA.consumer.observer, 'close');
    record(events, 'transport', roomA.from.transport, 'routerclose');
    record(events, 'transport observer', roomA.from.transport.observer, 'close');
    record(events, 'router', roomA.router, 'workerclose');
    record(events, 'router observer', roomA.router.observer, 'close');
    record(events, 'server', sa, 'workerclose');
    record(events, 'server observer', sa.observer, 'close');
    record(events, 'worker', a, 'subprocessclose');
    record(events, 'worker observer', a.observer, 'close');
    const died = new Promise<Error>((r) => a.once('died', r));
    const closed = new Promise<void>((r) => a.once('subprocessclose', r));
    const before = await sb.getIoCounters();

    await a.crashForTesting();
    const error = await died;
    await closed;

    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/crashForTesting/);
    expect([a.died, a.closed, b.died, b.closed]).toEqual([true, true, false, false]);
    expect(events).toEqual([
      'producer transportclose',
      'producer observer close',
      'transport routerclose',
      'transport observer close',
      'consumer transportclose',
      'consumer observer close',
      'router workerclose',
      'router observer close',
      'server workerclose',
      'server observer close',
      'worker subprocessclose',
      'worker observer close',
    ]);
    for (const o of [
      roomA.router,
      roomA.producer,
      roomA.consumer,
      roomA.from.transport,
      roomA.to.transport,
      sa,
    ])
      expect(o.closed).toBe(true);
    await expect(roomA.producer.getStats()).rejects.toThrow();

    // Room A's media stopped (once in-flight packets are through); room B's keeps flowing on the same port.
    await receivesMore(roomB, 5, 'room B media after the crash');
    const stoppedAt = roomA.received();
    await receivesMore(roomB, 30, 'more room B media');
    expect(roomA.received()).toBe(stoppedAt);
    expect(roomA.sent()).toBeGreaterThan(0);
    // Room A's client still sends to the shared port: dropped and counted, its tuples are gone.
    const after = await sb.getIoCounters();
    expect(after.droppedUnknownTuple).toBeGreaterThan(before.droppedUnknownTuple);
    expect([after.tuples, after.ufrags, after.sockets]).toEqual([2, 2, 1]);
    expect((await b.dump()).routerIds).toEqual([roomB.router.id]);
    expect(escaped).toEqual([]);
  }, 60_000);

  it('the I/O thread crashes: the worker dies, media stops; a new worker on the same port forwards again', async () => {
    expect(roomB?.received()).toBeGreaterThan(0);
    const died = new Promise<Error>((r) => b.once('died', r));
    await crashIoThreadForTesting();
    const error = await died;
    expect(error.message).toMatch(/^I\/O thread died .*crashIoThreadForTesting/);
    expect([b.died, roomB.router.closed, roomB.producer.closed, roomB.consumer.closed]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    // Nothing arrives any more (once in-flight packets are through) while room B's client keeps
    // sending into the dead port.
    await sendsMore(roomB, 5);
    const stoppedAt = roomB.received();
    await sendsMore(roomB, 30);
    expect(roomB.received()).toBe(stoppedAt);

    // A new worker starts a new I/O thread; the old port is free again.
    const c = await newWorker();
    const sc = await c.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: udpPort }],
    });
    const roomC = await startRoom(c, sc);
    await receivesMore(roomC, 20, 'room C media');
    // The old rooms' clients still send to that port: unknown tuples there, dropped and counted.
    const io = await sc.getIoCounters();
    expect(io.droppedUnknownTuple).toBeGreaterThan(0);
    expect([io.tuples, io.ufrags, io.sockets]).toEqual([2, 2, 1]);
    expect(roomB.received()).toBe(stoppedAt);
    expect(escaped).toEqual([]);
  }, 60_000);
});
