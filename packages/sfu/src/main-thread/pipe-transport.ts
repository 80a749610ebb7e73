/**
 * mediasoup's PipeTransport: joins two routers (same process, another
 * process, another host) over UDP, optionally SRTP. The app connects both
 * ends (`connect({ ip, port, srtpParameters })`), `consume()` makes pipe
 * consumers (every stream of a producer) and the far end's `produce()` takes
 * their RTP parameters; `router.pipeToRouter()` does all of it for two routers
 * of this process.
 */
import * as ortc from '../ortc/ortc.js';
import type { AppData } from '../types/app-data.js';
import type { ConsumerOptions } from '../types/consumer.js';
import type {
  PipeTransportDump,
  PipeTransportState,
  PipeTransportStatWithCounters,
} from '../types/pipe-transport.js';
import type { RtpCapabilities, RtpParameters } from '../types/rtp-parameters.js';
import type { SctpParameters } from '../types/sctp-parameters.js';
import type { SrtpParameters } from '../types/srtp-parameters.js';
import type { SctpState, TransportTuple } from '../types/transport.js';
import type { Consumer } from './consumer.js';
import { pipeConnectRequest } from './pipe-transport-options.js';
import type { Producer } from './producer.js';
import {
  type TransportConstructorOptions,
  type TransportEvents,
  TransportImpl,
  type TransportObserverEvents,
} from './transport.js';
import type { WorkerNotification } from './worker-channel.js';

export type PipeTransportEvents = TransportEvents & { sctpstatechange: [SctpState] };
export type PipeTransportObserverEvents = TransportObserverEvents & { sctpstatechange: [SctpState] };

/** mediasoup's `PipeTransport` type (an interface there, implemented by `PipeTransportImpl`). */
export type PipeTransport<PipeTransportAppData extends AppData = AppData> =
  PipeTransportImpl<PipeTransportAppData>;

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

export class PipeTransportImpl<PipeTransportAppData extends AppData = AppData> extends TransportImpl<
  PipeTransportAppData,
  PipeTransportEvents,
  PipeTransportObserverEvents
> {
  readonly #enableRtx: boolean;
  #state: PipeTransportState;
  #sctpState: SctpState | undefined;

  /** @internal created by `Router.createPipeTransport()`. */
  constructor(
    opts: TransportConstructorOptions<PipeTransportAppData> & {
      data: PipeTransportState;
      enableRtx: boolean;
    },
  ) {
    super(opts, 'PipeTransport');
    this.#state = opts.data;
    this.#enableRtx = opts.enableRtx;
    this.#sctpState = opts.data.sctpParameters ? 'new' : undefined;
  }

  get type(): 'pipe' {
    return 'pipe';
  }
  get tuple(): TransportTuple {
    return clone(this.#state.tuple);
  }
  get sctpParameters(): SctpParameters | undefined {
    return clone(this.#state.sctpParameters);
  }
  get sctpState(): SctpState | undefined {
    return this.#sctpState;
  }
  get srtpParameters(): SrtpParameters | undefined {
    return clone(this.#state.srtpParameters);
  }

  protected override onClosed(): void {
    if (this.#sctpState) this.#sctpState = 'closed';
  }

  async dump(): Promise<PipeTransportDump> {
    return (await this.requestDump()) as PipeTransportDump;
  }

  /** mediasoup's stats entry plus `tsfuCounters` (packets dropped by reason). */
  async getStats(): Promise<PipeTransportStatWithCounters[]> {
    return (await this.requestStats()) as PipeTransportStatWithCounters[];
  }

  /** The far pipe transport's `tuple.localAddress`/`localPort`, and its `srtpParameters` with SRTP. */
  async connect(params: { ip: string; port: number; srtpParameters?: SrtpParameters }): Promise<void> {
    this.logger.debug('connect()');
    this.checkOpen();
    const request = pipeConnectRequest(this.id, params, this.#state.srtpParameters !== undefined);
    const state = await this.channel.request('plainTransport.connect', request);
    this.#state = {
      tuple: state.tuple,
      ...(state.srtpParameters ? { srtpParameters: state.srtpParameters } : {}),
      ...(this.#state.sctpParameters ? { sctpParameters: this.#state.sctpParameters } : {}),
    };
  }

  /** mediasoup's pipe `consume({ producerId, appData })`: a pipe consumer of every stream. */
  override consume<ConsumerAppData extends AppData = AppData>(
    options: Omit<ConsumerOptions<ConsumerAppData>, 'rtpCapabilities'> & {
      rtpCapabilities?: RtpCapabilities;
    },
  ): Promise<Consumer<ConsumerAppData>> {
    return super.consume(options as ConsumerOptions<ConsumerAppData>);
  }

  /** @internal tsfu: RTP/RTCP through these shared-memory rings from now on (`pipeToRouter`). */
  async attachRing(sendRing: SharedArrayBuffer, recvRing: SharedArrayBuffer): Promise<void> {
    this.checkOpen();
    await this.channel.request('pipeTransport.tsfuAttachRing', { transportId: this.id, sendRing, recvRing });
  }

  /** A pipe consumer needs no capabilities: the router's stand in for validation. */
  protected override consumerRtpCapabilities(): RtpCapabilities {
    return this.routerRtpCapabilities;
  }

  protected override get consumesAsPipe(): boolean {
    return true;
  }

  /** Every stream of the producer, new SSRCs, RTX only with `enableRtx` (mediasoup's pipe parameters). */
  protected override consumerRtpParameters(producer: Producer): RtpParameters {
    return ortc.getPipeConsumerRtpParameters({
      consumableRtpParameters: producer.consumableRtpParameters,
      enableRtx: this.#enableRtx,
    });
  }

  protected override handleNotification(n: WorkerNotification): void {
    switch (n.event) {
      case 'sctpstatechange':
        this.#sctpState = n.data.sctpState;
        this.safeEmit('sctpstatechange', n.data.sctpState);
        this.observer.safeEmit('sctpstatechange', n.data.sctpState);
        break;
      default:
        super.handleNotification(n);
    }
  }
}
