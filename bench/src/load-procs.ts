/**
 * The processes of the fan-out/latency/rooms/scaling benchmark (`load.ts`
 * forks this file with a role): `sfu` (tsfu Worker(s), Router, WebRtcServer),
 * `relay-plain` (a `node:dgram` relay, the ceiling), `relay-werift` (a relay
 * using werift-rtp's SRTP), and `clients` (load generator + receivers).
 * Each answers `{ id, method, args }` over IPC with `{ id, result | error }`;
 * `usage` returns the process's own `process.cpuUsage()` (every thread) and RSS.
 */
import { createCipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { serializeRtpPacket } from '@tsfu/rtp';
import type {
  Consumer,
  Producer,
  Router,
  RtpParameters,
  WebRtcServer,
  WebRtcTransport,
  Worker,
} from '@tsfu/sfu';
import { createWorker } from '@tsfu/sfu';
import { RtpPacket, SrtpSession } from 'werift-rtp';
import { ownUdpDrops } from './flood-kernel.js';
import { bindSocket, type IceDtlsInfo, LoadEndpoint, nowUs, type SrtpKeys } from './load-client.js';

type Handler = (args: never) => unknown;

function serve(handlers: Record<string, Handler>): void {
  process.on('message', async (m: { id: number; method: string; args: unknown }) => {
    try {
      const result = await handlers[m.method](m.args as never);
      process.send!({ id: m.id, result });
    } catch (e) {
      process.send!({ id: m.id, error: String((e as Error)?.stack ?? e) });
    }
  });
}

function usage(): { cpuUs: number; rss: number; udpDrops?: number } {
  const u = process.cpuUsage();
  return { cpuUs: u.user + u.system, rss: process.memoryUsage().rss, udpDrops: ownUdpDrops() };
}

const gc = (globalThis as { gc?: () => void }).gc;

// ---- SFU ---------------------------------------------------------------------------------------

function sfuRole(): void {
  const workers: Worker[] = [];
  const routers: Router[] = [];
  const servers: WebRtcServer[] = [];
  /** Per worker, a second WebRtcServer (another shared port) without `tsfuConnectedUdp`: the I/O-thread path. */
  const ioServers: WebRtcServer[] = [];
  const transports = new Map<number, WebRtcTransport>();
  const producers = new Map<number, Producer>();
  const consumers = new Map<number, Consumer>();
  let nextId = 1;
  serve({
    usage: () => usage(),
    gcUsage: () => {
      gc?.();
      return usage();
    },
    init: async ({ workers: n }: { workers: number }) => {
      let port = 0;
      let ioPort = 0;
      for (let i = 0; i < n; i++) {
        const w = await createWorker({ logLevel: 'warn' });
        workers.push(w);
        routers.push(
          await w.createRouter({
            mediaCodecs: [
              { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
              { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
            ],
          }),
        );
        // The benchmark's tsfu: workers' own connected sockets carry media (tsfuConnectedUdp), unless
        // TSFU_BENCH_CONNECTED_UDP=0; `ioServers` keep the default I/O-thread path for comparison.
        const s = await w.createWebRtcServer({
          listenInfos: [
            {
              protocol: 'udp',
              ip: '127.0.0.1',
              port,
              tsfuConnectedUdp: process.env.TSFU_BENCH_CONNECTED_UDP !== '0',
              // TSFU_BENCH_RCVBUF=<bytes>: SO_RCVBUF of the sockets (A/B of the connected sockets' default).
              ...(process.env.TSFU_BENCH_RCVBUF
                ? { recvBufferSize: Number(process.env.TSFU_BENCH_RCVBUF) }
                : {}),
            },
          ],
        });
        servers.push(s);
        const io = await w.createWebRtcServer({
          listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: ioPort }],
        });
        ioServers.push(io);
        ioPort = (await io.dump()).udpSockets[0].port;
        if (port === 0) {
          // The first server's ephemeral port, which the next workers' servers share.
          const probe = await routers[0].createWebRtcTransport({ webRtcServer: s });
          port = probe.iceCandidates[0].port;
          probe.close();
        }
      }
      return { port };
    },
    createTransports: async ({
      worker,
      count,
      ioThread,
    }: {
      worker: number;
      count: number;
      ioThread?: boolean;
    }) => {
      const out: Array<{ id: number; info: IceDtlsInfo }> = [];
      for (let i = 0; i < count; i++) {
        const t = await routers[worker].createWebRtcTransport({
          webRtcServer: (ioThread ? ioServers : servers)[worker],
        });
        const id = nextId++;
        transports.set(id, t);
        out.push({
          id,
          info: {
            iceParameters: t.iceParameters,
            iceCandidates: t.iceCandidates,
            dtlsParameters: t.dtlsParameters,
          } as IceDtlsInfo,
        });
      }
      return out;
    },
    connect: async ({ ids, dtlsParameters }: { ids: number[]; dtlsParameters: never }) => {
      await Promise.all(ids.map((id) => transports.get(id)!.connect({ dtlsParameters })));
    },
    produce: async ({
      transport,
      kind,
      ssrc,
      twcc,
    }: {
      transport: number;
      kind: 'audio' | 'video';
      ssrc: number;
      /** The producer's packets carry the transport-wide sequence number (as a browser's). */
      twcc?: boolean;
    }) => {
      const p = await transports
        .get(transport)!
        .produce({ kind, rtpParameters: producerParameters(kind, ssrc, twcc) });
      const id = nextId++;
      producers.set(id, p);
      return id;
    },
    consume: async ({
      transport,
      producer,
      worker,
      noBwe,
    }: {
      transport: number;
      producer: number;
      worker: number;
      /** Consume without transport-cc (the client's capabilities lack it): no bandwidth estimation. */
      noBwe?: boolean;
    }) => {
      const caps = routers[worker].rtpCapabilities;
      const c = await transports.get(transport)!.consume({
        producerId: producers.get(producer)!.id,
        rtpCapabilities: noBwe
          ? {
              codecs: caps.codecs?.map((codec) => ({
                ...codec,
                rtcpFeedback: codec.rtcpFeedback?.filter((f) => f.type !== 'transport-cc'),
              })),
              headerExtensions: caps.headerExtensions?.filter((e) => e.uri !== TWCC_URI),
            }
          : caps,
      });
      const id = nextId++;
      consumers.set(id, c);
      return id;
    },
    /** The transport-cc extension id a consumer's packets carry (0: none). */
    consumerTwccExtId: ({ consumer }: { consumer: number }) =>
      consumers.get(consumer)!.rtpParameters.headerExtensions?.find((e) => e.uri === TWCC_URI)?.id ?? 0,
    closeConsumers: ({ ids }: { ids: number[] }) => {
      for (const id of ids) {
        consumers.get(id)?.close();
        consumers.delete(id);
      }
    },
    closeAll: () => {
      for (const t of transports.values()) t.close();
      transports.clear();
      producers.clear();
      consumers.clear();
    },
    dropCounters: async () => {
      // Every numeric `tsfuCounters` field summed over the transports.
      const sum: Record<string, number> = {};
      for (const t of transports.values()) {
        const [s] = await t.getStats();
        const c = (s.tsfuCounters ?? {}) as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(c)) if (typeof v === 'number') sum[k] = (sum[k] ?? 0) + v;
        // With BWE on, the estimate (it stays at the start bitrate when no feedback is processed).
        const a = (s as { availableOutgoingBitrate?: number }).availableOutgoingBitrate;
        if (a !== undefined)
          sum.maxAvailableOutgoingBitrate = Math.max(sum.maxAvailableOutgoingBitrate ?? 0, a);
      }
      return sum;
    },
    exit: () => {
      for (const w of workers) w.close();
      setTimeout(() => process.exit(0), 50);
    },
  });
}

