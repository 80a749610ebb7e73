/**
 * The receive path of the shared port: 1200-byte RTP-looking datagrams from a
 * client socket whose tuple a transport's ICE agent validated, through the
 * I/O thread (tuple lookup), the packet ring and the worker thread (dispatch
 * by tuple id, copy, transport), against the floor: the same datagrams to a
 * plain `dgram` socket on a thread of its own that only counts them.
 *
 * A driver thread sends in bursts of 32 and waits until the burst was
 * consumed (the worker released it from the ring / the plain receiver counted
 * it) before the next, so no case can look fast by queueing or by dropping.
 * One op = one datagram sent and consumed. SRTP is not in this path (no DTLS
 * here: the worker counts the packets as RTP before keys) — `srtp.ts`
 * measures the crypto.
 *
 *   pnpm exec tsc -b bench && node bench/dist/sfu-io.js
 */
import { createSocket, type Socket } from 'node:dgram';
import { isMainThread, parentPort, Worker as Thread, workerData } from 'node:worker_threads';
import { StunAttr, StunClass, StunMessageWriter, StunMethod } from '@tsfu/ice-lite';
import { createWorker } from '@tsfu/sfu';
import { PacketRingReader } from '@tsfu/sfu/internal';
import { type BenchCase, runSuite, saveResults } from './harness.js';

const PACKET_SIZE = 1200;
const BURST = 32;
const BURST_TIMEOUT_MS = 200;

// Control words shared by the bench, the driver and the plain receiver.
const CMD = 0; // 0 idle, 1 plain, 2 tsfu, 3 stop
const COUNT = 1; // datagrams to send for the command
const DONE = 2; // bumped by the driver when a command finished
const RECEIVED = 3; // datagrams the plain receiver counted
const LOST = 4; // bursts that timed out (datagrams lost somewhere)
const PLAIN_PORT = 5;

interface DriverInit {
  role: 'driver';
  ctl: Int32Array;
  toWorker: SharedArrayBuffer;
  sharedPort: number;
  ufrag: string;
  password: string;
}

interface ReceiverInit {
  role: 'receiver';
  ctl: Int32Array;
}

function stunCheck(ufrag: string, password: string): Buffer {
  const w = new StunMessageWriter(Buffer.alloc(548));
  w.begin(StunMethod.Binding, StunClass.Request)
    .addString(StunAttr.Username, `${ufrag}:bench`)
    .addUint32(StunAttr.Priority, 1853824767)
    .addUint64(StunAttr.IceControlling, 1n)
    .addFlag(StunAttr.UseCandidate)
    .addIntegrity(Buffer.from(password))
    .addFingerprint();
  return Buffer.from(w.toBuffer());
}

