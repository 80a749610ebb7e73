/** Steps of the data-channel page (`data.ts`); it signals with `SfuSchema`. */

export interface ReceivedData {
  /** Messages received, in arrival order. */
  count: number;
  /** SHA-256 (hex) of each message's bytes (strings as UTF-8), in arrival order. */
  hashes: string[];
  /** Of each message: 's' string, 'b' binary. */
  kinds: string;
  /** The first 4 bytes of each binary message as a big-endian number (sequence messages). */
  sequences: number[];
  /** String messages of up to 64 characters, as received. */
  texts: string[];
}

export interface DataPageApi {
  [step: string]: (arg: never) => unknown;
  load(arg: null): Promise<void>;
  /** `produceData()` on the page's send transport (created on first use). */
  produceData(arg: { label: string; ordered: boolean; maxRetransmits?: number }): Promise<{ id: string }>;
  /** `consumeData()` on the receive transport (created on first use); messages are recorded by label. */
  consumeData(arg: {
    dataProducerId: string;
    subchannels?: number[];
  }): Promise<{ id: string; label: string }>;
  /** Sends `messageAt(i)` for i in [from, to), waiting on `bufferedamountlow` above 1 MiB queued. */
  sendMessages(arg: { label: string; from: number; to: number }): Promise<{ bytes: number }>;
  /** Sends `sequenceMessage(seq, bytes)` for seq in [from, to). */
  sendSequence(arg: { label: string; from: number; to: number; bytes: number }): Promise<void>;
  /** Sends one binary message of `bytes`: what `send()` did (threw or not) and the channel state after. */
  sendRaw(arg: {
    label: string;
    bytes: number;
  }): Promise<{ threw?: { name: string; message: string }; readyState: string; closed: boolean }>;
  received(arg: { label: string }): Promise<ReceivedData>;
  /** The consumer's RTCDataChannel state and whether mediasoup-client's DataConsumer saw `close`. */
  consumerState(arg: { label: string }): Promise<{ readyState: string; closed: boolean }>;
  close(arg: null): Promise<void>;
}
