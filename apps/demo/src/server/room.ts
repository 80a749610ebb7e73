/**
 * A room: one tsfu Router (on one worker) and the peers in it, each with its
 * transports, producers and consumers. Peers ask for what they want
 * (`produce`, `consume`, …) and the room tells the others what changed
 * (`newProducer`, `peerLeft`, …), and who is speaking (`activeSpeaker`, from
 * the room's ActiveSpeakerObserver). A peer leaves by asking, by closing its
 * socket, or by staying ICE-disconnected past a timeout; the last one out
 * closes the room.
 */
import type {
  Consumer,
  DataProducer,
  DtlsParameters,
  Producer,
  Router,
  RtpCapabilities,
  RtpParameters,
  WebRtcServer,
  WebRtcTransport,
  Worker,
} from '@tsfu/sfu';
import type { RtpParameters as ClientRtpParameters } from 'mediasoup-client/types';
import {
  type ActiveSpeaker,
  type DataProducerInfo,
  encodeNotification,
  type MediaSource,
  type NotificationMethod,
  type PeerInfo,
  type ProducerInfo,
  type RequestData,
  type RequestMethod,
  type RequestResults,
  type ServerNotifications,
  SignalError,
  type TransportInfo,
} from '../signalling/protocol.js';
import type { ActiveSpeakerWatch } from './active-speaker.js';
import type { Pulled } from './cluster/pipe-in.js';
import type { ClusterRoom, RoomLink } from './cluster/room-link.js';
import { RoomData } from './room-data.js';
import { fileLabel, type RecordingConfig, RoomRecorder } from './room-recorder.js';
import type { RoomSpread } from './room-spread.js';

/** The socket side of a peer, as the room needs it. */
export interface PeerLink {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** A worker with its share of the WebRtcServer port. */
export interface WorkerSlot {
  worker: Worker;
  webRtcServer: WebRtcServer;
  rooms: number;
  peers: number;
}

export interface RoomOptions {
  maxPeers: number;
  iceDisconnectTimeoutMs: number;
  /** Seconds without ICE consent before a transport is `disconnected`. */
  iceConsentTimeoutS: number;
  /** One status line per join/leave (main.ts prints them). */
  log: (line: string) => void;
  /** Called once, when the room closes (the registry forgets it). */
  onClose: (room: Room) => void;
  /** "Record this room" (undefined: no ffmpeg on the server). */
  recording?: RecordingConfig;
  /** Consumer routers on other workers for peers past a size (undefined: one router, one worker). */
  spread?: RoomSpread;
  /** `iceServers`/`iceTransportPolicy` for a peer's transports (the embedded TURN server), if any. */
  iceServersFor?: (peerId: string) => Pick<TransportInfo, 'iceServers' | 'iceTransportPolicy'>;
  /** Prefix of peer ids (cluster mode: the node id, so ids are unique over the cluster). */
  peerIdPrefix?: string;
  /** Cluster mode: every live node's page URL, for pages to reconnect through when theirs fails. */
  nodeUrls?: () => string[];
}

interface PeerTransport {
  transport: WebRtcTransport;
  direction: 'send' | 'recv';
  /** The router it is on: the room's, or (receive transports of late peers) a consumer router. */
  router: Router;
  disconnectTimer?: NodeJS.Timeout;
}

interface PeerProducer {
  producer: Producer;
  source: MediaSource;
}

export class Peer {
  readonly transports = new Map<string, PeerTransport>();
  readonly producers = new Map<string, PeerProducer>();
  readonly consumers = new Map<string, Consumer>();
  closed = false;

  constructor(
    readonly id: string,
    readonly displayName: string,
    readonly link: PeerLink,
    /** How many peers the room had with this one when it joined. */
    readonly ordinal = 1,
  ) {}

  notify<M extends NotificationMethod>(method: M, data: ServerNotifications[M]): void {
    if (!this.closed) this.link.send(encodeNotification(method, data));
  }