async function receiverMain({ ctl }: ReceiverInit): Promise<void> {
  const sock = createSocket('udp4');
  sock.on('message', () => {
    Atomics.add(ctl, RECEIVED, 1);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  Atomics.store(ctl, PLAIN_PORT, sock.address().port);
  parentPort?.postMessage('ready');
  parentPort?.on('message', () => sock.close());
}

function sendAll(sock: Socket, packet: Buffer, n: number, port: number): Promise<void> {
  return new Promise((resolve) => {
    let left = n;
    const done = () => {
      if (--left === 0) resolve();
    };
    for (let i = 0; i < n; i++) sock.send(packet, port, '127.0.0.1', done);
  });
}

// bench/tsconfig's lib predates ES2024's Atomics.waitAsync (Node 20 has it).
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

const tick = () => new Promise<void>((r) => setImmediate(r));

async function driverMain(init: DriverInit): Promise<void> {
  const { ctl } = init;
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  // ICE: one signed check with USE-CANDIDATE makes this socket's tuple the transport's selected one.
  const answered = new Promise<void>((r) => sock.once('message', () => r()));
  sock.send(stunCheck(init.ufrag, init.password), init.sharedPort, '127.0.0.1');
  await answered;
  // Reads the I/O → worker ring's counters only (written by the I/O thread, released by the worker).
  const ring = new PacketRingReader(init.toWorker);
  const packet = Buffer.alloc(PACKET_SIZE, 0x55);
  packet[0] = 0x80; // RTP version 2
  packet[1] = 111;
  parentPort?.postMessage('ready');

  for (;;) {
    const wait = waitAsync(ctl, CMD, 0);
    if (wait.async) await wait.value;
    const cmd = Atomics.load(ctl, CMD);
    if (cmd === 3) break;
    const n = Atomics.load(ctl, COUNT);
    const tsfu = cmd === 2;
    const port = tsfu ? init.sharedPort : Atomics.load(ctl, PLAIN_PORT);
    for (let sent = 0; sent < n; ) {
      const burst = Math.min(BURST, n - sent);
      const before = tsfu ? ring.stats().written : Atomics.load(ctl, RECEIVED);
      await sendAll(sock, packet, burst, port);
      sent += burst;
      const start = Date.now();
      for (;;) {
        const consumed = tsfu
          ? (() => {
              const s = ring.stats();
              return s.usedBytes === 0 ? s.written - before : 0;
            })()
          : Atomics.load(ctl, RECEIVED) - before;
        if (consumed >= burst) break;
        if (Date.now() - start > BURST_TIMEOUT_MS) {
          Atomics.add(ctl, LOST, 1);
          break;
        }
        await tick();
      }
    }
    Atomics.store(ctl, CMD, 0);
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
  sock.close();
}

async function main(): Promise<void> {
  const ctl = new Int32Array(new SharedArrayBuffer(64));
  const worker = await createWorker();
  const server = await worker.createWebRtcServer({
    listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }],
  });
  const sharedPort = (await server.dump()).udpSockets[0].port;
  const router = await worker.createRouter();
  const transport = await router.createWebRtcTransport({ webRtcServer: server, iceConsentTimeout: 255 });
  const rings = worker.ioRingsForTesting;
  if (!rings) throw new Error('no rings');

  const self = new URL(import.meta.url);
  const receiver = new Thread(self, { workerData: { role: 'receiver', ctl } satisfies ReceiverInit });
  await new Promise((r) => receiver.once('message', r));
  const driver = new Thread(self, {
    workerData: {
      role: 'driver',
      ctl,
      toWorker: rings.toWorker,
      sharedPort,
      ufrag: transport.iceParameters.usernameFragment,
      password: transport.iceParameters.password,
    } satisfies DriverInit,
  });
  await new Promise((r) => driver.once('message', r));
  while (transport.iceState !== 'completed') await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100)); // the tuple's bind reaches the I/O thread

  const command = (cmd: number, n: number): void => {
    const done = Atomics.load(ctl, DONE);
    Atomics.store(ctl, COUNT, n);
    Atomics.store(ctl, CMD, cmd);
    Atomics.notify(ctl, CMD);
    while (Atomics.load(ctl, DONE) === done) Atomics.wait(ctl, DONE, done, 1000);
  };

  const cases: BenchCase[] = [
    {
      name: 'plain dgram socket on its own thread (floor, baseline)',
      baseline: true,
      run: (n) => command(1, n),
    },
    { name: 'shared port → I/O thread → ring → worker → transport', run: (n) => command(2, n) },
  ];
  const results = runSuite(
    'sfu-io: 1200-byte datagrams in, bursts of 32 (one op = one datagram consumed)',
    cases,
    {
      rounds: 9,
      roundMs: 150,
      maxMs: 15_000,
    },
  );
  const [stats] = await transport.getStats();
  const lostBursts = Atomics.load(ctl, LOST);
  console.log(
    `worker counted ${stats.tsfuCounters.rtpBeforeKeys} packets from the tuple; bursts that timed out: ${lostBursts}`,
  );
  console.log(`saved ${saveResults('sfu-io', { results, lostBursts })}`);
  Atomics.store(ctl, CMD, 3);
  Atomics.notify(ctl, CMD);
  receiver.postMessage('stop');
  await new Promise((r) => setTimeout(r, 50));
  await receiver.terminate();
  await driver.terminate();
  worker.close();
}

if (isMainThread) await main();
else if ((workerData as DriverInit | ReceiverInit).role === 'driver')
  await driverMain(workerData as DriverInit);
else await receiverMain(workerData as ReceiverInit);