/**
 * The least node:crypto work one forwarded SRTP-GCM packet needs: a fresh cipher per packet (a GCM
 * cipher object cannot be re-IV'd), AAD = the RTP header, one update over the payload, final,
 * tag. Returns the least of 7 bounded runs (300 ms or 20,000 packets, whichever first) in
 * CPU-µs per packet, from the `process.cpuUsage()` of its own process (role `bare-gcm`, which
 * does nothing else: the SFU process's worker threads would blur it).
 */
function bareGcmUsPerPacket(headerBytes: number, payloadBytes: number): number {
  const key: KeyObject = createSecretKey(randomBytes(16));
  const iv = randomBytes(12);
  const header = randomBytes(headerBytes);
  const payload = randomBytes(payloadBytes);
  let sink = 0;
  const encrypt = (i: number): void => {
    iv.writeUInt32BE(i >>> 0, 8); // a new IV per packet, as the SRTP packet index would give
    const c = createCipheriv('aes-128-gcm', key, iv);
    c.setAAD(header);
    sink += c.update(payload).length;
    c.final();
    sink += c.getAuthTag().length;
  };
  for (let i = 0; i < 2000; i++) encrypt(i); // warm-up (JIT), not measured
  const runs: number[] = [];
  // The least run, not the median: a floor is what the work costs undisturbed, and on a shared
  // 2-vCPU machine a busy sibling thread can double a run's CPU time.
  for (let run = 0; run < 7; run++) {
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    let n = 0;
    while (n < 20_000 && ((n & 255) !== 0 || performance.now() - t0 < 300)) encrypt(n++);
    const u1 = process.cpuUsage(u0);
    runs.push((u1.user + u1.system) / n);
  }
  if (sink === 0) throw new Error('unreachable');
  return Math.min(...runs);
}

