/** Connection states, as mediasoup's `dtlsState`. */
export type DtlsState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

/** Counters for what was received, dropped and resent. */
export interface DtlsTransportStats {
  datagramsReceived: number;
  recordsReceived: number;
  recordsSent: number;
  /** Malformed records, unknown epochs or content types, unexpected messages. */
  droppedRecords: number;
  /** Records that failed authentication (tampered or forged). */
  badRecords: number;
  /** Records rejected by the anti-replay window. */
  replayedRecords: number;
  /** Whole flights sent again (timer or peer retransmission). */
  retransmissions: number;
  helloVerifyRequestsSent: number;
  applicationDataReceived: number;
  applicationDataSent: number;
}

export function createStats(): DtlsTransportStats {
  return {
    datagramsReceived: 0,
    recordsReceived: 0,
    recordsSent: 0,
    droppedRecords: 0,
    badRecords: 0,
    replayedRecords: 0,
    retransmissions: 0,
    helloVerifyRequestsSent: 0,
    applicationDataReceived: 0,
    applicationDataSent: 0,
  };
}
