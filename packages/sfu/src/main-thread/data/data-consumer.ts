/**
 * mediasoup's DataConsumer: the messages of one DataProducer sent to a client
 * over an SCTP stream of this transport's association ('sctp'), or handed to
 * Node as `message` events on a DirectTransport ('direct').
 */
import type { AppData } from '../../types/app-data.js';
import type {
  DataConsumerDump,
  DataConsumerEvents,
  DataConsumerObserverEvents,
  DataConsumerStat,
  DataConsumerType,
} from '../../types/data-consumer.js';
import type { SctpStreamParameters } from '../../types/sctp-parameters.js';
import { closedObjectError } from '../closed-error.js';
import { EnhancedEventEmitter } from '../enhanced-event-emitter.js';
import { Logger } from '../logger.js';
import type { TargetEvents, WorkerChannel, WorkerNotification } from '../worker-channel.js';
import { messageAndPpid } from './ppid.js';
import { normalizeSubchannels } from './subchannels.js';

const logger = new Logger('DataConsumer');

/** mediasoup's `DataConsumer` type (an interface there; here the class itself). */
export type DataConsumer<DataConsumerAppData extends AppData = AppData> =
  DataConsumerImpl<DataConsumerAppData>;

export class DataConsumerImpl<DataConsumerAppData extends AppData = AppData> extends EnhancedEventEmitter<
  DataConsumerEvents & { listenererror: [string, Error] }