export const MID_EXT_ID = 4;

/** The transport-cc extension id of the bench's producers when they send it (`twcc`). */
export const TWCC_EXT_ID = 5;
const TWCC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

export function producerParameters(kind: 'audio' | 'video', ssrc: number, twcc = false): RtpParameters {
  const codec =
    kind === 'video'
      ? {
          mimeType: 'video/VP8',
          payloadType: 96,
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
        }
      : { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 };
  return {
    mid: String(ssrc),
    codecs: [codec] as RtpParameters['codecs'],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' as const, id: MID_EXT_ID },
      ...(twcc ? [{ uri: TWCC_URI as never, id: TWCC_EXT_ID }] : []),
    ],
    encodings: [{ ssrc }],
    rtcp: { cname: `bench-${ssrc}` },
  };
}

// ---- relays (baselines) ------------------------------------------------------------------------

const WERIFT_PROFILE: Record<string, number> = { AES_CM_128_HMAC_SHA1_80: 1, AEAD_AES_128_GCM: 7 };

function relayRole(withSrtp: boolean): void {
  let socket: Socket | undefined;
  serve({
    usage: () => usage(),
    gcUsage: () => usage(),
    setup: async ({
      targets,
      recvKeys,
      sendKeys,
    }: {
      targets: number[];
      recvKeys?: SrtpKeys;
      sendKeys?: SrtpKeys[];
    }) => {
      socket?.close();
      const s = await bindSocket();
      socket = s;
      if (!withSrtp) {
        s.on('message', (msg) => {
          for (let i = 0; i < targets.length; i++) s.send(msg, targets[i], '127.0.0.1');
        });
      } else {
        const key = (k: SrtpKeys) => ({
          localMasterKey: Buffer.from(k.masterKey),
          localMasterSalt: Buffer.from(k.masterSalt),
          remoteMasterKey: Buffer.from(k.masterKey),
          remoteMasterSalt: Buffer.from(k.masterSalt),
        });
        const recv = new SrtpSession({
          keys: key(recvKeys!),
          profile: WERIFT_PROFILE[recvKeys!.profile] as never,
        });
        const sends = sendKeys!.map(
          (k) => new SrtpSession({ keys: key(k), profile: WERIFT_PROFILE[k.profile] as never }),
        );
        s.on('message', (msg) => {
          let pkt: RtpPacket;
          try {
            pkt = RtpPacket.deSerialize(recv.decrypt(msg));
          } catch {
            return;
          }
          for (let i = 0; i < targets.length; i++)
            s.send(sends[i].encrypt(pkt.payload, pkt.header), targets[i], '127.0.0.1');
        });
      }
      return { port: s.address().port };
    },
    exit: () => setTimeout(() => process.exit(0), 20),
  });
}

// ---- clients: load generator and receivers -----------------------------------------------------

