/**
 * mediasoup 3.27's SCTP types. 3.27 dropped `NumSctpStreams` and
 * `SctpCapabilities` from the server API (the stream counts are fixed by the
 * SCTP stack), and `SctpParameters` grew the buffer and size limits.
 */

/** The SCTP association of a transport, as the transport reports it. */
export type SctpParameters = {
  /** SCTP source port of the transport. */
  port: number;
  /** Maximum size for SCTP messages sent by DataConsumers (in bytes). */
  maxSendMessageSize: number;
  /** Maximum size for SCTP messages received by DataProducers (in bytes). */
  maxReceiveMessageSize: number;
  /** Maximum SCTP send buffer used by DataConsumers (in bytes). */
  sendBufferSize: number;
  /** Per stream send queue size limit: like `sendBufferSize`, for one stream. */
  perStreamSendQueueLimit: number;
  /** Maximum received window buffer size (in bytes). */
  maxReceiverWindowBufferSize: number;
  /** Whether this is a WebRTC DataChannel SCTP association: true only in WebRTC transports. */
  isDataChannel: boolean;
  /** Initially requested number of outgoing SCTP streams. */
  OS: number;
  /** Maximum number of incoming SCTP streams. */
  MIS: number;
  /** Maximum allowed size for SCTP messages. */
  maxMessageSize: number;
};

/** The stream counts the two SCTP endpoints agreed on. */
export type SctpNegotiatedCapabilities = {
  negotiatedMaxOutboundStreams: number;
  negotiatedMaxInboundStreams: number;
};

/**
 * The reliability of one SCTP stream. If `ordered` is true, `maxPacketLifeTime`
 * and `maxRetransmits` must be unset; if false, at most one of them is set.
 */
export type SctpStreamParameters = {
  /** SCTP stream id. */
  streamId: number;
  /** Whether data messages must be received in order (and reliably). Default true. */
  ordered?: boolean;
  /** When unordered: time (in ms) after which a message stops being retransmitted. */
  maxPacketLifeTime?: number;
  /** When unordered: maximum number of retransmissions of a message. */
  maxRetransmits?: number;
};