> {
  readonly #id: string;
  readonly #dataProducerId: string;
  readonly #channel: WorkerChannel;
  readonly #events: TargetEvents;
  readonly #type: DataConsumerType;
  readonly #sctpStreamParameters: SctpStreamParameters | undefined;
  readonly #label: string;
  readonly #protocol: string;
  #closed = false;
  #paused: boolean;
  #dataProducerPaused: boolean;
  #subchannels: number[];
  #appData: DataConsumerAppData;
  readonly #observer = new EnhancedEventEmitter<DataConsumerObserverEvents>();
  readonly #onNotification = (n: WorkerNotification) => this.#handleNotification(n);

  /** @internal created by `transport.consumeData()`. */
  constructor(opts: {
    id: string;
    dataProducerId: string;
    channel: WorkerChannel;
    events: TargetEvents;
    type: DataConsumerType;
    sctpStreamParameters?: SctpStreamParameters;
    label: string;
    protocol: string;
    paused: boolean;
    dataProducerPaused: boolean;
    subchannels: number[];
    appData?: DataConsumerAppData;
  }) {
    super();
    logger.debug('constructor()');
    this.on('listenererror', (eventName, error) => {
      logger.error(`event listener threw an error [eventName:${eventName}]:`, error);
    });
    this.#id = opts.id;
    this.#dataProducerId = opts.dataProducerId;
    this.#channel = opts.channel;
    this.#events = opts.events;
    this.#type = opts.type;
    this.#sctpStreamParameters = opts.sctpStreamParameters;
    this.#label = opts.label;
    this.#protocol = opts.protocol;
    this.#paused = opts.paused;
    this.#dataProducerPaused = opts.dataProducerPaused;
    this.#subchannels = opts.subchannels;
    this.#appData = opts.appData ?? ({} as DataConsumerAppData);
    this.#events.on(this.#id, this.#onNotification);
  }

  get id(): string {
    return this.#id;
  }
  get dataProducerId(): string {
    return this.#dataProducerId;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get type(): DataConsumerType {
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
  get dataProducerPaused(): boolean {
    return this.#dataProducerPaused;
  }
  get subchannels(): number[] {
    return [...this.#subchannels];
  }
  get appData(): DataConsumerAppData {
    return this.#appData;
  }
  set appData(appData: DataConsumerAppData) {
    this.#appData = appData;
  }
  get observer(): EnhancedEventEmitter<DataConsumerObserverEvents> {
    return this.#observer;
  }

  close(): void {
    if (this.#closed) return;
    logger.debug('close()');
    this.#markClosed();
    this.#channel
      .request('dataConsumer.close', { dataConsumerId: this.#id })
      .catch(logger.catcher('close()'));
    this.safeEmit('@close');
    this.#observer.safeEmit('close');
  }

  /** @internal the transport closed. */
  transportClosed(): void {
    if (this.#closed) return;
    logger.debug('transportClosed()');
    this.#markClosed();
    this.safeEmit('transportclose');
    this.#observer.safeEmit('close');
  }

  async dump(): Promise<DataConsumerDump> {
    logger.debug('dump()');
    this.#checkOpen();
    return this.#channel.request('dataConsumer.dump', { dataConsumerId: this.#id });
  }

  async getStats(): Promise<DataConsumerStat[]> {
    logger.debug('getStats()');
    this.#checkOpen();
    return this.#channel.request('dataConsumer.getStats', { dataConsumerId: this.#id });
  }

  async pause(): Promise<void> {
    logger.debug('pause()');
    this.#checkOpen();
    await this.#channel.request('dataConsumer.pause', { dataConsumerId: this.#id });
    const wasPaused = this.#paused;
    this.#paused = true;
    if (!wasPaused && !this.#dataProducerPaused) this.#observer.safeEmit('pause');
  }

  async resume(): Promise<void> {
    logger.debug('resume()');
    this.#checkOpen();
    await this.#channel.request('dataConsumer.resume', { dataConsumerId: this.#id });
    const wasPaused = this.#paused;
    this.#paused = false;
    if (wasPaused && !this.#dataProducerPaused) this.#observer.safeEmit('resume');
  }

  async setBufferedAmountLowThreshold(threshold: number): Promise<void> {
    logger.debug(`setBufferedAmountLowThreshold() [threshold:${threshold}]`);
    if (!Number.isSafeInteger(threshold) || threshold < 0)
      throw new TypeError('threshold must be a non-negative integer');
    this.#checkOpen();
    await this.#channel.request('dataConsumer.setBufferedAmountLowThreshold', {
      dataConsumerId: this.#id,
      threshold,
    });
  }

  async getBufferedAmount(): Promise<number> {
    logger.debug('getBufferedAmount()');
    this.#checkOpen();
    return this.#channel.request('dataConsumer.getBufferedAmount', { dataConsumerId: this.#id });
  }

  /** Sends a message to the client of an 'sctp' data consumer; resolves with its buffered amount. */
  async send(message: string | Buffer, ppid?: number): Promise<number> {
    const m = messageAndPpid(message, ppid);
    this.#checkOpen();
    if (this.#type !== 'sctp') throw new TypeError('send() is only for DataConsumers of type "sctp"');
    return this.#channel.request('dataConsumer.send', { dataConsumerId: this.#id, ...m });
  }

  async setSubchannels(subchannels: number[]): Promise<void> {
    logger.debug('setSubchannels()');
    await this.#updateSubchannels(normalizeSubchannels(subchannels));
  }

  async addSubchannel(subchannel: number): Promise<void> {
    logger.debug('addSubchannel()');
    await this.#updateSubchannels(normalizeSubchannels([...this.#subchannels, subchannel]));
  }

  async removeSubchannel(subchannel: number): Promise<void> {
    logger.debug('removeSubchannel()');
    const [removed] = normalizeSubchannels([subchannel]);
    await this.#updateSubchannels(this.#subchannels.filter((s) => s !== removed));
  }

  async #updateSubchannels(subchannels: number[]): Promise<void> {
    this.#checkOpen();
    this.#subchannels = await this.#channel.request('dataConsumer.setSubchannels', {
      dataConsumerId: this.#id,
      subchannels,
    });
  }

  #markClosed(): void {
    this.#closed = true;
    this.#events.off(this.#id, this.#onNotification);
  }

  #checkOpen(): void {
    if (this.#closed)
      throw closedObjectError(this.#channel, `DataConsumer closed [dataConsumerId:${this.#id}]`);
  }

  #handleNotification(n: WorkerNotification): void {
    if (this.#closed) return;
    switch (n.event) {
      case 'dataConsumer.dataproducerclose':
        this.#markClosed();
        this.safeEmit('@dataproducerclose');
        this.safeEmit('dataproducerclose');
        this.#observer.safeEmit('close');
        break;
      case 'dataConsumer.dataproducerpause':
        if (this.#dataProducerPaused) break;
        this.#dataProducerPaused = true;
        this.safeEmit('dataproducerpause');
        if (!this.#paused) this.#observer.safeEmit('pause');
        break;
      case 'dataConsumer.dataproducerresume':
        if (!this.#dataProducerPaused) break;
        this.#dataProducerPaused = false;
        this.safeEmit('dataproducerresume');
        if (!this.#paused) this.#observer.safeEmit('resume');
        break;
      case 'dataConsumer.sctpsendbufferfull':
        this.safeEmit('sctpsendbufferfull');
        break;
      case 'dataConsumer.bufferedamountlow':
        this.safeEmit('bufferedamountlow', n.data);
        break;
      case 'dataConsumer.message': {
        // The worker's copy, as a Buffer without another copy.
        const { data, ppid } = n.data;
        this.safeEmit('message', Buffer.from(data.buffer, data.byteOffset, data.byteLength), ppid);
        break;
      }
      default:
        logger.error(`ignoring unknown event "${n.event}"`);
    }
  }
}