export interface StreamSpec {
  sender: number;
  ssrc: number;
  kind: 'audio' | 'video';
  size: number;
  pps: number;
  /** Receiving endpoints that get a copy of each packet. */
  receivers: number;
  /** Video only: send a keyframe-flagged packet this often. */
  keyframeEveryMs?: number;
  /** Write the sender's transport-wide sequence number (extension `TWCC_EXT_ID`) into every packet. */
  twcc?: boolean;
}

export interface RunResult {
  sent: number;
  expected: number;
  received: number;
  /** Received by the end of sending + `IN_TIME_GRACE_MS` (the rest arrived during the drain). */
  receivedInTime: number;
  seconds: number;
  latencyUs: { p50: number; p99: number; p999: number; samples: number } | null;
}

/** How long after the last send a packet still counts as forwarded in time. */
export const IN_TIME_GRACE_MS = 50;

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function makePacket(s: StreamSpec): Buffer {
  const payload = Buffer.alloc(Math.max(16, s.size - 20), 0x5a);
  if (s.kind === 'video') {
    payload[0] = 0x90; // VP8 descriptor: X, S
    payload[1] = 0x80; // I
    payload[2] = 0x80;
    payload[3] = 0;
    payload[4] = 0x01; // inter frame (P = 1)
  }
  return serializeRtpPacket({
    payloadType: s.kind === 'video' ? 96 : 111,
    sequenceNumber: 0,
    timestamp: 0,
    ssrc: s.ssrc,
    extensions: [
      { id: MID_EXT_ID, value: Buffer.from(String(s.ssrc)) },
      ...(s.twcc ? [{ id: TWCC_EXT_ID, value: Buffer.alloc(2) }] : []),
    ],
    payload,
  });
}