  info(data: RoomData): PeerInfo {
    return {
      peerId: this.id,
      displayName: this.displayName,
      producers: [...this.producers.values()].map((p) => producerInfo(this, p)),
      dataProducers: data.infoOf(this),
    };
  }
}

function producerInfo(peer: Peer, p: PeerProducer): ProducerInfo {
  return {
    peerId: peer.id,
    producerId: p.producer.id,
    kind: p.producer.kind,
    source: p.source,
    paused: p.producer.paused,
  };
}

let nextPeerNumber = 1;

export class Room implements ClusterRoom {
  readonly peers = new Map<string, Peer>();
  /** Every producer in the room, with its peer: consume looks them up here. */
  private readonly producers = new Map<string, { peer: Peer; producer: Producer }>();
  /** The data channels (the chat). */
  private readonly data = new RoomData();
  /** While the room is being recorded. */
  private recorder: RoomRecorder | undefined;
  /** setRecording requests run one at a time. */
  private recordingChange: Promise<unknown> = Promise.resolve();
  closed = false;
  /** Cluster mode: the room's participants on other nodes, and pipes to them. */
  private cluster: RoomLink | undefined;

  constructor(
    readonly id: string,
    readonly router: Router,
    readonly slot: WorkerSlot,
    /** The room's ActiveSpeakerObserver; its changes come to {@link announceSpeaker}. */
    private readonly speakers: ActiveSpeakerWatch,
    private readonly options: RoomOptions,
  ) {
    slot.rooms++;
    // A worker that dies takes its router along: everyone in the room is told by their socket closing.
    router.on('workerclose', () => this.close('worker closed'));
  }

  /** The dominant speaker as the pages were last told (cluster mode: the deciding node's). */
  get activeSpeaker(): ActiveSpeaker {
    return this.cluster?.speaker.current ?? this.speakers.current;
  }

  /** The room's observer changed its mind; in a cluster it is the room's speaker only on the deciding node. */
  announceSpeaker(speaker: ActiveSpeaker): void {
    if (this.cluster) this.cluster.speaker.local(speaker);
    else this.tellSpeaker(speaker);
  }

  /** Tells every peer (the speaker too: its own tile lights up) who the dominant speaker is now. */
  tellSpeaker(speaker: ActiveSpeaker): void {
    for (const peer of this.peers.values()) peer.notify('activeSpeaker', speaker);
  }

  hasLocalPeers(): boolean {
    return this.peers.size > 0;
  }

  localSpeaker(): ActiveSpeaker {
    return this.speakers.current;
  }

  /** A far microphone piped here (this node decides the room's speaker). */
  watchSpeaker(producer: Producer, peerId: string): Promise<void> {
    producer.observer.once('close', () => this.speakers.forget(producer.id));
    return this.speakers.watch(producer, peerId);
  }

  /** Joins the room to the cluster (before anyone joins it). */
  attachCluster(link: RoomLink): void {
    this.cluster = link;
  }

  localPeers(): PeerInfo[] {
    return [...this.peers.values()].map((p) => p.info(this.data));
  }

  remotePeerJoined(peerId: string, displayName: string): void {
    for (const peer of this.peers.values()) peer.notify('peerJoined', { peerId, displayName });
  }

  remotePeerLeft(peerId: string): void {
    for (const peer of this.peers.values()) peer.notify('peerLeft', { peerId });
  }

  remoteProducerAdded(info: ProducerInfo): void {
    for (const peer of this.peers.values()) peer.notify('newProducer', info);
  }

  remoteDataProducerAdded(info: DataProducerInfo): void {
    for (const peer of this.peers.values()) peer.notify('newDataProducer', info);
  }

  remoteProducerClosed(peerId: string, producerId: string): void {
    for (const peer of this.peers.values()) peer.notify('producerClosed', { peerId, producerId });
  }

  remoteProducerPaused(peerId: string, producerId: string, paused: boolean): void {
    const method = paused ? 'producerPaused' : 'producerResumed';
    for (const peer of this.peers.values()) peer.notify(method, { peerId, producerId });
  }

  /** Tells the other nodes what this local peer has now. */
  private shareState(peer: Peer): void {
    if (!peer.closed) this.cluster?.peerChanged(peer.info(this.data));
  }

