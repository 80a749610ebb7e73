import type { AppData } from '../types/app-data.js';
import type { SctpNegotiatedCapabilities, SctpParameters } from '../types/sctp-parameters.js';
import type { SctpState, TransportTuple } from '../types/transport.js';
import type {
  DtlsParameters,
  DtlsState,
  IceCandidate,
  IceParameters,
  IceState,
  WebRtcTransportDump,
  WebRtcTransportStatWithCounters,
} from '../types/webrtc-transport.js';
import {
  type TransportConstructorOptions,
  type TransportEvents,
  TransportImpl,
  type TransportObserverEvents,
} from './transport.js';
import { validateDtlsParameters } from './validate-dtls-parameters.js';
import type { WorkerNotification } from './worker-channel.js';

export type WebRtcTransportEvents = TransportEvents & {
  icestatechange: [IceState];
  iceselectedtuplechange: [TransportTuple];
  dtlsstatechange: [DtlsState];
  sctpstatechange: [SctpState];
};

export type { TransportRouterLink } from './transport.js';

export type WebRtcTransportObserverEvents = TransportObserverEvents & {
  icestatechange: [IceState];
  iceselectedtuplechange: [TransportTuple];
  dtlsstatechange: [DtlsState];
  sctpstatechange: [SctpState];
};

export type { WebRtcTransportStatWithCounters };

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

/** mediasoup's `WebRtcTransport` type (an interface there, implemented by `WebRtcTransportImpl`; here the class itself). */
export type WebRtcTransport<WebRtcTransportAppData extends AppData = AppData> =
  WebRtcTransportImpl<WebRtcTransportAppData>;

/** mediasoup's WebRtcTransport (ICE-Lite + DTLS + SRTP), driven by its worker thread. */
export class WebRtcTransportImpl<WebRtcTransportAppData extends AppData = AppData> extends TransportImpl<
  WebRtcTransportAppData,
  WebRtcTransportEvents,
  WebRtcTransportObserverEvents
> {
  readonly #data: WebRtcTransportData;
  #iceState: IceState = 'new';
  #iceSelectedTuple: TransportTuple | undefined;
  #dtlsState: DtlsState = 'new';
  #dtlsRemoteCert: string | undefined;
  #sctpState: SctpState | undefined;
  #sctpNegotiatedCapabilities: SctpNegotiatedCapabilities | undefined;

  /** @internal created by `Router.createWebRtcTransport()`. */
  constructor(opts: TransportConstructorOptions<WebRtcTransportAppData> & { data: WebRtcTransportData }) {
    super(opts, 'WebRtcTransport');
    this.#data = opts.data;
    this.#sctpState = opts.data.sctpParameters ? 'new' : undefined;
  }

  get type(): 'webrtc' {
    return 'webrtc';
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
  /** The stream counts both SCTP ends agreed on (once the association connected). */
  get sctpNegotiatedCapabilities(): SctpNegotiatedCapabilities | undefined {
    return clone(this.#sctpNegotiatedCapabilities);
  }
  get sctpState(): SctpState | undefined {
    return this.#sctpState;
  }

  protected override onClosed(): void {
    this.#iceState = 'closed';
    this.#iceSelectedTuple = undefined;
    this.#dtlsState = 'closed';
    if (this.#sctpState) this.#sctpState = 'closed';
  }

  async dump(): Promise<WebRtcTransportDump> {
    return (await this.requestDump()) as WebRtcTransportDump;
  }

  /** mediasoup's stats entry plus `tsfuCounters`. */
  async getStats(): Promise<WebRtcTransportStatWithCounters[]> {
    return (await this.requestStats()) as WebRtcTransportStatWithCounters[];
  }

  /** Gives the remote DTLS parameters; DTLS starts once ICE is connected. */
  async connect(options: { dtlsParameters: DtlsParameters }): Promise<void> {
    this.logger.debug('connect()');
    const dtlsParameters = options?.dtlsParameters;
    validateDtlsParameters(dtlsParameters);
    this.checkOpen();
    const { dtlsLocalRole } = await this.channel.request('transport.connect', {
      transportId: this.id,
      dtlsParameters,
    });
    this.#data.dtlsParameters.role = dtlsLocalRole;
  }

  /** New local ICE credentials (the old ones stop working at once). */
  async restartIce(): Promise<IceParameters> {
    this.logger.debug('restartIce()');
    this.checkOpen();
    const iceParameters = await this.channel.request('transport.restartIce', { transportId: this.id });
    this.#data.iceParameters = iceParameters;
    return clone(iceParameters);
  }

  /** The SCTP options given at creation under mediasoup's pre-3.20 names (stored; SCTP lands with data producers). */
  get numSctpStreams(): { OS: number; MIS: number } | undefined {
    return clone(this.#data.numSctpStreams);
  }
  get maxSctpMessageSize(): number | undefined {
    return this.#data.maxSctpMessageSize;
  }

  protected override handleNotification(n: WorkerNotification): void {
    switch (n.event) {
      case 'icestatechange': {
        this.#iceState = n.data.iceState;
        if (this.#iceState === 'disconnected') this.#iceSelectedTuple = undefined;
        this.safeEmit('icestatechange', this.#iceState);
        this.observer.safeEmit('icestatechange', this.#iceState);
        break;
      }
      case 'iceselectedtuplechange': {
        this.#iceSelectedTuple = n.data.iceSelectedTuple;
        this.safeEmit('iceselectedtuplechange', clone(this.#iceSelectedTuple));
        this.observer.safeEmit('iceselectedtuplechange', clone(this.#iceSelectedTuple));
        break;
      }
      case 'dtlsstatechange': {
        this.#dtlsState = n.data.dtlsState;
        if (this.#dtlsState === 'connected') this.#dtlsRemoteCert = n.data.dtlsRemoteCert;
        this.safeEmit('dtlsstatechange', this.#dtlsState);
        this.observer.safeEmit('dtlsstatechange', this.#dtlsState);
        break;
      }
      case 'sctpstatechange': {
        this.#sctpState = n.data.sctpState;
        if (n.data.negotiated) this.#sctpNegotiatedCapabilities = n.data.negotiated;
        this.safeEmit('sctpstatechange', this.#sctpState);
        this.observer.safeEmit('sctpstatechange', this.#sctpState);
        break;
      }
      default:
        super.handleNotification(n);
    }
  }
}
