import type { Channel } from './channel/channel.js';
import { EnhancedEventEmitter } from './enhanced-event-emitter.js';
import type { AppData } from './types/app-data.js';
import type { SctpParameters } from './types/sctp-parameters.js';
import type { SctpState, TransportTuple } from './types/transport.js';
import type {
  DtlsParameters,
  DtlsState,
  IceCandidate,
  IceParameters,
  IceState,
  WebRtcTransportDump,
  WebRtcTransportStat,
} from './types/webrtc-transport.js';
import type { WebRtcTransportCounters } from './worker/worker-webrtc-transport.js';

export type WebRtcTransportEvents = {
  routerclose: [];
  listenserverclose: [];
  icestatechange: [IceState];
  iceselectedtuplechange: [TransportTuple];
  dtlsstatechange: [DtlsState];
  sctpstatechange: [SctpState];
  listenererror: [string, Error];
  '@close': [];
  '@listenserverclose': [];
};

export type WebRtcTransportObserverEvents = {
  close: [];
  icestatechange: [IceState];
  iceselectedtuplechange: [TransportTuple];
  dtlsstatechange: [DtlsState];
  sctpstatechange: [SctpState];
};

/** `getStats()` entry: mediasoup's plus `tsfuCounters` (SRTP accepted/auth failures, ICE check results, …). */
export type WebRtcTransportStatWithCounters = WebRtcTransportStat & { tsfuCounters: WebRtcTransportCounters };

export interface WebRtcTransportData {
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
  sctpParameters?: SctpParameters;
  /** Old SCTP option names (mediasoup < 3.20), stored as given. */
  numSctpStreams?: { OS: number; MIS: number };
  maxSctpMessageSize?: number;
}

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

/** mediasoup's WebRtcTransport (ICE-Lite + DTLS + SRTP), driven by its worker thread. */
export class WebRtcTransport<
  WebRtcTransportAppData extends AppData = AppData,
