/** The public vocabulary of an association: states, per-message options, counters, events. */

export type SctpAssociationState =
  | 'closed'
  | 'cookie-wait'
  | 'cookie-echoed'
  | 'established'
  | 'shutdown-pending'
  | 'shutdown-sent'
  | 'shutdown-received'
  | 'shutdown-ack-sent';

/** mediasoup's `sctpState` values. */
export type SctpState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

/** Per-message options of `sendMessage`. */
export interface SendOptions {
  /** Unordered delivery (U flag). Default false. */
  unordered?: boolean;
  /** Partial reliability: give up after this many retransmissions (RFC 3758 "rexmit" policy). */
  maxRetransmits?: number;
  /** Partial reliability: give up after this many ms since `sendMessage` ("timed" policy). */
  maxPacketLifeTimeMs?: number;
}

/** Counters of what the association saw; they only go up. */
export interface SctpStats {
  packetsReceived: number;
  packetsSent: number;
  /** Packets dropped before chunk processing (short, bad checksum, bad chunk lengths, wrong port). */
  packetsDropped: number;
  badChecksum: number;
  badVerificationTag: number;
  malformedChunks: number;
  unknownChunks: number;
  dataChunksReceived: number;
  duplicateTsns: number;
  dataChunksSent: number;
  retransmissions: number;
  fastRetransmissions: number;
  t3Expirations: number;
  abandonedMessages: number;
  forwardTsnSent: number;
  forwardTsnReceived: number;
  messagesReceived: number;
  messagesSent: number;
  oversizeMessagesDropped: number;
  /** DATA chunks dropped (unacknowledged) for lack of receive window. */
  windowDrops: number;
  errorsSent: number;
  listenerErrors: number;
}

export function newSctpStats(): SctpStats {
  return {
    packetsReceived: 0,
    packetsSent: 0,
    packetsDropped: 0,
    badChecksum: 0,
    badVerificationTag: 0,
    malformedChunks: 0,
    unknownChunks: 0,
    dataChunksReceived: 0,
    duplicateTsns: 0,
    dataChunksSent: 0,
    retransmissions: 0,
    fastRetransmissions: 0,
    t3Expirations: 0,
    abandonedMessages: 0,
    forwardTsnSent: 0,
    forwardTsnReceived: 0,
    messagesReceived: 0,
    messagesSent: 0,
    oversizeMessagesDropped: 0,
    windowDrops: 0,
    errorsSent: 0,
    listenerErrors: 0,
  };
}

export type CloseReason = 'shutdown' | 'abort' | 'peer-abort' | 'failure';

export interface SctpAssociationEvents {
  open: [];
  message: [streamId: number, ppid: number, data: Buffer, unordered: boolean];
  /** The peer reset these incoming streams (its outgoing ones): their SSNs restart at 0. */
  streamsReset: [streamIds: number[]];
  /** Our request to reset these outgoing streams was performed by the peer. */
  outgoingStreamsReset: [streamIds: number[]];
  /** Buffered bytes on a stream fell to or below its `setBufferedAmountLowThreshold` value. */
  bufferedAmountLow: [streamId: number];
  close: [reason: CloseReason, detail?: string];
}
