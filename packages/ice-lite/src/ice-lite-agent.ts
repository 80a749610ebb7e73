/**
 * The ICE-Lite agent (RFC 8445 §2.5, lite procedures of §7.3, consent
 * freshness of RFC 7675), behaving like mediasoup's IceServer. It owns no
 * socket: the caller hands it STUN datagrams with `handleStun` and it answers
 * through the `send` callback it was built with.
 *
 * Per request it allocates only what node:crypto's HMAC needs; the parse view
 * and the response buffer are reused, and nothing is stored for a request
 * that did not authenticate.
 */
import { EventEmitter } from 'node:events';
import type { IceProtocol } from './ice-candidate.js';
import { generateIceParameters, type IceParameters, isIceString } from './ice-credentials.js';
import {
  STUN_HEADER_LENGTH,
  STUN_MAGIC_COOKIE,
  StunClass,
  StunErrorReason,
  StunMethod,
  stunMethodOf,
} from './stun-constants.js';
import { verifyStunFingerprint, verifyStunIntegrity } from './stun-integrity.js';
import { StunMessageView, StunParseResult } from './stun-message-view.js';
import { StunMessageWriter } from './stun-message-writer.js';
import { ufragEquals } from './stun-username.js';

export type IceState = 'new' | 'connected' | 'completed' | 'disconnected' | 'closed';

/** Where a datagram came from: `dgram`'s `rinfo` fits. */
export interface IceRemoteAddress {
  readonly address: string;
  readonly port: number;
  readonly family: string;
}

/** A validated 5-tuple (the local side is implied by the socket it arrived on). */
export interface IceTuple extends IceRemoteAddress {
  readonly protocol: IceProtocol;
}

/**
 * Sends `data` to `remote`. `data` is the agent's reusable response buffer and
 * is only valid during the call: copy it if the send completes later.
 */
export type IceSendFn = (data: Buffer, remote: IceRemoteAddress, protocol: IceProtocol) => void;

/** What `handleStun` did with a datagram; every outcome is also counted. */
export const IceCheckResult = {
  /** Valid Binding Request, answered with a success response. */
  Answered: 0,
  /** Not a STUN message, or too broken to answer (dropped). */
  Malformed: 1,
  /** Answered 400: malformed request, not a Binding, or missing FINGERPRINT/USERNAME/MESSAGE-INTEGRITY/PRIORITY. */
  BadRequest: 2,
  /** Answered 401: our ufrag but MESSAGE-INTEGRITY did not verify. */
  Unauthenticated: 3,
  /** Answered 420: unknown comprehension-required attributes. */
  UnknownAttribute: 4,
  /** Answered 487: the request says ICE-CONTROLLED, and a lite agent is always controlled. */
  RoleConflict: 5,
  /** USERNAME is not for our ufrag (dropped, nothing answered or stored). */
  NotOurUfrag: 6,
  /** FINGERPRINT did not match (dropped: not STUN after all). */
  BadFingerprint: 7,
  /** A STUN indication or response: nothing for a lite agent to do. */
  Ignored: 8,
  /** The agent is closed. */
  Closed: 9,
} as const;
export type IceCheckResult = (typeof IceCheckResult)[keyof typeof IceCheckResult];

const RESULT_NAMES = [
  'answered',
  'malformed',
  'badRequest',
  'unauthenticated',
  'unknownAttribute',
  'roleConflict',
  'notOurUfrag',
  'badFingerprint',
  'ignored',
  'closed',
] as const;
export type IceCheckCounters = Record<(typeof RESULT_NAMES)[number], number>;

export interface IceLiteAgentOptions {
  /** How responses leave. */
  send: IceSendFn;
  /** RFC 7675: no valid Binding Request for this long → `disconnected` (default 30 000 ms; 0 disables, as in mediasoup). */
  consentTimeoutMs?: number;
  /** Most validated tuples kept; the oldest unselected one is dropped beyond it (default 8). */
  maxTuples?: number;
  /** Fixed credentials instead of random ones (tests, or credentials created elsewhere). */
  usernameFragment?: string;
  password?: string;
  /** Clock in ms, for tests (default `Date.now`). */
  now?: () => number;
}

export interface IceLiteAgentEvents {
  /** The agent moved to a new state. */
  statechange: [state: IceState];
  /** The selected tuple changed (undefined when cleared by consent loss or removal). */
  selectedtuplechange: [tuple: IceTuple | undefined];
  /**
   * The credentials before the last `restartIce()` stopped working: the peer used the new ones,
   * or another restart replaced them. Whoever routes checks by ufrag can forget `ufrag`.
   */
  previousufragdropped: [ufrag: string];
}

