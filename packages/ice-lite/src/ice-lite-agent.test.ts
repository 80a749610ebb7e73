import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IceProtocol } from './ice-candidate.js';
import {
  IceCheckResult,
  IceLiteAgent,
  type IceRemoteAddress,
  type IceState,
  type IceTuple,
} from './ice-lite-agent.js';
import { RFC5769_PASSWORD, RFC5769_REQUEST } from './rfc5769-vectors.test-util.js';
import { StunAttr, StunClass } from './stun-constants.js';
import { verifyStunFingerprint, verifyStunIntegrity } from './stun-integrity.js';
import { StunMessageView, StunParseResult } from './stun-message-view.js';
import { bindingRequest } from './stun-request.test-util.js';

const UFRAG = 'liteUfrag1';
const PASSWORD = 'litePassword0123456789abcdef';
const A: IceRemoteAddress = { address: '192.0.2.10', port: 5000, family: 'IPv4' };
const B: IceRemoteAddress = { address: '2001:db8::20', port: 6000, family: 'IPv6' };

interface Sent {
  bytes: Buffer;
  remote: IceRemoteAddress;
  protocol: IceProtocol;
}

function makeAgent(extra: { consentTimeoutMs?: number; maxTuples?: number } = {}) {
  const sent: Sent[] = [];
  const agent = new IceLiteAgent({
    send: (data, remote, protocol) => sent.push({ bytes: Buffer.from(data), remote, protocol }),
    usernameFragment: UFRAG,
    password: PASSWORD,
    ...extra,
  });
  const states: IceState[] = [];
  const selected: (IceTuple | undefined)[] = [];
  agent.on('statechange', (s) => states.push(s));
  agent.on('selectedtuplechange', (t) => selected.push(t));
  return { agent, sent, states, selected };
}

function check(
  agent: IceLiteAgent,
  remote: IceRemoteAddress,
  opts: Partial<Parameters<typeof bindingRequest>[0]> = {},
  protocol: IceProtocol = 'udp',
) {
  const req = bindingRequest({ username: `${UFRAG}:peer`, password: PASSWORD, ...opts });
  return agent.handleStun(req, req.length, remote, protocol);
}

function parse(bytes: Buffer): StunMessageView {
  const v = new StunMessageView();
  expect(v.parse(bytes)).toBe(StunParseResult.Ok);
  return v;
}

