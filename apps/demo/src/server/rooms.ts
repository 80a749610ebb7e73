/**
 * The workers and the rooms on them. A new room's router goes on the
 * least-loaded worker (fewest peers, then fewest rooms); every worker has a
 * WebRtcServer on the same ip:port, so a room on any worker is reached at the
 * one announced address.
 */
import type { RouterRtpCodecCapability } from '@tsfu/sfu';
import type { ServerStats } from '../signalling/protocol.js';
import { ActiveSpeakerWatch } from './active-speaker.js';
import type { ClusterNode } from './cluster/cluster-node.js';
import { Room, type RoomOptions, type WorkerSlot } from './room.js';
import type { RecordingConfig } from './room-recorder.js';
import { RoomSpread } from './room-spread.js';

/** The router's codecs: opus, VP8, VP9 and H264 (as mediasoup-demo). */
export const MEDIA_CODECS: RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
  {
    kind: 'video',
    mimeType: 'video/VP9',
    clockRate: 90000,
    parameters: { 'profile-id': 0, 'x-google-start-bitrate': 1000 },
  },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: {
      'packetization-mode': 1,
      'profile-level-id': '42e01f',
      'level-asymmetry-allowed': 1,
      'x-google-start-bitrate': 1000,
    },
  },
];

export interface RoomRegistryOptions {
  maxPeersPerRoom: number;
  iceDisconnectTimeoutMs: number;
  iceConsentTimeoutS: number;
  log: (line: string) => void;
  /** "Record this room", when the server has ffmpeg. */
  recording?: RecordingConfig;
  /** Past this many peers, later peers' receive transports go on other workers (`room-spread.ts`). */
  spreadAfterPeers?: number;
  /** The embedded TURN server's `iceServers` for a peer (`--turn`). */
  iceServersFor?: RoomOptions['iceServersFor'];
}

export class RoomRegistry {
  readonly rooms = new Map<string, Room>();
  private readonly creating = new Map<string, Promise<Room>>();
  private readonly startedAt = Date.now();
  private lastCpu = new Map<WorkerSlot, { at: number; cpuMs: number; percent: number }>();
  /** Cluster mode (`--redis`): rooms opened from now on span the cluster's nodes. */
  cluster: ClusterNode | undefined;

  constructor(
    readonly slots: WorkerSlot[],
    private readonly options: RoomRegistryOptions,
  ) {}

  /** The room of that name, created on the least-loaded worker if there is none. */
  async getOrCreate(roomId: string): Promise<Room> {
    const existing = this.rooms.get(roomId);
    if (existing && !existing.closed) return existing;
    // Two peers joining a new room at once get the same router.
    let pending = this.creating.get(roomId);
    if (!pending) {
      pending = this.create(roomId).finally(() => this.creating.delete(roomId));
      this.creating.set(roomId, pending);
    }
    return pending;
  }

  /** The worker for a new room: fewest peers, then fewest rooms, then first. */
  leastLoaded(): WorkerSlot {
    const alive = this.slots.filter((s) => !s.worker.closed);
    if (alive.length === 0) throw new Error('no worker left');
    return alive.reduce((best, s) =>
      s.peers < best.peers || (s.peers === best.peers && s.rooms < best.rooms) ? s : best,
    );
  }

  private async create(roomId: string): Promise<Room> {
    const slot = this.leastLoaded();
    const router = await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS, appData: { roomId } });
    let room: Room | undefined;
    let speakers: ActiveSpeakerWatch;
    try {
      speakers = await ActiveSpeakerWatch.create(router, (speaker) => room?.announceSpeaker(speaker));
    } catch (error) {
      router.close();
      throw error;
    }
    const cluster = this.cluster;
    room = new Room(roomId, router, slot, speakers, {
      peerIdPrefix: cluster ? `${cluster.id}-` : undefined,
      nodeUrls: cluster ? () => cluster.nodeUrls() : undefined,
      maxPeers: this.options.maxPeersPerRoom,
      iceDisconnectTimeoutMs: this.options.iceDisconnectTimeoutMs,
      iceConsentTimeoutS: this.options.iceConsentTimeoutS,
      log: this.options.log,
      recording: this.options.recording,
      spread:
        this.options.spreadAfterPeers !== undefined
          ? new RoomSpread(router, slot, () => this.slots, this.options.spreadAfterPeers, MEDIA_CODECS)
          : undefined,
      iceServersFor: this.options.iceServersFor,
      onClose: (r) => {
        if (this.rooms.get(r.id) === r) this.rooms.delete(r.id);
        if (link) cluster?.closeRoom(r.id, link);
      },
    });
    const link = cluster ? await cluster.openRoom(room) : undefined;
    if (link) room.attachCluster(link);
    this.rooms.set(roomId, room);
    this.options.log(`open  room=${roomId} worker=${this.slots.indexOf(slot)} (pid ${slot.worker.pid})`);
    return room;
  }

  /** Counts, and each worker's CPU since the previous call (process-wide for tsfu's thread workers). */
  async stats(): Promise<ServerStats> {
    let peers = 0;
    let producers = 0;
    let consumers = 0;
    for (const room of this.rooms.values()) {
      peers += room.peers.size;
      producers += room.producerCount;
      consumers += room.consumerCount;
    }
    const workers = await Promise.all(
      this.slots.map(async (slot) => {
        let cpuPercent = 0;
        if (!slot.worker.closed) {
          try {
            const ru = await slot.worker.getResourceUsage();
            const now = Date.now();
            const cpuMs = ru.ru_utime + ru.ru_stime;
            const prev = this.lastCpu.get(slot);
            cpuPercent = prev?.percent ?? 0;
            // Refresh at most once a second, so several callers see the same figure.
            if (!prev || now - prev.at >= 1000) {
              cpuPercent = prev ? Math.round((1000 * (cpuMs - prev.cpuMs)) / (now - prev.at)) / 10 : 0;
              this.lastCpu.set(slot, { at: now, cpuMs, percent: cpuPercent });
            }
          } catch {
            // The worker closed while we asked.
          }
        }
        return { pid: slot.worker.pid, routers: slot.rooms, peers: slot.peers, cpuPercent };
      }),
    );
    return {
      rooms: this.rooms.size,
      peers,
      producers,
      consumers,
      workers,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }

  closeAll(reason: string): void {
    for (const room of [...this.rooms.values()]) room.close(reason);
  }
}