> extends EnhancedEventEmitter<WebRtcTransportEvents> {
  readonly #id: string;
  readonly #routerId: string;
  readonly #channel: Channel;
  readonly #events: EnhancedEventEmitter;
  readonly #data: WebRtcTransportData;
  #closed = false;
  #appData: WebRtcTransportAppData;
  #iceState: IceState = 'new';
  #iceSelectedTuple: TransportTuple | undefined;
  #dtlsState: DtlsState = 'new';
  #dtlsRemoteCert: string | undefined;
  #sctpState: SctpState | undefined;
  readonly #observer = new EnhancedEventEmitter<WebRtcTransportObserverEvents>();
  readonly #onNotification = (event: string, data: Record<string, unknown>) =>
    this.#handleNotification(event, data);

  /** @internal created by `Router.createWebRtcTransport()`. */
  constructor(opts: {
    id: string;
    routerId: string;
    channel: Channel;
    events: EnhancedEventEmitter;
    data: WebRtcTransportData;
    appData?: WebRtcTransportAppData;
  }) {
    super();
    this.#id = opts.id;
    this.#routerId = opts.routerId;
    this.#channel = opts.channel;
    this.#events = opts.events;
    this.#data = opts.data;
    this.#appData = opts.appData ?? ({} as WebRtcTransportAppData);
    this.#sctpState = opts.data.sctpParameters ? 'new' : undefined;
    this.#events.on(this.#id, this.#onNotification);
  }

  get id(): string {
    return this.#id;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get type(): 'webrtc' {
    return 'webrtc';
  }
  get appData(): WebRtcTransportAppData {
    return this.#appData;
  }
  set appData(appData: WebRtcTransportAppData) {
    this.#appData = appData;
  }
  get observer(): EnhancedEventEmitter<WebRtcTransportObserverEvents> {
    return this.#observer;
  }
  get iceRole(): 'controlled' {
    return 'controlled';
  }
  get iceParameters(): IceParameters {
    return clone(this.#data.iceParameters);
  }
  get iceCandidates(): IceCandidate[] {
    return clone(this.#data.iceCandidates);
  }
  get iceState(): IceState {
    return this.#iceState;
  }
  get iceSelectedTuple(): TransportTuple | undefined {
    return clone(this.#iceSelectedTuple);
  }
  get dtlsParameters(): DtlsParameters {
    return clone(this.#data.dtlsParameters);
  }
  get dtlsState(): DtlsState {
    return this.#dtlsState;
  }
  get dtlsRemoteCert(): string | undefined {
    return this.#dtlsRemoteCert;
  }
  get sctpParameters(): SctpParameters | undefined {
    return clone(this.#data.sctpParameters);
  }
  get sctpState(): SctpState | undefined {
    return this.#sctpState;
  }

  /** Closes the transport (the worker sends DTLS close_notify and forgets its tuples). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.off(this.#id, this.#onNotification);
    this.#channel
      .request('router.closeTransport', { routerId: this.#routerId, transportId: this.#id })
      .catch(() => {});
    this.#setClosedState();
    this.safeEmit('@close');
    this.#observer.safeEmit('close');
  }

  /** @internal the router closed. */
  routerClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.off(this.#id, this.#onNotification);
    this.#setClosedState();
    this.safeEmit('routerclose');
    this.#observer.safeEmit('close');
  }

  /** @internal the WebRtcServer closed. */
  listenServerClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.off(this.#id, this.#onNotification);
    this.#setClosedState();
    this.safeEmit('@listenserverclose');
    this.safeEmit('listenserverclose');
    this.#observer.safeEmit('close');
  }

  #setClosedState(): void {
    this.#iceState = 'closed';
    this.#iceSelectedTuple = undefined;
    this.#dtlsState = 'closed';
    if (this.#sctpState) this.#sctpState = 'closed';
  }

  async dump(): Promise<WebRtcTransportDump> {
    return this.#request('transport.dump');
  }

  /** mediasoup's stats entry plus `tsfuCounters`. */
  async getStats(): Promise<WebRtcTransportStatWithCounters[]> {
    return this.#request('transport.getStats');
  }

  /** Gives the remote DTLS parameters; DTLS starts once ICE is connected. */
  async connect({ dtlsParameters }: { dtlsParameters: DtlsParameters }): Promise<void> {
    if (!dtlsParameters || !Array.isArray(dtlsParameters.fingerprints)) {
      throw new TypeError('missing dtlsParameters');
    }
    await this.#request('transport.connect', { dtlsParameters });
  }

  /** New local ICE credentials (the old ones stop working at once). */
  async restartIce(): Promise<IceParameters> {
    const iceParameters = await this.#request<IceParameters>('transport.restartIce');
    this.#data.iceParameters = iceParameters;
    return clone(iceParameters);
  }

  /** Stored (reported in `getStats()`); enforced by the RTP layer in part 2. */
  async setMaxIncomingBitrate(bitrate: number): Promise<void> {
    await this.#request('transport.setMaxIncomingBitrate', { bitrate });
  }

  /** Stored (reported in `getStats()`); enforced by the RTP layer in part 2. */
  async setMaxOutgoingBitrate(bitrate: number): Promise<void> {
    await this.#request('transport.setMaxOutgoingBitrate', { bitrate });
  }

  /** The SCTP options given at creation under mediasoup's pre-3.20 names (stored; SCTP lands with data producers). */
  get numSctpStreams(): { OS: number; MIS: number } | undefined {
    return clone(this.#data.numSctpStreams);
  }
  get maxSctpMessageSize(): number | undefined {
    return this.#data.maxSctpMessageSize;
  }

  #request<T>(method: string, extra: Record<string, unknown> = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new Error(`Transport closed [transportId:${this.#id}]`));
    return this.#channel.request<T>(method, { transportId: this.#id, ...extra });
  }

  #handleNotification(event: string, data: Record<string, unknown>): void {
    if (this.#closed) return;
    switch (event) {
      case 'icestatechange': {
        this.#iceState = data.iceState as IceState;
        if (this.#iceState === 'disconnected') this.#iceSelectedTuple = undefined;
        this.safeEmit('icestatechange', this.#iceState);
        this.#observer.safeEmit('icestatechange', this.#iceState);
        break;
      }
      case 'iceselectedtuplechange': {
        this.#iceSelectedTuple = data.iceSelectedTuple as TransportTuple;
        this.safeEmit('iceselectedtuplechange', clone(this.#iceSelectedTuple));
        this.#observer.safeEmit('iceselectedtuplechange', clone(this.#iceSelectedTuple));
        break;
      }
      case 'dtlsstatechange': {
        this.#dtlsState = data.dtlsState as DtlsState;
        if (this.#dtlsState === 'connected') this.#dtlsRemoteCert = data.dtlsRemoteCert as string | undefined;
        this.safeEmit('dtlsstatechange', this.#dtlsState);
        this.#observer.safeEmit('dtlsstatechange', this.#dtlsState);
        break;
      }
    }
  }
}
