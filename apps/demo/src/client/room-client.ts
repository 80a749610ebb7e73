/**
 * The page's media side, with no DOM: joins a room over the signalling
 * client, loads a mediasoup-client Device with the router's capabilities,
 * opens one send and one receive transport, publishes microphone and camera
 * (camera simulcast ×3), consumes every other peer's producers and reports
 * what happens (who joined, tracks, mutes, the dominant speaker) through
 * {@link RoomClientHandlers}.
 */
import { Device } from 'mediasoup-client';
import type { Consumer, Producer, RtpEncodingParameters, Transport } from 'mediasoup-client/types';
import type { DataProducerInfo, MediaSource, ProducerInfo, ServerStats } from '../signalling/protocol.js';
import { ChatChannel } from './chat-channel.js';
import { SignalClient } from './signal-client.js';

/** Three simulcast layers, lowest first (Chromium needs the RIDs in this order). */
export const CAMERA_SIMULCAST: RtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000, scalabilityMode: 'L1T3' },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000, scalabilityMode: 'L1T3' },
];

export interface RemoteTrack {
  peerId: string;
  consumer: Consumer;
  source: MediaSource;
  /** The producer is paused at its peer (muted). */
  producerPaused: boolean;
}

export interface RoomClientHandlers {
  peerJoined(peerId: string, displayName: string): void;
  peerLeft(peerId: string): void;
  trackAdded(track: RemoteTrack): void;
  trackRemoved(track: RemoteTrack): void;
  producerPausedChanged(peerId: string, source: MediaSource, paused: boolean): void;
  layersChanged(consumerId: string, spatialLayer?: number, temporalLayer?: number): void;
  /** The room's dominant speaker changed (null: nobody); it may be this page's own peer. */
  activeSpeakerChanged(peerId: string | null): void;
  localTrack(source: MediaSource, track: MediaStreamTrack | undefined): void;
  serverStats(stats: ServerStats): void;
  /** A chat message from another peer (over its data channel). */
  chatMessage(peerId: string, text: string): void;
  /** The room started or stopped being recorded (`by`: the peer who asked). */
  recordingChanged(recording: boolean, by: string): void;
  /** The room is over for this page (left, server shutdown, connection lost). */
  closed(reason: string): void;
  warning(message: string): void;
}

export class RoomClient {
  peerId = '';
  /** The server can record rooms (it has ffmpeg). */
  recordingAvailable = false;
  /** This room is being recorded. */
  recording = false;
  /** Cluster mode: every live node's page URL, as the server said at join (empty otherwise). */
  nodes: string[] = [];
  private signal!: SignalClient;
  private device!: Device;
  private sendTransport: Transport | undefined;
  private recvTransport: Transport | undefined;
  private readonly producers = new Map<MediaSource, Producer>();
  private readonly remote = new Map<string, RemoteTrack>(); // by consumer id
  private readonly sourceOf = new Map<string, { peerId: string; source: MediaSource }>(); // by producer id
  private ready!: Promise<void>;
  private chat: ChatChannel | undefined;
  private isClosed = false;

  constructor(private readonly on: RoomClientHandlers) {}