export class IceLiteAgent extends EventEmitter<IceLiteAgentEvents> {
  private readonly sendFn: IceSendFn;
  private readonly consentTimeoutMs: number;
  private readonly maxTuples: number;
  private readonly now: () => number;
  private readonly view = new StunMessageView();
  private readonly writer = new StunMessageWriter(Buffer.alloc(548));
  private readonly counts = new Float64Array(RESULT_NAMES.length);
  private params: IceParameters;
  private key: Buffer;
  /** The credentials before the last `restartIce()`, accepted until the peer uses the new ones. */
  private previous: { params: IceParameters; key: Buffer } | undefined;
  private _state: IceState = 'new';
  /** Most recent first. */
  private readonly _tuples: IceTuple[] = [];
  private _selected: IceTuple | undefined;
  private remoteNomination = 0;
  private lastConsentAt = 0;
  private consentTimer: NodeJS.Timeout | undefined;
  private readonly onConsentTimer = (): void => this.checkConsent();

  constructor(opts: IceLiteAgentOptions) {
    super();
    this.sendFn = opts.send;
    this.consentTimeoutMs = opts.consentTimeoutMs ?? 30_000;
    this.maxTuples = Math.max(1, opts.maxTuples ?? 8);
    this.now = opts.now ?? Date.now;
    this.params = IceLiteAgent.makeParams(opts.usernameFragment, opts.password);
    this.key = Buffer.from(this.params.password, 'utf8');
  }

  private static makeParams(ufrag?: string, password?: string): IceParameters {
    const p = generateIceParameters();
    if (ufrag !== undefined) {
      if (!isIceString(ufrag) || ufrag.length < 4 || ufrag.length > 256)
        throw new TypeError('bad usernameFragment');
      p.usernameFragment = ufrag;
    }
    if (password !== undefined) {
      if (!isIceString(password) || password.length < 22 || password.length > 256)
        throw new TypeError('bad password');
      p.password = password;
    }
    return p;
  }

  /** Local credentials to signal to the peer. */
  get localParameters(): IceParameters {
    return { ...this.params };
  }

  /** The ufrag before the last `restartIce()`, while checks may still use it. */
  get previousUsernameFragment(): string | undefined {
    return this.previous?.params.usernameFragment;
  }

  get state(): IceState {
    return this._state;
  }

  /** The tuple media goes to, once the peer has sent a valid check. */
  get selectedTuple(): IceTuple | undefined {
    return this._selected;
  }

  /** Validated tuples, most recent first. */
  get tuples(): readonly IceTuple[] {
    return this._tuples.slice();
  }

  /** How many datagrams ended in each {@link IceCheckResult}. */
  get counters(): IceCheckCounters {
    const out = {} as IceCheckCounters;
    RESULT_NAMES.forEach((name, i) => {
      out[name] = this.counts[i];
    });
    return out;
  }

  /**
   * Handles one STUN datagram `buf[0..length)` from `remote`. Answers through
   * `send` when the RFCs ask for an answer; never throws on bad input.
   */
  handleStun(
    buf: Uint8Array,
    length: number,
    remote: IceRemoteAddress,
    protocol: IceProtocol,
  ): IceCheckResult {
    const result = this.check(buf, length, remote, protocol);
    this.counts[result]++;
    return result;
  }

