/**
 * Stream reset (RFC 6525) as data channel close uses it (RFC 8831 §6.7):
 * our Outgoing SSN Reset Requests (one outstanding at a time, retried on the
 * RE-CONFIG timer and on "in progress"), and the peer's, performed at once
 * or deferred until every TSN before them has arrived (§5.2.2 E2). Request
 * sequence numbers start at each side's initial TSN (§4.1). Incoming SSN
 * Reset Requests are answered "denied".
 */
import type { AssociationCore } from './association-core.js';
import { ParamType } from './init-chunk.js';
import type { ReceivePath } from './receive-path.js';
import {
  marshalReconfig,
  type ReconfigParam,
  ReconfigResult,
  reconfigLength,
  unmarshalReconfig,
} from './reconfig-chunk.js';
import { COMMON_HEADER_LENGTH, readU32 } from './sctp-packet.js';
import type { SendPath } from './send-path.js';
import { tsnAdd, tsnLte } from './serial-number.js';

interface ResetRequest {
  requestSeq: number;
  lastTsn: number;
  streams: number[];
}

export class StreamReset {
  private myReqSeq: number;
  private lastPeerReqSeq = 0;
  private lastPeerResult: number = ReconfigResult.SUCCESS_PERFORMED;
  /** The peer's request waiting for its last TSN. */
  private deferred: ResetRequest | undefined;
  /** Our streams waiting for the outstanding request to finish. */
  private queue: number[] = [];
  private outstanding: ResetRequest | undefined;

  constructor(
    private readonly core: AssociationCore,
    private readonly sender: SendPath,
    private readonly receiver: ReceivePath,
  ) {
    this.myReqSeq = core.initialTsn;
  }

  /** The peer's INIT or INIT ACK told its initial TSN, the base of its request sequence numbers. */
  setPeer(initialTsn: number): void {
    this.lastPeerReqSeq = tsnAdd(initialTsn, -1);
  }

  /** Queues outgoing streams to reset; sends a request unless one is outstanding. */
  request(streamIds: number[]): void {
    for (const id of streamIds) if (!this.queue.includes(id)) this.queue.push(id);
    this.maybeSend();
  }

  private maybeSend(): void {
    if (this.outstanding || this.queue.length === 0 || this.core.state !== 'established') return;
    const streams = this.queue;
    this.queue = [];
    if (!this.core.peerReconfig) {
      // Without RE-CONFIG there is nothing to negotiate: report the streams reset locally.
      this.sender.resetSsn(streams);
      this.core.events.emit('outgoingStreamsReset', streams);
      return;
    }
    this.outstanding = { requestSeq: this.myReqSeq, lastTsn: tsnAdd(this.sender.nextTsn, -1), streams };
    this.sender.resetSsn(streams);
    this.sendRequest();
  }

  private sendRequest(): void {
    const r = this.outstanding;
    if (!r) return;
    const params: ReconfigParam[] = [
      {
        type: ParamType.OUTGOING_SSN_RESET_REQUEST,
        requestSeq: r.requestSeq,
        responseSeq: this.lastPeerReqSeq,
        lastTsn: r.lastTsn,
        streams: r.streams,
      },
    ];
    this.send(params);
    this.core.timers.startReconfig();
  }

  /** The RE-CONFIG timer expired: retry, or fail after Association.Max.Retrans. */
  onTimer(): void {
    const core = this.core;
    if (core.terminated || !this.outstanding) return;
    if (++core.errorCount > core.config.maxRetransmissions) {
      core.hooks.terminate('failure', 'stream reset unanswered');
      return;
    }
    this.sendRequest();
  }

  onReconfig(packet: Buffer, off: number, clen: number): void {
    if (!this.core.carriesData) return;
    const params = unmarshalReconfig(packet, off, clen);
    if (!params) {
      this.core.stats.malformedChunks++;
      return;
    }
    const responses: ReconfigParam[] = [];
    for (const prm of params) {
      if (prm.type === ParamType.OUTGOING_SSN_RESET_REQUEST) {
        responses.push(this.onOutgoingResetRequest(prm));
      } else if (prm.type === ParamType.RECONFIG_RESPONSE) {
        this.onResponse(prm.responseSeq, prm.result);
      } else if (prm.paramType === ParamType.INCOMING_SSN_RESET_REQUEST) {
        // We do not reset on the peer's behalf; answer "denied" so it does not wait.
        responses.push(response(readU32(packet, off + 8), ReconfigResult.DENIED));
      }
    }
    if (responses.length > 0) this.send(responses);
  }

  private send(params: ReconfigParam[]): void {
    const w = this.core.writer;
    const buf = w.newPacket(reconfigLength(params), w.peerTag);
    w.finishAndSend(buf, marshalReconfig(params, buf, COMMON_HEADER_LENGTH));
  }

  private onOutgoingResetRequest(r: ResetRequest): ReconfigParam {
    const { requestSeq, lastTsn } = r;
    const cumTsn = this.receiver.peerCumTsn;
    if (requestSeq === this.lastPeerReqSeq) {
      // A retransmission: perform now if it was deferred, else repeat the answer.
      if (this.deferred?.requestSeq === requestSeq && tsnLte(lastTsn, cumTsn)) this.performDeferred();
      return response(requestSeq, this.lastPeerResult);
    }
    if (requestSeq !== tsnAdd(this.lastPeerReqSeq, 1)) {
      return response(requestSeq, ReconfigResult.ERROR_BAD_SEQUENCE_NUMBER);
    }
    this.lastPeerReqSeq = requestSeq;
    if (tsnLte(lastTsn, cumTsn)) {
      this.receiver.resetStreams(r.streams);
      this.lastPeerResult = ReconfigResult.SUCCESS_PERFORMED;
    } else {
      // RFC 6525 §5.2.2 E2: wait until every TSN up to lastTsn has arrived.
      this.deferred = { requestSeq, lastTsn, streams: r.streams };
      this.receiver.resetWaitsFor = lastTsn;
      this.lastPeerResult = ReconfigResult.IN_PROGRESS;
    }
    return response(requestSeq, this.lastPeerResult);
  }

  /** Performs the peer's deferred request (its last TSN has arrived). */
  performDeferred(): void {
    const d = this.deferred;
    if (!d) return;
    this.deferred = undefined;
    this.receiver.resetWaitsFor = undefined;
    this.lastPeerResult = ReconfigResult.SUCCESS_PERFORMED;
    this.receiver.resetStreams(d.streams);
  }

  private onResponse(responseSeq: number, result: number): void {
    const r = this.outstanding;
    if (!r || responseSeq !== r.requestSeq) return;
    if (result === ReconfigResult.IN_PROGRESS) return; // the timer retries
    this.core.timers.stopReconfig();
    this.outstanding = undefined;
    this.myReqSeq = tsnAdd(this.myReqSeq, 1);
    this.core.errorCount = 0;
    if (result === ReconfigResult.SUCCESS_PERFORMED || result === ReconfigResult.SUCCESS_NOTHING_TO_DO) {
      this.core.notify('outgoingStreamsReset', r.streams);
    }
    this.maybeSend();
  }
}

function response(responseSeq: number, result: number): ReconfigParam {
  return { type: ParamType.RECONFIG_RESPONSE, responseSeq, result };
}
