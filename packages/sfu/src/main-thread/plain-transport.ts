/**
 * mediasoup's PlainTransport: plain RTP/RTCP over UDP (ffmpeg, GStreamer, a
 * SIP gateway), optionally SRTP with static keys. The remote comes from
 * `connect()` or, with `comedia`, from the first packet; `tuple` and
 * `rtcptuple` say when the worker learnt it.
 */
import type { AppData } from '../types/app-data.js';
import type {
  PlainTransportDump,
  PlainTransportState,
  PlainTransportStatWithCounters,
} from '../types/plain-transport.js';
import type { SctpNegotiatedCapabilities, SctpParameters } from '../types/sctp-parameters.js';
import type { SrtpParameters } from '../types/srtp-parameters.js';
import type { SctpState, TransportTuple } from '../types/transport.js';
import { plainConnectRequest } from './plain-transport-options.js';
import {
  type TransportConstructorOptions,
  type TransportEvents,
  TransportImpl,
  type TransportObserverEvents,
} from './transport.js';
import type { WorkerNotification } from './worker-channel.js';

export type PlainTransportEvents = TransportEvents & {
  tuple: [TransportTuple];
  rtcptuple: [TransportTuple];
  sctpstatechange: [SctpState];
};
export type PlainTransportObserverEvents = TransportObserverEvents & {
  tuple: [TransportTuple];
  rtcptuple: [TransportTuple];
  sctpstatechange: [SctpState];
};

/** mediasoup's `PlainTransport` type (an interface there, implemented by `PlainTransportImpl`). */
export type PlainTransport<PlainTransportAppData extends AppData = AppData> =
  PlainTransportImpl<PlainTransportAppData>;

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

export class PlainTransportImpl<PlainTransportAppData extends AppData = AppData> extends TransportImpl<
  PlainTransportAppData,
  PlainTransportEvents,
  PlainTransportObserverEvents
> {
  readonly #rtcpMux: boolean;
  readonly #comedia: boolean;
  #state: PlainTransportState;
  #sctpState: SctpState | undefined;
  #sctpNegotiatedCapabilities: SctpNegotiatedCapabilities | undefined;

  /** @internal created by `Router.createPlainTransport()`. */
  constructor(
    opts: TransportConstructorOptions<PlainTransportAppData> & {
      data: PlainTransportState;
      rtcpMux: boolean;
      comedia: boolean;
    },
  ) {
    super(opts, 'PlainTransport');
    this.#state = opts.data;
    this.#rtcpMux = opts.rtcpMux;
    this.#comedia = opts.comedia;
    this.#sctpState = opts.data.sctpParameters ? 'new' : undefined;
  }

  get type(): 'plain' {
    return 'plain';
  }
  get tuple(): TransportTuple {
    return clone(this.#state.tuple);
  }
  get rtcpTuple(): TransportTuple | undefined {
    return clone(this.#state.rtcpTuple);
  }
  get sctpParameters(): SctpParameters | undefined {
    return clone(this.#state.sctpParameters);
  }
  get sctpState(): SctpState | undefined {
    return this.#sctpState;
  }
  /** The stream counts both SCTP ends agreed on (once the association connected). */
  get sctpNegotiatedCapabilities(): SctpNegotiatedCapabilities | undefined {
    return clone(this.#sctpNegotiatedCapabilities);
  }
  get srtpParameters(): SrtpParameters | undefined {
    return clone(this.#state.srtpParameters);
  }

  protected override onClosed(): void {
    if (this.#sctpState) this.#sctpState = 'closed';
  }

  async dump(): Promise<PlainTransportDump> {
    return (await this.requestDump()) as PlainTransportDump;
  }

  /** mediasoup's stats entry plus `tsfuCounters` (packets dropped by reason). */
  async getStats(): Promise<PlainTransportStatWithCounters[]> {
    return (await this.requestStats()) as PlainTransportStatWithCounters[];
  }

  /** The remote `ip`/`port` (and `rtcpPort` without rtcpMux) unless comedia, and its SRTP key with SRTP. */
  async connect(params: {
    ip?: string;
    port?: number;
    rtcpPort?: number;
    srtpParameters?: SrtpParameters;
  }): Promise<void> {
    this.logger.debug('connect()');
    this.checkOpen();
    const request = plainConnectRequest(this.id, params, {
      rtcpMux: this.#rtcpMux,
      comedia: this.#comedia,
      srtp: this.#state.srtpParameters !== undefined,
    });
    const state = await this.channel.request('plainTransport.connect', request);
    this.#state = { ...state, sctpParameters: this.#state.sctpParameters };
  }

  protected override handleNotification(n: WorkerNotification): void {
    switch (n.event) {
      case 'plaintransport.tuple':
        this.#state.tuple = n.data;
        this.safeEmit('tuple', clone(n.data));
        this.observer.safeEmit('tuple', clone(n.data));
        break;
      case 'plaintransport.rtcptuple':
        this.#state.rtcpTuple = n.data;
        this.safeEmit('rtcptuple', clone(n.data));
        this.observer.safeEmit('rtcptuple', clone(n.data));
        break;
      case 'sctpstatechange':
        this.#sctpState = n.data.sctpState;
        if (n.data.negotiated) this.#sctpNegotiatedCapabilities = n.data.negotiated;
        this.safeEmit('sctpstatechange', n.data.sctpState);
        this.observer.safeEmit('sctpstatechange', n.data.sctpState);
        break;
      default:
        super.handleNotification(n);
    }
  }
}