  /** The room's consumer routers on other workers (`room-spread.ts`). */
  spreadRouters(): Promise<Router[]> {
    return this.options.spread?.consumerRouters() ?? Promise.resolve([]);
  }

  get producerCount(): number {
    return this.producers.size;
  }

  get consumerCount(): number {
    let n = 0;
    for (const p of this.peers.values()) n += p.consumers.size;
    return n;
  }

  /** Adds a peer; the others are told. Throws SignalError('room-full'). */
  join(displayName: string, link: PeerLink): Peer {
    if (this.closed) throw new SignalError('not-found', 'room is closed');
    if (this.peers.size >= this.options.maxPeers) {
      throw new SignalError('room-full', `room ${this.id} is full (${this.options.maxPeers} peers)`);
    }
    const peer = new Peer(
      `${this.options.peerIdPrefix ?? ''}p${nextPeerNumber++}`,
      displayName,
      link,
      this.peers.size + 1 + (this.cluster?.remoteCount ?? 0),
    );
    for (const other of this.peers.values()) other.notify('peerJoined', { peerId: peer.id, displayName });
    this.peers.set(peer.id, peer);
    this.slot.peers++;
    this.shareState(peer);
    this.options.log(
      `join  room=${this.id} peer=${peer.id} name=${JSON.stringify(displayName)} peers=${this.peers.size}`,
    );
    return peer;
  }

  /** What the joining peer needs: router capabilities and who is already here. */
  welcome(peer: Peer): RequestResults['join'] {
    return {
      peerId: peer.id,
      routerRtpCapabilities: this.router.rtpCapabilities as RequestResults['join']['routerRtpCapabilities'],
      peers: [
        ...[...this.peers.values()].filter((p) => p !== peer).map((p) => p.info(this.data)),
        ...(this.cluster?.remotePeers() ?? []),
      ],
      recordingAvailable: this.options.recording !== undefined,
      recording: this.recorder !== undefined,
      activeSpeaker: this.speakers.current,
      nodes: this.options.nodeUrls?.(),
    };
  }

  /** Removes a peer and everything it owns; the others see `peerLeft`. Idempotent. */
  leave(peer: Peer, reason: string): void {
    if (peer.closed || this.peers.get(peer.id) !== peer) return;
    peer.closed = true;
    this.peers.delete(peer.id);
    this.slot.peers--;
    // Closing the transports closes their producers and consumers; other peers' consumers of
    // those producers close with 'producerclose' and are reported there.
    for (const t of peer.transports.values()) {
      clearTimeout(t.disconnectTimer);
      t.transport.close();
    }
    for (const id of peer.producers.keys()) {
      this.producers.delete(id);
      this.speakers.forget(id);
    }
    this.data.forget(peer);
    this.cluster?.peerGone(peer.id);
    for (const other of this.peers.values()) other.notify('peerLeft', { peerId: peer.id });
    this.options.log(`leave room=${this.id} peer=${peer.id} (${reason}) peers=${this.peers.size}`);
    if (this.peers.size === 0) this.close('empty');
  }

