/**
 * The shared-port flood with a live session: a WebRtcServer's UDP port gets
 * 50,000 datagrams no ICE agent validated — random bytes, STUN Binding
 * Requests for unknown ufrags, DTLS ClientHellos, RTP of unknown SSRCs — from
 * 64 source ports (127.0.0.1 and, where the OS routes them, 127.0.0.2–4)
 * while a synthetic client's audio flows through the SFU to another.
 *
 * The flood is paced by the server, not by a clock: at most FLIGHT datagrams
 * are outstanding (sent but neither counted by the I/O thread nor dropped by
 * the kernel), so the test floods as fast as this machine lets the I/O thread
 * read, and never waits a fixed time. `bench/src/flood.ts` measures the
 * open-loop case (fixed rates, kernel drops, buffer sizes).
 */
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { parseRtpPacket, serializeRtpPacket } from '@tsfu/rtp';
import {
  createWorker,
  type IoCounters,
  type Router,
  type WebRtcServer,
  type WebRtcTransport,
  type Worker,
} from '@tsfu/sfu';
import { floodDatagrams, SyntheticWebRtcClient } from '@tsfu/sfu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FLOOD = 50_000;
const SOURCES = 64;
const BATCH = 250;
/** Outstanding datagrams at most: well inside even a stock kernel's receive buffer. */
const FLIGHT = 2 * BATCH;
const SSRC = 0x0f10_0d00;
const MEDIA_PPS = 500;

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Kernel receive-buffer drops of the IPv4 socket bound to 127.0.0.1:`port` (0 where /proc is absent). */
function kernelDrops(port: number): number {
  if (!existsSync('/proc/net/udp')) return 0;
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let n = 0;
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[2] === '00000000:0000') n += Number(f[f.length - 1]);
  }
  return n;
}

async function bindSource(address: string): Promise<Socket | undefined> {
  const s = createSocket('udp4');
  s.on('error', () => {});
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, address, () => resolve());
    });
    return s;
  } catch {
    s.close();
    return undefined;
  }
}

let worker: Worker;
let router: Router;
let server: WebRtcServer;
let port: number;
const clients: SyntheticWebRtcClient[] = [];
const sources: Socket[] = [];

async function connectClient(): Promise<{ transport: WebRtcTransport; client: SyntheticWebRtcClient }> {
  const transport = await router.createWebRtcTransport({ webRtcServer: server });
  const client = await SyntheticWebRtcClient.create();
  clients.push(client);
  await transport.connect({ dtlsParameters: client.dtlsParameters });
  await client.connect(transport);
  await until(() => transport.dtlsState === 'connected', 5000, 'server DTLS');
  return { transport, client };
}

/** What must not change under the flood. */
async function serverState(transports: WebRtcTransport[]) {
  const io = await server.getIoCounters();
  const dump = await server.dump();
  return {
    io: { tuples: io.tuples, ufrags: io.ufrags, sockets: io.sockets, tcpConnections: io.tcpConnections },
    routedByUfrag: io.routedByUfrag,
    transportIds: [...dump.webRtcTransportIds].sort(),
    ufrags: dump.localIceUsernameFragments.length,
    routerTransports: (await router.dump()).transportIds.length,
    transports: transports.map((t) => ({
      ice: t.iceState,
      tuple: t.iceSelectedTuple,
      dtls: t.dtlsState,
    })),
    worker: (await worker.dump()).tsfuCounters.packetsForUnknownTuple,
  };
}

beforeAll(async () => {
  worker = await createWorker({ logLevel: 'warn' });
  router = await worker.createRouter({
    mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
  });
  server = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }] });
  port = (await server.dump()).udpSockets[0].port;
  for (let i = 0; i < SOURCES; i++) {
    // Other loopback addresses where the OS has them (Linux), else more ports on 127.0.0.1.
    const s =
      (i % 4 !== 0 && (await bindSource(`127.0.0.${1 + (i % 4)}`))) || (await bindSource('127.0.0.1'));
    if (s) sources.push(s);
  }
});

afterAll(() => {
  for (const c of clients) c.close();
  for (const s of sources) s.close();
  worker?.close();
});