function clientsRole(): void {
  const endpoints = new Map<number, LoadEndpoint>();
  const seqState = new Map<string, number>();
  let nextId = 1;
  serve({
    usage: () => usage(),
    gcUsage: () => usage(),
    fingerprint: () => LoadEndpoint.fingerprint(),
    create: async ({ count }: { count: number }) => {
      const out: Array<{ id: number; port: number }> = [];
      for (let i = 0; i < count; i++) {
        const e = await LoadEndpoint.create();
        const id = nextId++;
        endpoints.set(id, e);
        out.push({ id, port: e.port });
      }
      return out;
    },
    connect: async ({
      pairs,
      profile,
    }: {
      pairs: Array<{ id: number; info: IceDtlsInfo }>;
      profile: never;
    }) => {
      // A few at a time: DTLS handshakes are CPU-bound on both sides.
      for (let i = 0; i < pairs.length; i += 8) {
        await Promise.all(pairs.slice(i, i + 8).map((p) => endpoints.get(p.id)!.connect(p.info, profile)));
      }
    },
    plain: ({ ids, remotePort, keys }: { ids: number[]; remotePort?: number; keys?: SrtpKeys[] }) => {
      ids.forEach((id, i) => {
        const e = endpoints.get(id)!;
        if (remotePort !== undefined) e.remotePort = remotePort;
        if (keys) e.useKeys(keys[i]);
        else {
          e.srtpSend = undefined;
          e.srtpRecv = undefined;
        }
      });
    },
    closeAll: () => {
      for (const e of endpoints.values()) e.close();
      endpoints.clear();
    },
    /** Receivers send transport-cc feedback for extension `extId` (0: stop), like a browser. */
    transportCc: ({ ids, extId }: { ids: number[]; extId: number }) => {
      for (const id of ids) endpoints.get(id)!.sendTransportCc(extId);
    },
    /** Closes some endpoints (the soak's participant leaving). */
    close: ({ ids }: { ids: number[] }) => {
      for (const id of ids) {
        endpoints.get(id)?.close();
        endpoints.delete(id);
      }
    },
    run: async ({
      streams,
      receivers,
      durationMs,
      drainMs,
      sampleEvery,
    }: {
      streams: StreamSpec[];
      receivers: number[];
      durationMs: number;
      drainMs: number;
      sampleEvery: number;
    }): Promise<RunResult> => {
      const rx = receivers.map((id) => endpoints.get(id)!);
      const before = rx.map((e) => e.received);
      for (const e of rx) {
        e.samples.length = 0;
        e.sampleEvery = sampleEvery;
      }
      const packets = streams.map(makePacket);
      const sent = streams.map(() => 0);
      // Sequence numbers continue across runs: SRTP would drop a restart as replayed.
      const seqs = streams.map((s) => seqState.get(`${s.sender}:${s.ssrc}`) ?? 0);
      const lastKey = streams.map(() => -1e9);
      const senders = streams.map((s) => endpoints.get(s.sender)!);
      const twccAt = packets.map((p, i) =>
        streams[i].twcc ? LoadEndpoint.extensionOffset(p, TWCC_EXT_ID, 2) : -1,
      );
      const t0 = nowUs();
      await new Promise<void>((resolve) => {
        const tick = () => {
          const t = nowUs();
          const elapsed = Math.min(t - t0, durationMs * 1000);
          for (let i = 0; i < streams.length; i++) {
            const s = streams[i];
            const due = Math.floor((elapsed / 1e6) * s.pps) - sent[i];
            const p = packets[i];
            for (let k = 0; k < due; k++) {
              seqs[i] = (seqs[i] + 1) & 0xffff;
              p.writeUInt16BE(seqs[i], 2);
              p.writeUInt32BE((sent[i] * 3000) >>> 0, 4);
              if (s.kind === 'video') {
                const key = s.keyframeEveryMs !== undefined && t - lastKey[i] >= s.keyframeEveryMs * 1000;
                if (key) lastKey[i] = t;
                setKeyframe(p, key);
              }
              if (twccAt[i] >= 0) p.writeUInt16BE(senders[i].twccSendSeq++ & 0xffff, twccAt[i]);
              senders[i].sendRtp(p);
              sent[i]++;
            }
          }
          if (elapsed >= durationMs * 1000) resolve();
          else setTimeout(tick, 1);
        };
        tick();
      });
      for (let i = 0; i < streams.length; i++)
        seqState.set(`${streams[i].sender}:${streams[i].ssrc}`, seqs[i]);
      const seconds = (nowUs() - t0) / 1e6;
      // What arrived by the end of sending plus a short grace counts as forwarded in time; a
      // forwarder that only catches up during the drain was overloaded, not lossless.
      await new Promise((r) => setTimeout(r, IN_TIME_GRACE_MS));
      const receivedInTime = rx.reduce((a, e, i) => a + e.received - before[i], 0);
      await new Promise((r) => setTimeout(r, Math.max(0, drainMs - IN_TIME_GRACE_MS)));
      const received = rx.reduce((a, e, i) => a + e.received - before[i], 0);
      const expected = streams.reduce((a, s, i) => a + sent[i] * s.receivers, 0);
      const all = rx.flatMap((e) => e.samples).sort((a, b) => a - b);
      return {
        sent: sent.reduce((a, b) => a + b, 0),
        expected,
        received,
        receivedInTime,
        seconds,
        latencyUs:
          all.length === 0
            ? null
            : {
                p50: percentile(all, 0.5),
                p99: percentile(all, 0.99),
                p999: percentile(all, 0.999),
                samples: all.length,
              },
      };
    },
    exit: () => setTimeout(() => process.exit(0), 20),
  });
}

/** The VP8 payload header's P bit (0 = keyframe) sits 4 bytes into the payload (after X, I, 2-byte PictureID). */
function setKeyframe(p: Buffer, key: boolean): void {
  const payloadStart = 12 + 4 + (p.readUInt16BE(14) << 2);
  p[payloadStart + 4] = key ? 0x00 : 0x01;
}

const role = process.argv[2];
if (role === 'bare-gcm')
  serve({
    bareGcm: ({ headerBytes = 12, payloadBytes = 1188 }: { headerBytes?: number; payloadBytes?: number }) =>
      bareGcmUsPerPacket(headerBytes, payloadBytes),
    exit: () => setTimeout(() => process.exit(0), 20),
  });
else if (role === 'sfu') sfuRole();
else if (role === 'relay-plain') relayRole(false);
else if (role === 'relay-werift') relayRole(true);
else if (role === 'clients') clientsRole();
