/**
 * A worker thread as the I/O thread sees it: its control channel, its two
 * packet rings, the ufrags it registered and the tuples bound to it.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Channel } from '../protocol/channel.js';
import type { IoEnd, IoLinkEnd } from '../protocol/io-protocol.js';
import type { PacketRingReader, PacketRingWriter } from '../protocol/packet-ring.js';

export interface IoWorker {
  index: number;
  channel: Channel<IoEnd, IoLinkEnd>;
  port: MessagePort;
  /** Packets for the worker. */
  writer: PacketRingWriter;
  /** Packets the worker sends. */
  reader: PacketRingReader;
  ufrags: Set<string>;
  tuples: Set<number>;
  /** Bound tuples per owning transport. */
  tuplesByOwner: Map<number, number>;
  closed: boolean;
  /** A publish of `writer` is scheduled for the end of this event-loop turn. */
  flushScheduled: boolean;
}