  private check(
    buf: Uint8Array,
    length: number,
    remote: IceRemoteAddress,
    protocol: IceProtocol,
  ): IceCheckResult {
    if (this._state === 'closed') return IceCheckResult.Closed;
    const v = this.view;
    const parsed = v.parse(buf, length);
    if (parsed !== StunParseResult.Ok) {
      // A request whose header holds together but whose body does not gets a 400.
      if (parsed === StunParseResult.TooShort || parsed === StunParseResult.NotStun)
        return IceCheckResult.Malformed;
      if ((buf[0] & 0x01) !== 0 || (buf[1] & 0x10) !== 0) return IceCheckResult.Malformed;
      this.sendError(buf, 400, remote, protocol, false);
      return IceCheckResult.BadRequest;
    }
    if (v.cls !== StunClass.Request) return IceCheckResult.Ignored;
    if (v.method !== StunMethod.Binding || v.fingerprintOffset < 0) {
      this.sendError(buf, 400, remote, protocol, false);
      return IceCheckResult.BadRequest;
    }
    if (!verifyStunFingerprint(v)) return IceCheckResult.BadFingerprint;
    if (v.usernameOffset < 0 || v.integrityOffset < 0 || v.priorityOffset < 0) {
      this.sendError(buf, 400, remote, protocol, false);
      return IceCheckResult.BadRequest;
    }
    // USERNAME is "ourUfrag:theirUfrag"; anything else is not ours and gets nothing. After a
    // restart the previous credentials still work until a check with the new ones (as mediasoup).
    const previous = this.previous;
    let key: Buffer;
    if (isForUfrag(buf, v, this.params.usernameFragment)) key = this.key;
    else if (previous && isForUfrag(buf, v, previous.params.usernameFragment)) key = previous.key;
    else return IceCheckResult.NotOurUfrag;
    if (!verifyStunIntegrity(v, key)) {
      this.sendError(buf, 401, remote, protocol, false);
      return IceCheckResult.Unauthenticated;
    }
    if (previous && key === this.key) this.dropPrevious();
    if (v.unknownRequiredCount > 0) {
      this.sendError(buf, 420, remote, protocol, true, key);
      return IceCheckResult.UnknownAttribute;
    }
    if (v.iceControlledOffset >= 0) {
      this.sendError(buf, 487, remote, protocol, true, key);
      return IceCheckResult.RoleConflict;
    }
    // Read everything needed from the request before `send`, which may reuse `buf`.
    const useCandidate = v.useCandidate;
    const nomination = v.nomination;
    const w = this.writer;
    try {
      w.begin(StunMethod.Binding, StunClass.SuccessResponse, buf, 8)
        .addAddress(remote.address, remote.port)
        .addIntegrity(key)
        .addFingerprint();
    } catch {
      // Only a caller passing a remote address that is not an IP gets here.
      return IceCheckResult.Malformed;
    }
    try {
      this.sendFn(w.buf.subarray(0, w.length) as Buffer, remote, protocol);
    } catch {
      // A failing transport must not break the receive path; the check itself was valid.
    }
    this.onValidRequest(remote, protocol, useCandidate, nomination);
    return IceCheckResult.Answered;
  }

  private sendError(
    request: Uint8Array,
    code: number,
    remote: IceRemoteAddress,
    protocol: IceProtocol,
    authenticated: boolean,
    key: Buffer = this.key,
  ): void {
    // Only a header with the magic cookie is answered: the transaction id is all we echo.
    if (
      ((request[4] << 24) | (request[5] << 16) | (request[6] << 8) | request[7]) !== STUN_MAGIC_COOKIE ||
      request.length < STUN_HEADER_LENGTH
    ) {
      return;
    }
    const method = stunMethodOf((request[0] << 8) | request[1]);
    const w = this.writer;
    w.begin(method, StunClass.ErrorResponse, request, 8).addErrorCode(code, StunErrorReason[code] ?? '');
    if (code === 420) w.addUnknownAttributes(this.view.unknownRequired, this.view.unknownRequiredCount);
    // 400/401 answer requests whose credentials we could not check: no MESSAGE-INTEGRITY (RFC 8489 §9.1.3).
    if (authenticated) w.addIntegrity(key);
    w.addFingerprint();
    try {
      this.sendFn(w.buf.subarray(0, w.length) as Buffer, remote, protocol);
    } catch {
      // A failing transport must not break the receive path.
    }
  }

  /** A request that authenticated: learn the tuple, move states, maybe switch the selected tuple. */
  private onValidRequest(
    remote: IceRemoteAddress,
    protocol: IceProtocol,
    useCandidate: boolean,
    nomination: number,
  ): void {
    this.lastConsentAt = this.now();
    let nominated: boolean;
    if (nomination >= 0) {
      nominated = nomination > this.remoteNomination;
      if (nominated) this.remoteNomination = nomination;
    } else {
      nominated = useCandidate;
    }
    const tuple = this.findOrAddTuple(remote, protocol);
    switch (this._state) {
      case 'new':
      case 'disconnected':
        this.setSelected(tuple);
        this.setState(nominated ? 'completed' : 'connected');
        this.armConsentTimer(this.consentTimeoutMs);
        break;
      case 'connected':
        if (nominated) {
          this.setSelected(tuple);
          this.setState('completed');
        }
        break;
      case 'completed':
        if (nominated) this.setSelected(tuple);
        break;
      default:
        break;
    }
  }

  private findTuple(remote: IceRemoteAddress, protocol: IceProtocol): number {
    const t = this._tuples;
    for (let i = 0; i < t.length; i++) {
      if (t[i].port === remote.port && t[i].protocol === protocol && t[i].address === remote.address)
        return i;
    }
    return -1;
  }