describe('IceLiteAgent: answers', () => {
  it('answers a valid check with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT', () => {
    const { agent, sent } = makeAgent();
    const req = bindingRequest({ username: `${UFRAG}:peer`, password: PASSWORD });
    expect(agent.handleStun(req, req.length, A, 'udp')).toBe(IceCheckResult.Answered);
    expect(sent).toHaveLength(1);
    expect(sent[0].remote).toBe(A);
    const v = parse(sent[0].bytes);
    expect(v.cls).toBe(StunClass.SuccessResponse);
    expect(Buffer.from(sent[0].bytes.subarray(8, 20))).toEqual(req.subarray(8, 20));
    expect(v.xorMappedAddress).toEqual({ family: 'IPv4', address: A.address, port: A.port });
    expect(verifyStunIntegrity(v, Buffer.from(PASSWORD))).toBe(true);
    expect(verifyStunFingerprint(v)).toBe(true);
  });

  it('maps an IPv6 source into an IPv6 XOR-MAPPED-ADDRESS', () => {
    const { agent, sent } = makeAgent();
    expect(check(agent, B)).toBe(IceCheckResult.Answered);
    expect(parse(sent[0].bytes).xorMappedAddress).toEqual({
      family: 'IPv6',
      address: '2001:db8::20',
      port: 6000,
    });
  });

  it('a remote address that is not an IP (caller error) is dropped, not thrown', () => {
    const { agent, sent } = makeAgent();
    expect(check(agent, { address: 'not-an-ip', port: 1, family: 'IPv4' })).toBe(IceCheckResult.Malformed);
    expect(sent).toHaveLength(0);
    expect(agent.tuples).toHaveLength(0);
  });

  it('RFC 5769 §2.1 request (ICE-CONTROLLED) gets an authenticated 487', () => {
    const sent: Buffer[] = [];
    const agent = new IceLiteAgent({
      send: (d) => sent.push(Buffer.from(d)),
      usernameFragment: 'evtj',
      password: RFC5769_PASSWORD,
    });
    expect(agent.handleStun(RFC5769_REQUEST, RFC5769_REQUEST.length, A, 'udp')).toBe(
      IceCheckResult.RoleConflict,
    );
    const v = parse(sent[0]);
    expect(v.cls).toBe(StunClass.ErrorResponse);
    expect(v.errorCode).toEqual({ code: 487, reason: 'Role Conflict' });
    expect(verifyStunIntegrity(v, Buffer.from(RFC5769_PASSWORD))).toBe(true);
    expect(verifyStunFingerprint(v)).toBe(true);
    expect(agent.state).toBe('new');
    expect(agent.tuples).toHaveLength(0);
  });

  const rows: {
    name: string;
    opts: Partial<Parameters<typeof bindingRequest>[0]>;
    want: IceCheckResult;
    code?: number;
    authenticated?: boolean;
  }[] = [
    {
      name: 'wrong password → 401',
      opts: { password: 'wrongPassword0123456789abc' },
      want: IceCheckResult.Unauthenticated,
      code: 401,
    },
    {
      name: 'no MESSAGE-INTEGRITY → 400',
      opts: { integrity: false },
      want: IceCheckResult.BadRequest,
      code: 400,
    },
    { name: 'no PRIORITY → 400', opts: { priority: null }, want: IceCheckResult.BadRequest, code: 400 },
    {
      name: 'no FINGERPRINT → 400',
      opts: { fingerprint: false },
      want: IceCheckResult.BadRequest,
      code: 400,
    },
    {
      name: 'not a Binding (method 0x003) → 400',
      opts: { method: 0x003 },
      want: IceCheckResult.BadRequest,
      code: 400,
    },
    {
      name: 'unknown comprehension-required attribute → 420 listing it',
      opts: { extra: [{ type: 0x0033, value: Uint8Array.of(1, 2, 3, 4) }] },
      want: IceCheckResult.UnknownAttribute,
      code: 420,
      authenticated: true,
    },
    {
      name: 'ICE-CONTROLLED → 487',
      opts: { controlled: true },
      want: IceCheckResult.RoleConflict,
      code: 487,
      authenticated: true,
    },
    {
      name: 'ufrag of someone else → dropped',
      opts: { username: 'otherUfrag:peer' },
      want: IceCheckResult.NotOurUfrag,
    },
    {
      name: 'ufrag that only starts with ours → dropped',
      opts: { username: `${UFRAG}x:peer` },
      want: IceCheckResult.NotOurUfrag,
    },
    {
      name: 'USERNAME without a colon → dropped',
      opts: { username: UFRAG },
      want: IceCheckResult.NotOurUfrag,
    },
    {
      name: 'unknown comprehension-optional attribute → ignored, answered',
      opts: { extra: [{ type: 0x8077, value: Uint8Array.of(9) }] },
      want: IceCheckResult.Answered,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const { agent, sent, states } = makeAgent();
      expect(check(agent, A, row.opts)).toBe(row.want);
      if (row.code === undefined) {
        expect(sent.length).toBe(row.want === IceCheckResult.Answered ? 1 : 0);
      } else {
        expect(sent).toHaveLength(1);
        const v = parse(sent[0].bytes);
        expect(v.cls).toBe(StunClass.ErrorResponse);
        expect(v.errorCode?.code).toBe(row.code);
        expect(verifyStunFingerprint(v)).toBe(true);
        expect(v.integrityOffset >= 0).toBe(row.authenticated === true);
        if (row.authenticated) expect(verifyStunIntegrity(v, Buffer.from(PASSWORD))).toBe(true);
        if (row.code === 420) expect(v.unknownAttributes).toEqual([0x0033]);
      }
      if (row.want !== IceCheckResult.Answered) {
        expect(states).toEqual([]);
        expect(agent.tuples).toHaveLength(0);
        expect(agent.selectedTuple).toBeUndefined();
      }
    });
  }

  it('drops a check with a bad FINGERPRINT without answering', () => {
    const { agent, sent } = makeAgent();
    const req = bindingRequest({ username: `${UFRAG}:peer`, password: PASSWORD });
    req[req.length - 1] ^= 0xff;
    expect(agent.handleStun(req, req.length, A, 'udp')).toBe(IceCheckResult.BadFingerprint);
    expect(sent).toHaveLength(0);
  });

  it('answers 400 to a request whose attributes are malformed, drops non-STUN', () => {
    const { agent, sent } = makeAgent();
    const req = bindingRequest({ username: `${UFRAG}:peer`, password: PASSWORD });
    req[22] = 0xff; // USERNAME length now overruns the message
    expect(agent.handleStun(req, req.length, A, 'udp')).toBe(IceCheckResult.BadRequest);
    expect(parse(sent[0].bytes).errorCode?.code).toBe(400);
    const rtp = Buffer.from([0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(agent.handleStun(rtp, rtp.length, A, 'udp')).toBe(IceCheckResult.Malformed);
    expect(agent.handleStun(req, 10, A, 'udp')).toBe(IceCheckResult.Malformed);
    expect(sent).toHaveLength(1);
    expect(agent.counters).toMatchObject({ badRequest: 1, malformed: 2 });
  });

  it('ignores indications and responses', () => {
    const { agent, sent } = makeAgent();
    const req = bindingRequest({ username: `${UFRAG}:peer`, password: PASSWORD });
    req[1] |= 0x10; // Binding Indication
    expect(agent.handleStun(req, req.length, A, 'udp')).toBe(IceCheckResult.Ignored);
    expect(sent).toHaveLength(0);
  });

  it('survives a send callback that throws', () => {
    const agent = new IceLiteAgent({
      send: () => {
        throw new Error('socket gone');
      },
      usernameFragment: UFRAG,
      password: PASSWORD,
    });
    expect(check(agent, A)).toBe(IceCheckResult.Answered);
    expect(agent.state).toBe('connected');
  });
});

describe('IceLiteAgent: states and nomination', () => {
  it('new → connected on a plain check → completed on USE-CANDIDATE', () => {
    const { agent, states, selected } = makeAgent();
    check(agent, A);
    expect(agent.state).toBe('connected');
    expect(agent.selectedTuple).toMatchObject({ ...A, protocol: 'udp' });
    check(agent, A, { useCandidate: true });
    expect(agent.state).toBe('completed');
    expect(states).toEqual(['connected', 'completed']);
    expect(selected).toHaveLength(1);
  });

  it('new → completed directly with aggressive nomination', () => {
    const { agent, states } = makeAgent();
    check(agent, A, { useCandidate: true });
    expect(states).toEqual(['completed']);
  });

  it('switches the selected tuple when the peer nominates another pair', () => {
    const { agent, selected } = makeAgent();
    check(agent, A, { useCandidate: true });
    check(agent, B); // validated, not nominated: selection stays
    expect(agent.selectedTuple).toMatchObject({ address: A.address });
    expect(agent.tuples).toHaveLength(2);
    check(agent, B, { useCandidate: true });
    expect(agent.selectedTuple).toMatchObject({ address: B.address, family: 'IPv6' });
    check(agent, A, { useCandidate: true });
    expect(agent.selectedTuple).toMatchObject({ address: A.address });
    expect(selected.map((t) => t?.address)).toEqual([A.address, B.address, A.address]);
    expect(agent.state).toBe('completed');
  });

  it('the same address over TCP is another tuple', () => {
    const { agent } = makeAgent();
    check(agent, A, { useCandidate: true });
    check(agent, A, { useCandidate: true }, 'tcp');
    expect(agent.selectedTuple?.protocol).toBe('tcp');
    expect(agent.isValidTuple(A, 'udp')).toBe(true);
    expect(agent.isValidTuple(A, 'tcp')).toBe(true);
  });

  it('renomination: only a higher NOMINATION value moves the selection', () => {
    const { agent } = makeAgent();
    check(agent, A, { nomination: 1 });
    expect(agent.state).toBe('completed');
    check(agent, B, { nomination: 1 });
    expect(agent.selectedTuple?.address).toBe(A.address);
    check(agent, B, { nomination: 2 });
    expect(agent.selectedTuple?.address).toBe(B.address);
    check(agent, A, { nomination: 2, useCandidate: true });
    expect(agent.selectedTuple?.address).toBe(B.address);
    check(agent, A, { nomination: 3 });
    expect(agent.selectedTuple?.address).toBe(A.address);
  });

  it('an unauthenticated check cannot add a tuple or move the selection', () => {
    const { agent, selected } = makeAgent();
    check(agent, A, { useCandidate: true });
    expect(check(agent, B, { useCandidate: true, password: 'attackerPassword0123456789' })).toBe(
      IceCheckResult.Unauthenticated,
    );
    expect(check(agent, B, { useCandidate: true, nomination: 99, username: 'other:peer' })).toBe(
      IceCheckResult.NotOurUfrag,
    );
    expect(agent.selectedTuple?.address).toBe(A.address);
    expect(agent.isValidTuple(B, 'udp')).toBe(false);
    expect(selected).toHaveLength(1);
  });

  it('keeps at most maxTuples, never evicting the selected one', () => {
    const { agent } = makeAgent({ maxTuples: 2 });
    check(agent, A, { useCandidate: true });
    for (let p = 1; p <= 3; p++) check(agent, { address: '192.0.2.99', port: p, family: 'IPv4' });
    expect(agent.tuples).toHaveLength(2);
    expect(agent.isValidTuple(A, 'udp')).toBe(true);
    expect(agent.isValidTuple({ address: '192.0.2.99', port: 3, family: 'IPv4' }, 'udp')).toBe(true);
  });

  it('removeTuple falls back to another tuple, then to disconnected', () => {
    const { agent, states } = makeAgent();
    check(agent, A);
    check(agent, B, { useCandidate: true });
    expect(agent.removeTuple(B, 'udp')).toBe(true);
    expect(agent.selectedTuple?.address).toBe(A.address);
    expect(agent.removeTuple(A, 'udp')).toBe(true);
    expect(agent.selectedTuple).toBeUndefined();
    expect(agent.state).toBe('disconnected');
    expect(agent.removeTuple(A, 'udp')).toBe(false);
    expect(states).toEqual(['connected', 'completed', 'disconnected']);
  });

  it('close() ends everything', () => {
    const { agent, states } = makeAgent();
    check(agent, A, { useCandidate: true });
    agent.close();
    expect(agent.state).toBe('closed');
    expect(states.at(-1)).toBe('closed');
    expect(check(agent, A)).toBe(IceCheckResult.Closed);
    expect(agent.selectedTuple).toBeUndefined();
  });
});

describe('IceLiteAgent: consent freshness and ICE restart (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('disconnects after 30 s without a valid check, and recovers when checks return', () => {
    const { agent, states, selected } = makeAgent();
    check(agent, A, { useCandidate: true });
    // Checks every 5 s keep consent.
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(5_000);
      check(agent, A);
    }
    expect(agent.state).toBe('completed');
    // Unauthenticated checks do not refresh consent.
    vi.advanceTimersByTime(15_000);
    check(agent, A, { password: 'wrongPassword0123456789abc' });
    vi.advanceTimersByTime(14_999);
    expect(agent.state).toBe('completed');
    vi.advanceTimersByTime(1);
    expect(agent.state).toBe('disconnected');
    expect(agent.selectedTuple).toBeUndefined();
    expect(agent.isValidTuple(A, 'udp')).toBe(false);
    expect(selected.at(-1)).toBeUndefined();
    // Back: a plain check → connected; a nomination → completed.
    check(agent, A);
    expect(agent.state).toBe('connected');
    check(agent, A, { useCandidate: true });
    expect(agent.state).toBe('completed');
    expect(states).toEqual(['completed', 'disconnected', 'connected', 'completed']);
  });

  it('honours a configured consent timeout', () => {
    const { agent } = makeAgent({ consentTimeoutMs: 2_000 });
    check(agent, A);
    vi.advanceTimersByTime(1_999);
    expect(agent.state).toBe('connected');
    vi.advanceTimersByTime(1);
    expect(agent.state).toBe('disconnected');
  });

  it('consentTimeoutMs 0 disables consent expiry', () => {
    const { agent } = makeAgent({ consentTimeoutMs: 0 });
    check(agent, A);
    vi.advanceTimersByTime(3_600_000);
    expect(agent.state).toBe('connected');
  });

  it('ICE restart: new credentials work, the old ones until the first check with the new (as mediasoup)', () => {
    const { agent, sent } = makeAgent();
    const dropped: string[] = [];
    agent.on('previousufragdropped', (u) => dropped.push(u));
    check(agent, A, { useCandidate: true });
    const before = agent.localParameters;
    const after = agent.restartIce();
    expect(after.usernameFragment).not.toBe(before.usernameFragment);
    expect(after.password).not.toBe(before.password);
    expect(agent.localParameters).toEqual(after);
    expect(agent.previousUsernameFragment).toBe(before.usernameFragment);
    // Old credentials still answer (signed with the old password) until the peer switches.
    expect(check(agent, A)).toBe(IceCheckResult.Answered);
    expect(verifyStunIntegrity(parse(sent.at(-1)!.bytes), Buffer.from(PASSWORD))).toBe(true);
    // Old password with the new ufrag: 401, and the old credentials stay.
    const mixed = bindingRequest({ username: `${after.usernameFragment}:peer`, password: PASSWORD });
    expect(agent.handleStun(mixed, mixed.length, A, 'udp')).toBe(IceCheckResult.Unauthenticated);
    expect(dropped).toEqual([]);
    const fresh = bindingRequest({ username: `${after.usernameFragment}:peer2`, password: after.password });
    expect(agent.handleStun(fresh, fresh.length, A, 'udp')).toBe(IceCheckResult.Answered);
    expect(verifyStunIntegrity(parse(sent.at(-1)!.bytes), Buffer.from(after.password))).toBe(true);
    expect(agent.state).toBe('completed');
    // The first check with the new credentials retired the old ones.
    expect(dropped).toEqual([before.usernameFragment]);
    expect(agent.previousUsernameFragment).toBeUndefined();
    expect(check(agent, A)).toBe(IceCheckResult.NotOurUfrag);
    // Consent continues on the new credentials only.
    for (let i = 0; i < 8; i++) {
      vi.advanceTimersByTime(5_000);
      check(agent, A, { username: `${before.usernameFragment}:peer`, password: before.password });
    }
    expect(agent.state).toBe('disconnected');
  });

  it('ICE restart twice before any check: only the latest previous credentials are kept', () => {
    const { agent } = makeAgent();
    const dropped: string[] = [];
    agent.on('previousufragdropped', (u) => dropped.push(u));
    const first = agent.restartIce();
    agent.restartIce();
    expect(dropped).toEqual([UFRAG]);
    expect(agent.previousUsernameFragment).toBe(first.usernameFragment);
    expect(check(agent, A)).toBe(IceCheckResult.NotOurUfrag);
    const req = bindingRequest({ username: `${first.usernameFragment}:peer`, password: first.password });
    expect(agent.handleStun(req, req.length, A, 'udp')).toBe(IceCheckResult.Answered);
  });
});

describe('IceLiteAgent: credentials', () => {
  it('random credentials: 16-char ufrag and 32-char password of ice-chars, different each time', () => {
    const a = new IceLiteAgent({ send: () => {} }).localParameters;
    const b = new IceLiteAgent({ send: () => {} }).localParameters;
    expect(a.usernameFragment).toMatch(/^[A-Za-z0-9+/]{16}$/);
    expect(a.password).toMatch(/^[A-Za-z0-9+/]{32}$/);
    expect(a.iceLite).toBe(true);
    expect(a.usernameFragment).not.toBe(b.usernameFragment);
    expect(a.password).not.toBe(b.password);
  });

  it('rejects credentials outside the ice-char set or too short', () => {
    expect(() => new IceLiteAgent({ send: () => {}, usernameFragment: 'a:b:c' })).toThrow(TypeError);
    expect(() => new IceLiteAgent({ send: () => {}, password: 'short' })).toThrow(TypeError);
  });

  it('reads STUN attribute numbers the RFCs assign', () => {
    expect(StunAttr.UseCandidate).toBe(0x0025);
    expect(StunAttr.IceControlling).toBe(0x802a);
  });
});
