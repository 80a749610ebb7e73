/**
 * The soak's room: an SFU in this process (one worker, one Router, one WebRtcServer on the
 * default I/O-thread path) and 4 participants whose endpoints live in the `clients` process.
 * Each participant sends audio + video on its send transport and consumes the 3 others on its
 * receive transport; `rejoin()` closes a participant (transports → producers → every consumer of
 * them) and brings it back with new transports, endpoints and SSRCs — the close paths a soak exists for.
 */
import type {
  Consumer,
  DtlsParameters,
  Producer,
  Router,
  WebRtcServer,
  WebRtcTransport,
  Worker,
} from '@tsfu/sfu';
import { createWorker } from '@tsfu/sfu';
import type { IceDtlsInfo } from './load-client.js';
import type { Proc } from './load-common.js';
import { producerParameters, type StreamSpec } from './load-procs.js';

export const PARTICIPANTS = 4;
/** Opus-like: 50 packets/s of 100 B. */
const AUDIO = { size: 100, pps: 50 };
/** VP8-like: 50 packets/s of 1000 B (400 kbit/s, ~30 fps at 1–2 packets a frame), a keyframe every 2 s. */
const VIDEO = { size: 1000, pps: 50, keyframeEveryMs: 2000 };

interface Participant {
  send: WebRtcTransport;
  recv: WebRtcTransport;
  sendEp: number;
  recvEp: number;
  audioSsrc: number;
  videoSsrc: number;
  producers: Producer[];
  /** Consumers on `recv` (those of a participant who left are closed by their producer). */
  consumers: Consumer[];
}

function info(t: WebRtcTransport): IceDtlsInfo {
  return {
    iceParameters: t.iceParameters,
    iceCandidates: t.iceCandidates,
    dtlsParameters: t.dtlsParameters,
  } as IceDtlsInfo;
}

export class SoakRoom {
  private readonly slots: Array<Participant | undefined> = [];
  private nextSsrc = 0x2000;
  private constructor(
    readonly worker: Worker,
    readonly router: Router,
    private readonly server: WebRtcServer,
    private readonly clients: Proc,
    private readonly fingerprint: { algorithm: string; value: string },
  ) {}

  static async create(clients: Proc): Promise<SoakRoom> {
    const worker = await createWorker({ logLevel: 'warn' });
    const router = await worker.createRouter({
      mediaCodecs: [
        { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
        { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
      ],
    });
    const server = await worker.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }],
    });
    const fp = await clients.call<{ algorithm: string; value: string }>('fingerprint');
    const room = new SoakRoom(worker, router, server, clients, fp);
    for (let p = 0; p < PARTICIPANTS; p++) await room.join(p);
    return room;
  }

  private async join(slot: number): Promise<void> {
    const send = await this.router.createWebRtcTransport({ webRtcServer: this.server });
    const recv = await this.router.createWebRtcTransport({ webRtcServer: this.server });
    const [a, b] = await this.clients.call<Array<{ id: number }>>('create', { count: 2 });
    const dtlsParameters = { role: 'client', fingerprints: [this.fingerprint] } as DtlsParameters;
    await Promise.all([send.connect({ dtlsParameters }), recv.connect({ dtlsParameters })]);
    await this.clients.call('connect', {
      pairs: [
        { id: a.id, info: info(send) },
        { id: b.id, info: info(recv) },
      ],
      profile: 'AEAD_AES_128_GCM',
    });
    const audioSsrc = this.nextSsrc++;
    const videoSsrc = this.nextSsrc++;
    const producers = [
      await send.produce({ kind: 'audio', rtpParameters: producerParameters('audio', audioSsrc) }),
      await send.produce({ kind: 'video', rtpParameters: producerParameters('video', videoSsrc) }),
    ];
    const me: Participant = {
      send,
      recv,
      sendEp: a.id,
      recvEp: b.id,
      audioSsrc,
      videoSsrc,
      producers,
      consumers: [],
    };
    const caps = this.router.rtpCapabilities;
    for (const other of this.slots) {
      if (!other) continue;
      for (const producer of other.producers)
        me.consumers.push(await recv.consume({ producerId: producer.id, rtpCapabilities: caps }));
      for (const producer of producers)
        other.consumers.push(await other.recv.consume({ producerId: producer.id, rtpCapabilities: caps }));
    }
    this.slots[slot] = me;
  }

  /** One participant leaves (its transports close, and with them its producers and their consumers) and rejoins. */
  async rejoin(slot: number): Promise<void> {
    const p = this.slots[slot]!;
    this.slots[slot] = undefined;
    p.send.close();
    p.recv.close();
    for (const q of this.slots) if (q) q.consumers = q.consumers.filter((c) => !c.closed);
    await this.clients.call('close', { ids: [p.sendEp, p.recvEp] });
    await this.join(slot);
  }

  /** What the clients process sends (each stream to 3 receivers) and the endpoints it counts on. */
  load(): { streams: StreamSpec[]; receivers: number[] } {
    const streams: StreamSpec[] = [];
    const receivers: number[] = [];
    for (const p of this.slots) {
      if (!p) continue;
      const receiversOfEach = PARTICIPANTS - 1;
      streams.push({
        sender: p.sendEp,
        ssrc: p.audioSsrc,
        kind: 'audio',
        ...AUDIO,
        receivers: receiversOfEach,
      });
      streams.push({
        sender: p.sendEp,
        ssrc: p.videoSsrc,
        kind: 'video',
        ...VIDEO,
        receivers: receiversOfEach,
      });
      receivers.push(p.recvEp);
    }
    return { streams, receivers };
  }

  /** Open consumers and the packets they sent (their `getStats()` packetCount), open transports and producers. */
  async counts(): Promise<{
    consumers: number;
    consumerPackets: number;
    retxMiB: number;
    transports: number;
    producers: number;
  }> {
    let consumers = 0;
    let consumerPackets = 0;
    let retxBytes = 0;
    for (const p of this.slots) {
      if (!p) continue;
      for (const t of [p.send, p.recv]) {
        const [s] = await t.getStats();
        retxBytes += s.tsfuCounters?.retransmissionBufferBytes ?? 0;
      }
      for (const c of p.consumers) {
        if (c.closed) continue;
        consumers++;
        for (const s of await c.getStats()) if (s.type === 'outbound-rtp') consumerPackets += s.packetCount;
      }
    }
    const d = await this.router.dump();
    return {
      consumers,
      consumerPackets,
      retxMiB: retxBytes / 2 ** 20,
      transports: d.transportIds.length,
      producers: d.mapProducerIdConsumerIds.length,
    };
  }

  close(): void {
    this.worker.close();
  }
}
