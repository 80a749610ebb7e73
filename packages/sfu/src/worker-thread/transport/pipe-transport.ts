/**
 * The worker half of a PipeTransport (mediasoup's RTC::PipeTransport): a
 * PlainTransport joining two routers — one UDP socket, RTCP muxed, the remote
 * from `connect()` only (no comedia), optional SRTP with AEAD_AES_256_GCM
 * keys exchanged by the app. Its consumers are pipe consumers (every stream
 * of a producer); the far router's `produce()` takes their RTP parameters.
 * Same RTP/RTCP on the wire as mediasoup's pipe.
 */
import type {
  PipeTransportDump,
  PipeTransportState,
  PipeTransportStatWithCounters,
} from '../../types/pipe-transport.js';
import { PlainTransport, type PlainTransportOptions } from './plain-transport.js';

export interface PipeTransportOptions extends Omit<PlainTransportOptions, 'comedia' | 'rtcpSocket'> {
  /** NACK/RTX across the pipe (its consumers' parameters carry RTX; reported in `dump()`). */
  enableRtx: boolean;
}

export class PipeTransport extends PlainTransport {
  readonly enableRtx: boolean;

  constructor(options: PipeTransportOptions) {
    super({ ...options, comedia: false });
    this.enableRtx = options.enableRtx;
  }

  get pipeState(): PipeTransportState {
    const { tuple, srtpParameters } = this.state;
    return { tuple, ...(srtpParameters ? { srtpParameters } : {}) };
  }

  override getStats(): PipeTransportStatWithCounters {
    const { tuple } = this.state;
    return {
      type: 'pipe-transport',
      ...this.baseStats(),
      tuple,
      tsfuCounters: {
        ...this.counters,
        sendsDroppedRingFull: this.link.sendsDroppedRingFull,
        media: { ...this.mediaCounters },
        retransmissionBufferBytes: this.retransmissionBufferBytes(),
      },
    };
  }

  override dump(): PipeTransportDump {
    const { tuple, srtpParameters } = this.state;
    return {
      ...this.baseDump(),
      tuple,
      rtx: this.enableRtx,
      ...(srtpParameters ? { srtpParameters } : {}),
    };
  }
}