  /** Joins, sets up transports, consumes who is there, then publishes mic and camera. */
  async join(roomId: string, displayName: string, url?: string): Promise<void> {
    this.signal = await SignalClient.connect(url);
    const s = this.signal;
    s.onclose = (code, reason) => this.shutdown(reason || `connection closed (${code})`);
    s.on('peerJoined', ({ peerId, displayName: name }) => this.on.peerJoined(peerId, name));
    s.on('peerLeft', ({ peerId }) => {
      for (const t of [...this.remote.values()]) if (t.peerId === peerId) this.dropConsumer(t.consumer.id);
      this.on.peerLeft(peerId);
    });
    s.on('newProducer', (info) => void this.consumeWhenReady(info));
    s.on('newDataProducer', (info) => void this.consumeChatWhenReady(info));
    s.on('consumerClosed', ({ consumerId }) => this.dropConsumer(consumerId));
    s.on('producerPaused', ({ peerId, producerId }) => this.pausedChanged(peerId, producerId, true));
    s.on('producerResumed', ({ peerId, producerId }) => this.pausedChanged(peerId, producerId, false));
    s.on('consumerLayersChanged', ({ consumerId, spatialLayer, temporalLayer }) =>
      this.on.layersChanged(consumerId, spatialLayer, temporalLayer),
    );
    s.on('activeSpeaker', ({ peerId }) => this.on.activeSpeakerChanged(peerId));
    s.on('serverStats', (stats) => this.on.serverStats(stats));
    s.on('recordingChanged', ({ recording, peerId }) => {
      this.recording = recording;
      this.on.recordingChanged(recording, peerId);
    });
    s.on('serverShutdown', ({ reason }) => this.shutdown(reason));

    let markReady!: () => void;
    this.ready = new Promise((resolve) => {
      markReady = resolve;
    });
    const welcome = await s.request('join', { roomId, displayName });
    this.peerId = welcome.peerId;
    this.nodes = welcome.nodes ?? [];
    this.recordingAvailable = welcome.recordingAvailable;
    this.recording = welcome.recording;
    this.on.activeSpeakerChanged(welcome.activeSpeaker.peerId);
    this.device = await Device.factory();
    await this.device.load({ routerRtpCapabilities: welcome.routerRtpCapabilities });
    this.recvTransport = await this.createTransport('recv');
    if (this.device.canProduce('audio') || this.device.canProduce('video')) {
      this.sendTransport = await this.createTransport('send');
    }
    this.chat = new ChatChannel(s, (peerId, text) => this.on.chatMessage(peerId, text));
    if (this.sendTransport) await this.chat.open(this.sendTransport);
    markReady();
    for (const peer of welcome.peers) {
      this.on.peerJoined(peer.peerId, peer.displayName);
      for (const p of peer.producers) void this.consumeWhenReady(p);
      for (const d of peer.dataProducers) void this.consumeChatWhenReady(d);
    }
    s.request('getServerStats', {}).then(
      (stats) => this.on.serverStats(stats),
      (error) => console.warn('getServerStats failed:', error),
    );
    await this.publishCameraAndMic();
  }