describe('shared UDP port flood with a live session', () => {
  it('50k unknown datagrams: media keeps flowing, server state unchanged, every datagram dropped and counted', async () => {
    const a = await connectClient();
    const b = await connectClient();
    const producer = await a.transport.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: SSRC }],
      },
    });
    await b.transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
    // This thread floods too: room for its stalls (its drops are read and allowed for below).
    b.client.socket.setRecvBufferSize(4 * 1024 * 1024);

    // Audio at MEDIA_PPS by the clock, from a 2 ms timer and between flood batches (which would
    // otherwise starve the timer), to the end of the test.
    let seq = 0;
    const sentSeqs: number[] = [];
    const receivedSeqs = new Set<number>();
    // Each payload starts with its sender's sequence number (the SFU rewrites the header's).
    b.client.onRtp = (packet) => {
      const p = parseRtpPacket(packet);
      if (p && p.payload.length >= 4) receivedSeqs.add(Buffer.from(p.payload).readUInt32BE(0));
    };
    const mediaStart = performance.now();
    const payload = Buffer.alloc(200, 0x33);
    const pump = () => {
      const due = Math.floor(((performance.now() - mediaStart) * MEDIA_PPS) / 1000);
      for (let n = 0; seq < due && n < 20; n++) {
        seq++;
        payload.writeUInt32BE(seq, 0);
        const p = serializeRtpPacket({
          payloadType: 111,
          sequenceNumber: seq & 0xffff,
          timestamp: (seq * 96) >>> 0,
          ssrc: SSRC,
          payload,
        });
        if (a.client.sendRtp(Buffer.from(p))) sentSeqs.push(seq);
      }
      seq = Math.max(seq, due - 20); // a long stall is skipped, not sent as a burst
    };
    const media = setInterval(pump, 2);
    try {
      await until(() => b.client.counters.rtpReceived >= 20, 5000, 'media before the flood');
      const before = await serverState([a.transport, b.transport]);
      expect(before.io.tuples).toBe(2);
      expect(before.transportIds).toHaveLength(2);
      const io0 = await server.getIoCounters();
      const drops0 = kernelDrops(port);
      const consumerPort = b.client.socket.address().port;
      const consumerDrops0 = kernelDrops(consumerPort);

      // The flood, at most FLIGHT datagrams outstanding.
      const datagrams = floodDatagrams(32);
      const sentBefore = a.client.counters.rtpSent;
      const receivedBefore = b.client.counters.rtpReceived;
      let io: IoCounters = io0;
      let sent = 0;
      const accounted = () => io.droppedUnknownTuple - io0.droppedUnknownTuple + kernelDrops(port) - drops0;
      const floodStart = Date.now();
      const firstSeqIndex = sentSeqs.length;
      while (sent < FLOOD) {
        pump();
        for (let i = 0; i < BATCH && sent < FLOOD; i++, sent++) {
          sources[sent % sources.length].send(datagrams[sent % datagrams.length], port, '127.0.0.1');
        }
        await until(
          async () => {
            io = await server.getIoCounters();
            return sent - accounted() <= FLIGHT;
          },
          10_000,
          `the server to take the flood (${sent} sent)`,
        );
      }
      await until(
        async () => {
          io = await server.getIoCounters();
          return accounted() >= FLOOD;
        },
        5000,
        'the last flood datagrams',
      );
      const floodMs = Date.now() - floodStart;
      const sentDuring = a.client.counters.rtpSent - sentBefore;
      const seqsDuring = sentSeqs.slice(firstSeqIndex);
      const receivedDuring = b.client.counters.rtpReceived - receivedBefore;

      // Media after the flood: 50 packets sent after it arrive.
      const lastSeqDuring = seq;
      const arrivedAfter = () => [...receivedSeqs].filter((q) => q > lastSeqDuring).length;
      await until(() => arrivedAfter() >= 50, 5000, 'media after the flood');
      // And what was sent during the flood arrives (a loaded machine delays it, the flood's backlog
      // included), but for what a kernel buffer dropped — the shared port's (none while the flood is
      // paced) and the consumer's (this thread is busy): the SFU loses none of it. 2 % of slack.
      const arrived = () => seqsDuring.filter((q) => receivedSeqs.has(q)).length;
      const mustArrive = () =>
        Math.floor(seqsDuring.length * 0.98) -
        (kernelDrops(port) - drops0) -
        (kernelDrops(consumerPort) - consumerDrops0);
      await until(() => arrived() >= mustArrive(), 5000, 'the media sent during the flood').catch((e) => {
        throw new Error(
          `${(e as Error).message}: ${arrived()} of ${seqsDuring.length} arrived, need ${mustArrive()}`,
        );
      });

      const after = await serverState([a.transport, b.transport]);
      expect(after).toEqual(before);
      const kernel = kernelDrops(port) - drops0;
      const consumerDrops = kernelDrops(consumerPort) - consumerDrops0;
      const dropped = io.droppedUnknownTuple - io0.droppedUnknownTuple;
      // Every flood datagram was read and dropped as an unknown tuple, or dropped by the kernel;
      // the kernel may also have dropped some of the session's own packets (the same socket).
      expect(dropped).toBeLessThanOrEqual(FLOOD);
      expect(dropped + kernel).toBeGreaterThanOrEqual(FLOOD);
      expect(dropped + kernel).toBeLessThanOrEqual(FLOOD + sentDuring + 100);
      // With FLIGHT bounded the I/O thread reads nearly all of it: the counters carry the flood.
      expect(dropped).toBeGreaterThan(FLOOD * 0.9);
      expect(io.routedByUfrag - io0.routedByUfrag).toBe(0);
      console.log(
        `flood: ${FLOOD} datagrams in ${floodMs} ms; media sent ${sentDuring}, received ${receivedDuring} during it; ` +
          `I/O dropped ${dropped}, kernel dropped ${kernel}; the consumer's socket's kernel drops ${consumerDrops}`,
      );
      // During the flood the session kept flowing. Bound: a tenth of what was sent in the window
      // arrived in it (34–95 % seen at load average 13–16 on 2 cores: a loaded machine delays the
      // rest past the window's end, and the wait above shows it arrives).
      expect(receivedDuring).toBeGreaterThan(0);
      expect(receivedDuring).toBeGreaterThanOrEqual(Math.floor(sentDuring / 10));
      expect(b.client.counters.srtpFailures).toBe(0);
    } finally {
      clearInterval(media);
    }
  }, 20_000);
});