  private findOrAddTuple(remote: IceRemoteAddress, protocol: IceProtocol): IceTuple {
    const i = this.findTuple(remote, protocol);
    if (i >= 0) return this._tuples[i];
    const tuple: IceTuple = Object.freeze({
      address: remote.address,
      port: remote.port,
      family: remote.family,
      protocol,
    });
    this._tuples.unshift(tuple);
    if (this._tuples.length > this.maxTuples) {
      // Drop the oldest tuple that is not selected.
      for (let j = this._tuples.length - 1; j >= 0; j--) {
        if (this._tuples[j] !== this._selected) {
          this._tuples.splice(j, 1);
          break;
        }
      }
    }
    return tuple;
  }

  /** True when `remote` over `protocol` has sent a valid check: media from it may be accepted. */
  isValidTuple(remote: IceRemoteAddress, protocol: IceProtocol): boolean {
    return this.findTuple(remote, protocol) >= 0;
  }

  /** The validated tuple matching `remote` over `protocol`, or undefined. No allocation. */
  validTuple(remote: IceRemoteAddress, protocol: IceProtocol): IceTuple | undefined {
    const i = this.findTuple(remote, protocol);
    return i < 0 ? undefined : this._tuples[i];
  }

  /**
   * Forgets a tuple (its TCP connection closed, say). If it was selected,
   * the most recent other tuple is selected, or the agent is `disconnected`.
   */
  removeTuple(remote: IceRemoteAddress, protocol: IceProtocol): boolean {
    const i = this.findTuple(remote, protocol);
    if (i < 0) return false;
    const [removed] = this._tuples.splice(i, 1);
    if (removed === this._selected) {
      if (this._tuples.length > 0) {
        this.setSelected(this._tuples[0]);
      } else {
        this.disconnect();
      }
    }
    return true;
  }

  /**
   * ICE restart (RFC 8445 §9): new local credentials on the same transport.
   * As mediasoup's IceServer, the old ones keep working until the first check
   * with the new ones (then `previousufragdropped`); an earlier restart's
   * old ones go at once. Tuples and state are kept.
   */
  restartIce(opts: { usernameFragment?: string; password?: string } = {}): IceParameters {
    if (this._state === 'closed') throw new Error('IceLiteAgent is closed');
    const params = IceLiteAgent.makeParams(opts.usernameFragment, opts.password);
    if (this.previous) this.dropPrevious();
    this.previous = { params: this.params, key: this.key };
    this.params = params;
    this.key = Buffer.from(this.params.password, 'utf8');
    this.remoteNomination = 0;
    return this.localParameters;
  }

  private dropPrevious(): void {
    const ufrag = this.previous?.params.usernameFragment;
    this.previous = undefined;
    if (ufrag !== undefined) this.emit('previousufragdropped', ufrag);
  }

  /** Stops the agent: state `closed`, timers cleared, every later datagram is `Closed`. */
  close(): void {
    if (this._state === 'closed') return;
    this.clearConsentTimer();
    this._tuples.length = 0;
    this._selected = undefined;
    this.setState('closed');
    this.removeAllListeners();
  }

  private setState(state: IceState): void {
    if (this._state === state) return;
    this._state = state;
    this.emit('statechange', state);
  }

  private setSelected(tuple: IceTuple | undefined): void {
    if (this._selected === tuple) return;
    this._selected = tuple;
    this.emit('selectedtuplechange', tuple);
  }

  private disconnect(): void {
    this.clearConsentTimer();
    this._tuples.length = 0;
    this.remoteNomination = 0;
    this.setSelected(undefined);
    this.setState('disconnected');
  }

  private armConsentTimer(ms: number): void {
    this.clearConsentTimer();
    if (this.consentTimeoutMs <= 0) return;
    this.consentTimer = setTimeout(this.onConsentTimer, ms);
    this.consentTimer.unref?.();
  }

  private clearConsentTimer(): void {
    if (this.consentTimer !== undefined) clearTimeout(this.consentTimer);
    this.consentTimer = undefined;
  }

  /** One timer per agent, re-armed for the remaining time instead of per request. */
  private checkConsent(): void {
    this.consentTimer = undefined;
    if (this._state !== 'connected' && this._state !== 'completed') return;
    const idle = this.now() - this.lastConsentAt;
    if (idle >= this.consentTimeoutMs) this.disconnect();
    else this.armConsentTimer(this.consentTimeoutMs - idle);
  }
}

/** Whether the request's USERNAME is `ufrag:<theirs>`. */
function isForUfrag(buf: Uint8Array, v: StunMessageView, ufrag: string): boolean {
  const n = ufrag.length;
  return (
    v.usernameLength > n && buf[v.usernameOffset + n] === 0x3a && ufragEquals(buf, v.usernameOffset, n, ufrag)
  );
}