  /** Mute/unmute: the producer pauses here and at the SFU (others see it muted). */
  async setPaused(source: MediaSource, paused: boolean): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer || producer.paused === paused) return;
    if (paused) producer.pause();
    else producer.resume();
    await this.signal.request(paused ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id });
  }

  isPaused(source: MediaSource): boolean {
    return this.producers.get(source)?.paused ?? true;
  }

  hasProducer(source: MediaSource): boolean {
    return this.producers.has(source);
  }

  /** Asks the SFU to forward at most this spatial layer of a remote video (all temporal layers). */
  async setPreferredLayers(consumerId: string, spatialLayer: number): Promise<void> {
    await this.signal.request('setConsumerPreferredLayers', { consumerId, spatialLayer, temporalLayer: 2 });
  }

  /** Sends a chat message to the others; false when the chat is not open. */
  sendChat(text: string): boolean {
    return this.chat?.send(text) ?? false;
  }

  /** Starts or stops recording the room on the server (everyone in it is told). */
  async setRecording(recording: boolean): Promise<void> {
    const result = await this.signal.request('setRecording', { recording });
    this.recording = result.recording;
  }

  /** Shares a screen/window/tab as a second video producer. */
  async startScreenShare(): Promise<void> {
    if (!this.sendTransport || this.producers.has('screen')) return;
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 }, audio: false });
    const track = stream.getVideoTracks()[0];
    track.addEventListener('ended', () => void this.stopScreenShare());
    await this.produce('screen', track, undefined);
  }

  async stopScreenShare(): Promise<void> {
    const producer = this.producers.get('screen');
    if (!producer) return;
    this.producers.delete('screen');
    producer.close();
    producer.track?.stop();
    this.on.localTrack('screen', undefined);
    await this.signal
      .request('closeProducer', { producerId: producer.id })
      .catch((error) => console.warn('closeProducer failed:', error));
  }

  /** Leaves the room and releases camera, microphone and connections. */
  async leave(): Promise<void> {
    if (this.isClosed) return;
    // The socket may already be gone when leaving: nothing left to undo, so only a debug line.
    await this.signal?.request('leave', {}).catch((error) => console.debug('leave request failed:', error));
    this.shutdown('left');
  }

  /** The receiving side's stats of one remote track (for the overlay). */
  consumerStats(consumerId: string): Promise<RTCStatsReport> | undefined {
    return this.remote.get(consumerId)?.consumer.getStats();
  }

  /** The sending side's stats of one local producer (for the overlay). */
  producerStats(source: MediaSource): Promise<RTCStatsReport> | undefined {
    return this.producers.get(source)?.getStats();
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<Transport> {
    const info = await this.signal.request('createWebRtcTransport', { direction });
    const transport =
      direction === 'send' ? this.device.createSendTransport(info) : this.device.createRecvTransport(info);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signal
        .request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback);
    });
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.signal
        .request('produce', {
          transportId: transport.id,
          kind,
          rtpParameters,
          source: appData.source as MediaSource,
        })
        .then(callback, errback);
    });
    transport.on('connectionstatechange', (state) => {
      // Network change or a long stall: new ICE credentials let the browser check again.
      if (state === 'failed') void this.restartIce(transport, direction, state);
    });
    return transport;
  }

  private async restartIce(transport: Transport, direction: string, state: string): Promise<void> {
    if (this.isClosed || transport.closed) return;
    try {
      const { iceParameters } = await this.signal.request('restartIce', { transportId: transport.id });
      await transport.restartIce({ iceParameters });
    } catch (error) {
      this.on.warning(`${direction} connection ${state}; ICE restart failed: ${(error as Error).message}`);
    }
  }

  private async publishCameraAndMic(): Promise<void> {
    if (!this.sendTransport) {
      this.on.warning('this browser cannot send the router codecs');
      return;
    }
    let stream: MediaStream | undefined;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: true,
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
      });
    } catch (error) {
      this.on.warning(`camera/microphone unavailable (${(error as Error).name}): joining to watch`);
      return;
    }
    const audio = stream.getAudioTracks()[0];
    const video = stream.getVideoTracks()[0];
    if (audio && this.device.canProduce('audio')) await this.produce('mic', audio, undefined);
    if (video && this.device.canProduce('video')) await this.produce('webcam', video, CAMERA_SIMULCAST);
  }

  private async produce(
    source: MediaSource,
    track: MediaStreamTrack,
    encodings: RtpEncodingParameters[] | undefined,
  ): Promise<void> {
    const producer = await this.sendTransport!.produce({
      track,
      encodings,
      codecOptions: track.kind === 'audio' ? { opusDtx: true } : { videoGoogleStartBitrate: 1000 },
      appData: { source },
      stopTracks: true,
    });
    if (this.isClosed) {
      producer.close();
      return;
    }
    this.producers.set(source, producer);
    this.on.localTrack(source, track);
  }

  private async consumeWhenReady(info: ProducerInfo): Promise<void> {
    this.sourceOf.set(info.producerId, { peerId: info.peerId, source: info.source });
    await this.ready;
    if (this.isClosed || !this.recvTransport) return;
    try {
      const answer = await this.signal.request('consume', {
        transportId: this.recvTransport.id,
        producerId: info.producerId,
        rtpCapabilities: this.device.recvRtpCapabilities,
      });
      const consumer = await this.recvTransport.consume({
        id: answer.id,
        producerId: answer.producerId,
        kind: answer.kind,
        rtpParameters: answer.rtpParameters,
        appData: { peerId: info.peerId, source: info.source },
      });
      const track: RemoteTrack = {
        peerId: info.peerId,
        consumer,
        source: info.source,
        producerPaused: answer.producerPaused,
      };
      this.remote.set(consumer.id, track);
      this.on.trackAdded(track);
      // The SFU created it paused; resuming now makes its first video frame a keyframe.
      await this.signal.request('resumeConsumer', { consumerId: consumer.id });
    } catch (error) {
      // The producer may have closed meanwhile (not-found): nothing to show.
      if (!this.isClosed) console.warn(`consume ${info.producerId} failed:`, error);
    }
  }

  private async consumeChatWhenReady(info: DataProducerInfo): Promise<void> {
    await this.ready;
    if (this.isClosed || !this.recvTransport || !this.chat) return;
    await this.chat
      .consume(this.recvTransport, info)
      .catch((error) => !this.isClosed && console.warn(`chat of ${info.peerId} failed:`, error));
  }

  private dropConsumer(consumerId: string): void {
    const t = this.remote.get(consumerId);
    if (!t) return;
    this.remote.delete(consumerId);
    t.consumer.close();
    this.on.trackRemoved(t);
  }

  private pausedChanged(peerId: string, producerId: string, paused: boolean): void {
    const src = this.sourceOf.get(producerId);
    if (!src) return;
    for (const t of this.remote.values()) if (t.consumer.producerId === producerId) t.producerPaused = paused;
    this.on.producerPausedChanged(peerId, src.source, paused);
  }

  private shutdown(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const id of [...this.remote.keys()]) this.dropConsumer(id);
    for (const [source, p] of this.producers) {
      p.close();
      p.track?.stop();
      this.on.localTrack(source, undefined);
    }
    this.producers.clear();
    this.chat?.close();
    this.sendTransport?.close();
    this.recvTransport?.close();
    if (this.signal?.open) this.signal.close();
    this.on.closed(reason);
  }
}
