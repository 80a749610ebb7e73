/**
 * mediasoup's DataProducer: data a client sends into the router over its
 * transport's SCTP association ('sctp'), or that Node sends through a
 * DirectTransport ('direct').
 */

import { WorkerClosedError } from '../../errors.js';
import type { AppData } from '../../types/app-data.js';
import type {
  DataProducerDump,
  DataProducerEvents,
  DataProducerObserverEvents,
  DataProducerStat,
  DataProducerType,
} from '../../types/data-producer.js';
import type { SctpStreamParameters } from '../../types/sctp-parameters.js';
import { closedObjectError } from '../closed-error.js';
import { EnhancedEventEmitter } from '../enhanced-event-emitter.js';
import { Logger } from '../logger.js';
import type { WorkerChannel } from '../worker-channel.js';
import { messageAndPpid } from './ppid.js';
import { messageSubchannel, messageSubchannels } from './subchannels.js';

const logger = new Logger('DataProducer');

/** mediasoup's `DataProducer` type (an interface there; here the class itself). */
export type DataProducer<DataProducerAppData extends AppData = AppData> =
  DataProducerImpl<DataProducerAppData>;

export class DataProducerImpl<DataProducerAppData extends AppData = AppData> extends EnhancedEventEmitter<
  DataProducerEvents & { listenererror: [string, Error] }
> {
  readonly #id: string;
  readonly #channel: WorkerChannel;
  readonly #type: DataProducerType;
  readonly #sctpStreamParameters: SctpStreamParameters | undefined;
  readonly #label: string;
  readonly #protocol: string;
  #closed = false;
  #paused: boolean;
  #appData: DataProducerAppData;
  readonly #observer = new EnhancedEventEmitter<DataProducerObserverEvents>();

  /** @internal created by `transport.produceData()`. */
  constructor(opts: {
    id: string;
    channel: WorkerChannel;
    type: DataProducerType;
    sctpStreamParameters?: SctpStreamParameters;
    label: string;
    protocol: string;
    paused: boolean;
    appData?: DataProducerAppData;
  }) {
    super();
    logger.debug('constructor()');
    this.on('listenererror', (eventName, error) => {
      logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
    });
    this.#id = opts.id;
    this.#channel = opts.channel;
    this.#type = opts.type;
    this.#sctpStreamParameters = opts.sctpStreamParameters;
    this.#label = opts.label;
    this.#protocol = opts.protocol;
    this.#paused = opts.paused;
    this.#appData = opts.appData ?? ({} as DataProducerAppData);
  }

  get id(): string {
    return this.#id;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get type(): DataProducerType {
    return this.#type;
  }
  get sctpStreamParameters(): SctpStreamParameters | undefined {
    return this.#sctpStreamParameters ? { ...this.#sctpStreamParameters } : undefined;
  }
  get label(): string {
    return this.#label;
  }
  get protocol(): string {
    return this.#protocol;
  }
  get paused(): boolean {
    return this.#paused;
  }
  get appData(): DataProducerAppData {
    return this.#appData;
  }
  set appData(appData: DataProducerAppData) {
    this.#appData = appData;
  }
  get observer(): EnhancedEventEmitter<DataProducerObserverEvents> {
    return this.#observer;
  }

  /** Closes the data producer; its data consumers get `dataproducerclose`. */
  close(): void {
    if (this.#closed) return;
    logger.debug('close()');
    this.#closed = true;
    this.#channel
      .request('dataProducer.close', { dataProducerId: this.#id })
      .catch(logger.catcher('close()'));
    this.safeEmit('@close');
    this.#observer.safeEmit('close');
  }

  /** @internal the transport closed. */
  transportClosed(): void {
    if (this.#closed) return;
    logger.debug('transportClosed()');
    this.#closed = true;
    this.safeEmit('transportclose');
    this.#observer.safeEmit('close');
  }

  async dump(): Promise<DataProducerDump> {
    logger.debug('dump()');
    this.#checkOpen();
    return this.#channel.request('dataProducer.dump', { dataProducerId: this.#id });
  }

  async getStats(): Promise<DataProducerStat[]> {
    logger.debug('getStats()');
    this.#checkOpen();
    return this.#channel.request('dataProducer.getStats', { dataProducerId: this.#id });
  }

  async pause(): Promise<void> {
    logger.debug('pause()');
    this.#checkOpen();
    await this.#channel.request('dataProducer.pause', { dataProducerId: this.#id });
    const wasPaused = this.#paused;
    this.#paused = true;
    if (!wasPaused) this.#observer.safeEmit('pause');
  }

  async resume(): Promise<void> {
    logger.debug('resume()');
    this.#checkOpen();
    await this.#channel.request('dataProducer.resume', { dataProducerId: this.#id });
    const wasPaused = this.#paused;
    this.#paused = false;
    if (wasPaused) this.#observer.safeEmit('resume');
  }

  /**
   * Sends a message into the router, to the data consumers that pass
   * mediasoup's subchannel filter (meant for DataProducers of a
   * DirectTransport; as in mediasoup, an 'sctp' one takes it too, as if its
   * peer had sent it). Validation is mediasoup's: a message that is neither
   * a string nor a Buffer is a TypeError, a closed worker a WorkerClosedError;
   * a closed DataProducer drops it silently (mediasoup's worker ignores it),
   * and so does the worker for a message over the transport's
   * maxReceiveMessageSize (counted).
   */
  send(
    message: string | Buffer,
    ppid?: number,
    subchannels?: number[],
    requiredSubchannel?: number,
    ignoredSubchannel?: number,
  ): void {
    const m = messageAndPpid(message, ppid);
    if (!this.#channel.acceptsRequests)
      throw new WorkerClosedError('Channel closed, cannot send notification [event:DATAPRODUCER_SEND]');
    if (this.#closed) return;
    const required = messageSubchannel(requiredSubchannel);
    const ignored = messageSubchannel(ignoredSubchannel);
    this.#channel.notify('dataProducer.send', this.#id, {
      ...m,
      ...(subchannels !== undefined ? { subchannels: messageSubchannels(subchannels) } : {}),
      ...(required !== undefined ? { requiredSubchannel: required } : {}),
      ...(ignored !== undefined ? { ignoredSubchannel: ignored } : {}),
    });
  }

  #checkOpen(): void {
    if (this.#closed)
      throw closedObjectError(this.#channel, `DataProducer closed [dataProducerId:${this.#id}]`);
  }
}
