/** mediasoup 3.27's SCTP types (DataChannel over DTLS). */

/** Both OS and MIS are part of the SCTP INIT+ACK handshake. */
export type NumSctpStreams = {
  /** Initially requested number of outgoing SCTP streams. */
  OS: number;
  /** Maximum number of incoming SCTP streams. */
  MIS: number;
};

/** An endpoint's SCTP capabilities. */
export type SctpCapabilities = {
  numStreams: NumSctpStreams;
};

/** The SCTP association parameters of a transport. */
export type SctpParameters = {
  /** Must always equal 5000. */
  port: number;
  /** Initially requested number of outgoing SCTP streams. */
  OS: number;
  /** Maximum number of incoming SCTP streams. */
  MIS: number;
  /** Maximum allowed size for SCTP messages. */
  maxMessageSize: number;
};

/**
 * The SCTP stream of a data producer or consumer. With neither
 * `maxPacketLifeTime` nor `maxRetransmits` the stream is reliable.
 */
export type SctpStreamParameters = {
  /** SCTP stream id. */
  streamId: number;
  /** Whether data messages must be received in order. Default true. */
  ordered?: boolean;
  /** When ordered is false: the time (ms) after which a message is no longer retransmitted. */
  maxPacketLifeTime?: number;
  /** When ordered is false: the maximum number of retransmissions of a message. */
  maxRetransmits?: number;
};

/** SCTP association state. */
export type SctpState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';