  /** Closes the router and forgets every peer (their sockets stay with the caller). */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const peer of [...this.peers.values()]) {
      if (reason !== 'empty') peer.link.close(4001, `room closed: ${reason}`);
      this.leave(peer, reason);
    }
    void this.stopRecording();
    this.speakers.close();
    this.options.spread?.close();
    this.cluster?.close();
    this.router.close();
    this.slot.rooms--;
    this.options.log(`close room=${this.id} (${reason})`);
    this.options.onClose(this);
  }

  /** Runs one request of a joined peer. Throws SignalError (or the SFU's own errors). */
  async handle<M extends Exclude<RequestMethod, 'join' | 'getServerStats'>>(
    peer: Peer,
    method: M,
    data: RequestData<M>,
  ): Promise<RequestResults[M]> {
    const handler = this.handlers[method] as (peer: Peer, data: RequestData<M>) => Promise<RequestResults[M]>;
    return handler(peer, data);
  }

  private readonly handlers: {
    [M in Exclude<RequestMethod, 'join' | 'getServerStats'>]: (
      peer: Peer,
      data: RequestData<M>,
    ) => Promise<RequestResults[M]>;
  } = {
    createWebRtcTransport: async (peer, { direction }) => {
      if (peer.transports.size >= 4) throw new SignalError('rejected', 'at most 4 transports per peer');
      // A late peer's receive transport goes on a consumer router of another worker (room-spread.ts).
      const home =
        direction === 'recv' && this.options.spread
          ? await this.options.spread.recvHome(peer.ordinal)
          : { router: this.router, slot: this.slot };
      const transport = await home.router.createWebRtcTransport({
        webRtcServer: home.slot.webRtcServer,
        enableUdp: true,
        enableTcp: true,
        preferUdp: true,
        iceConsentTimeout: this.options.iceConsentTimeoutS,
        enableSctp: true,
        appData: { peerId: peer.id, direction },
      });
      if (peer.closed) {
        transport.close();
        throw new SignalError('not-joined', 'peer left');
      }
      const entry: PeerTransport = { transport, direction, router: home.router };
      peer.transports.set(transport.id, entry);
      this.watchTransport(peer, entry);
      return {
        id: transport.id,
        iceParameters: transport.iceParameters,
        iceCandidates: transport.iceCandidates as TransportInfo['iceCandidates'],
        dtlsParameters: transport.dtlsParameters as TransportInfo['dtlsParameters'],
        sctpParameters: transport.sctpParameters as TransportInfo['sctpParameters'],
        ...this.options.iceServersFor?.(peer.id),
      };
    },

    connectWebRtcTransport: async (peer, { transportId, dtlsParameters }) => {
      await this.transportOf(peer, transportId).transport.connect({
        dtlsParameters: dtlsParameters as DtlsParameters,
      });
      return {};
    },

    restartIce: async (peer, { transportId }) => {
      const iceParameters = await this.transportOf(peer, transportId).transport.restartIce();
      return { iceParameters: iceParameters as RequestResults['restartIce']['iceParameters'] };
    },

    produce: async (peer, { transportId, kind, source, rtpParameters }) => {
      const t = this.transportOf(peer, transportId);
      if (t.direction !== 'send') throw new SignalError('rejected', 'produce needs a send transport');
      if ((source === 'mic') !== (kind === 'audio')) {
        throw new SignalError('invalid-params', `source ${source} does not carry ${kind}`);
      }
      for (const p of peer.producers.values()) {
        if (p.source === source) throw new SignalError('rejected', `already producing ${source}`);
      }
      const producer = await t.transport.produce({
        kind,
        rtpParameters: rtpParameters as RtpParameters,
        appData: { peerId: peer.id, source },
      });
      if (peer.closed) {
        producer.close();
        throw new SignalError('not-joined', 'peer left');
      }
      const entry: PeerProducer = { producer, source };
      peer.producers.set(producer.id, entry);
      this.producers.set(producer.id, { peer, producer });
      producer.on('transportclose', () => this.forgetProducer(peer, producer.id));
      void this.recorder?.add(producer, recordingLabel(peer, source));
      const info = producerInfo(peer, entry);
      for (const other of this.peers.values()) if (other !== peer) other.notify('newProducer', info);
      this.shareState(peer);
      // Microphones only: a screen share carries no audio here, and video has no level.
      if (source === 'mic') {
        await this.speakers.watch(producer, peer.id).catch((error: Error) => {
          // The producer works without it; only its tile will not light up.
          this.options.log(`room=${this.id} peer=${peer.id}: active speaker not watched: ${error.message}`);
        });
      }
      return { id: producer.id };
    },

    closeProducer: async (peer, { producerId }) => {
      this.producerOf(peer, producerId).close();
      this.forgetProducer(peer, producerId);
      return {};
    },

    pauseProducer: async (peer, { producerId }) => {
      await this.producerOf(peer, producerId).pause();
      for (const other of this.peers.values()) {
        if (other !== peer) other.notify('producerPaused', { peerId: peer.id, producerId });
      }
      this.shareState(peer);
      return {};
    },

    resumeProducer: async (peer, { producerId }) => {
      await this.producerOf(peer, producerId).resume();
      for (const other of this.peers.values()) {
        if (other !== peer) other.notify('producerResumed', { peerId: peer.id, producerId });
      }
      this.shareState(peer);
      return {};
    },

    consume: async (peer, { transportId, producerId, rtpCapabilities }) => {
      const t = this.transportOf(peer, transportId);
      if (t.direction !== 'recv') throw new SignalError('rejected', 'consume needs a recv transport');
      const owner = this.producers.get(producerId);
      if (owner?.peer === peer) throw new SignalError('rejected', 'a peer does not consume itself');
      // Not here: a participant on another node has it (cluster mode), piped in for as long as it is used.
      const release = owner ? undefined : await this.pullFromCluster(producerId);
      let consumer: Consumer;
      try {
        const caps = rtpCapabilities as RtpCapabilities;
        if (t.router !== this.router) await this.options.spread?.ensureConsumable(producerId, t.router);
        if (!t.router.canConsume({ producerId, rtpCapabilities: caps })) {
          throw new SignalError('rejected', 'the device cannot consume this producer');
        }
        // Paused until the page has its consumer ready (resumeConsumer): its first frame is then a keyframe.
        consumer = await t.transport.consume({ producerId, rtpCapabilities: caps, paused: true });
      } catch (error) {
        release?.();
        throw error;
      }
      if (release) consumer.observer.once('close', release);
      if (peer.closed) {
        consumer.close();
        throw new SignalError('not-joined', 'peer left');
      }
      peer.consumers.set(consumer.id, consumer);
      const gone = () => {
        if (peer.consumers.delete(consumer.id)) peer.notify('consumerClosed', { consumerId: consumer.id });
      };
      consumer.on('transportclose', () => peer.consumers.delete(consumer.id));
      consumer.on('producerclose', gone);
      consumer.on('layerschange', (layers) =>
        peer.notify('consumerLayersChanged', {
          consumerId: consumer.id,
          spatialLayer: layers?.spatialLayer,
          temporalLayer: layers?.temporalLayer,
        }),
      );
      return {
        id: consumer.id,
        producerId,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters as ClientRtpParameters,
        producerPaused: consumer.producerPaused,
      };
    },

    produceData: async (peer, { transportId, ...data }) => {
      const t = this.transportOf(peer, transportId);
      if (t.direction !== 'send') throw new SignalError('rejected', 'produceData needs a send transport');
      const result = await this.data.produce(peer, t.transport, data, this.peers.values());
      this.shareState(peer);
      return result;
    },

    consumeData: async (peer, { transportId, dataProducerId }) => {
      const t = this.transportOf(peer, transportId);
      if (t.direction !== 'recv') throw new SignalError('rejected', 'consumeData needs a recv transport');
      // A far page's chat (cluster mode): piped in over SCTP for as long as this page reads it.
      const far = this.data.has(dataProducerId) ? undefined : this.cluster?.dataOwnerOf(dataProducerId);
      if (!far || !this.cluster) return this.data.consume(peer, t.transport, dataProducerId);
      let pulled: Pulled<DataProducer>;
      try {
        pulled = await this.cluster.pipeIn.pullData(dataProducerId, far.nodeId);
      } catch (error) {
        throw new SignalError(
          'rejected',
          `data producer ${dataProducerId} not piped from node ${far.nodeId}: ${(error as Error).message}`,
        );
      }
      return this.data.consumeFar(peer, t.transport, far.peerId, pulled);
    },

    resumeConsumer: async (peer, { consumerId }) => {
      const consumer = peer.consumers.get(consumerId);
      if (!consumer) throw new SignalError('not-found', `no consumer ${consumerId}`);
      await consumer.resume();
      return {};
    },

    setConsumerPreferredLayers: async (peer, { consumerId, spatialLayer, temporalLayer }) => {
      const consumer = peer.consumers.get(consumerId);
      if (!consumer) throw new SignalError('not-found', `no consumer ${consumerId}`);
      if (consumer.kind !== 'video') throw new SignalError('rejected', 'layers are for video consumers');
      await consumer.setPreferredLayers({ spatialLayer, temporalLayer });
      return {};
    },

    setRecording: async (peer, { recording }) => {
      const config = this.options.recording;
      if (!config) throw new SignalError('rejected', 'this server cannot record (no ffmpeg found at start)');
      const change = this.recordingChange.then(() => this.changeRecording(peer, recording, config));
      this.recordingChange = change.catch(() => {});
      return change;
    },

    leave: async (peer) => {
      this.leave(peer, 'left');
      return {};
    },
  };

  /** Starts (every producer now and later) or stops recording; everyone in the room is told. */
  private async changeRecording(
    peer: Peer,
    recording: boolean,
    config: RecordingConfig,
  ): Promise<RequestResults['setRecording']> {
    if (recording && !this.recorder && !this.closed) {
      const recorder = await RoomRecorder.start(this.router, this.id, config, this.options.log);
      this.recorder = recorder;
      for (const { peer: owner, producer } of this.producers.values()) {
        const source = owner.producers.get(producer.id)?.source;
        if (source) void recorder.add(producer, recordingLabel(owner, source));
      }
      this.options.log(`record room=${this.id} on by peer=${peer.id} into ${recorder.folder}`);
    } else if (!recording && this.recorder) {
      const { folder } = this.recorder;
      const files = await this.stopRecording();
      this.options.log(`record room=${this.id} off by peer=${peer.id}: ${files.length} file(s) in ${folder}`);
    }
    const result = { recording: this.recorder !== undefined, folder: this.recorder?.folder };
    for (const p of this.peers.values()) p.notify('recordingChanged', { ...result, peerId: peer.id });
    return result;
  }

  private async stopRecording(): Promise<string[]> {
    const recorder = this.recorder;
    this.recorder = undefined;
    return recorder ? recorder.stop() : [];
  }

  /** Pipes a far participant's producer into the room's router; the release ends the need for it. */
  private async pullFromCluster(producerId: string): Promise<() => void> {
    const nodeId = this.cluster?.ownerOf(producerId);
    if (!this.cluster || nodeId === undefined) {
      throw new SignalError('not-found', `no producer ${producerId} in this room`);
    }
    try {
      return (await this.cluster.pipeIn.pull(producerId, nodeId)).release;
    } catch (error) {
      throw new SignalError(
        'rejected',
        `producer ${producerId} not piped from node ${nodeId}: ${(error as Error).message}`,
      );
    }
  }

  private transportOf(peer: Peer, transportId: string): PeerTransport {
    const t = peer.transports.get(transportId);
    if (!t) throw new SignalError('not-found', `no transport ${transportId}`);
    return t;
  }

  private producerOf(peer: Peer, producerId: string): Producer {
    const p = peer.producers.get(producerId);
    if (!p) throw new SignalError('not-found', `no producer ${producerId}`);
    return p.producer;
  }

  private forgetProducer(peer: Peer, producerId: string): void {
    if (!peer.producers.delete(producerId)) return;
    this.producers.delete(producerId);
    this.speakers.forget(producerId);
    for (const other of this.peers.values()) {
      if (other !== peer) other.notify('producerClosed', { peerId: peer.id, producerId });
    }
    this.shareState(peer);
  }

  /**
   * ICE `disconnected` (consent lost: the browser went away without closing
   * its socket) for longer than the timeout, or DTLS failing, removes the peer.
   */
  private watchTransport(peer: Peer, entry: PeerTransport): void {
    const { transport } = entry;
    transport.on('icestatechange', (state) => {
      clearTimeout(entry.disconnectTimer);
      entry.disconnectTimer = undefined;
      if (state === 'disconnected') {
        entry.disconnectTimer = setTimeout(() => {
          if (peer.closed) return;
          peer.link.close(4002, 'ICE disconnected');
          this.leave(peer, 'ICE disconnected');
        }, this.options.iceDisconnectTimeoutMs);
        entry.disconnectTimer.unref();
      }
    });
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' && !peer.closed) {
        peer.link.close(4003, 'DTLS failed');
        this.leave(peer, 'DTLS failed');
      }
    });
  }
}

/** A producer's file name in a recording: display name, peer id, source. */
function recordingLabel(peer: Peer, source: MediaSource): string {
  return `${fileLabel(peer.displayName)}-${peer.id}-${source}`;
}
