/**
 * STUN and the ICE-Lite agent fed hostile datagrams through @tsfu/ice-lite's
 * public entry. Beyond the package's own fuzz test (random bytes, one byte
 * changed in a valid check): checks built by the package's writer with random
 * attribute sets, and mutated checks whose header length and FINGERPRINT are
 * repaired so they get past the cheap filters into attribute parsing and
 * MESSAGE-INTEGRITY. No throw; nothing stored unless it authenticates; every
 * datagram lands in exactly one counter.
 */
import {
  computeStunFingerprint,
  type IceCheckCounters,
  IceCheckResult,
  IceLiteAgent,
  StunAttr,
  StunClass,
  StunMessageView,
  StunMessageWriter,
  StunMethod,
  StunParseResult,
  verifyStunFingerprint,
  verifyStunIntegrity,
} from '@tsfu/ice-lite';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutate, mutation } from './mutate.js';

const UFRAG = 'reliabUfrag';
const PASSWORD = 'reliabilityPassword0123';
const remote = { address: '127.0.0.1', port: 9, family: 'IPv4' };

function counted(c: IceCheckCounters): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

function readAll(v: StunMessageView): void {
  for (const k of [
    'username',
    'software',
    'errorCode',
    'unknownAttributes',
    'xorMappedAddress',
    'mappedAddress',
    'priority',
    'nomination',
    'iceControllingTieBreaker',
    'iceControlledTieBreaker',
    'realm',
    'nonce',
    'fingerprint',
  ] as const)
    void v[k];
  v.transactionIdHex();
}

const attribute = fc.record({
  type: fc.oneof(
    fc.constantFrom(...Object.values(StunAttr)),
    fc.nat(0xffff), // includes comprehension-required unknowns (< 0x8000)
  ),
  value: fc.uint8Array({ maxLength: 40 }),
});

type CheckSpec = {
  method: number;
  cls: StunClass;
  username: string;
  attrs: { type: number; value: Uint8Array }[];
  integrity: 'right' | 'wrong' | 'none';
  fingerprint: boolean;
};

/** A request from the package's own writer: real structure, arbitrary content. */
const check: fc.Arbitrary<CheckSpec> = fc.record({
  method: fc.oneof(fc.constant(StunMethod.Binding), fc.nat(0xfff)),
  cls: fc.constantFrom(
    StunClass.Request,
    StunClass.Indication,
    StunClass.SuccessResponse,
    StunClass.ErrorResponse,
  ),
  username: fc.oneof(fc.constant(`${UFRAG}:peer`), fc.string({ maxLength: 30 })),
  attrs: fc.array(attribute, { maxLength: 6 }),
  integrity: fc.constantFrom('right', 'wrong', 'none'),
  fingerprint: fc.boolean(),
});

function build(c: CheckSpec): Buffer {
  const w = new StunMessageWriter(new Uint8Array(2048));
  w.begin(c.method, c.cls);
  w.addString(StunAttr.Username, c.username);
  for (const a of c.attrs) w.addBytes(a.type, a.value);
  if (c.integrity !== 'none')
    w.addIntegrity(Buffer.from(c.integrity === 'right' ? PASSWORD : 'not-the-password'));
  if (c.fingerprint) w.addFingerprint();
  return w.toBuffer();
}

/** Repairs the header's length and a trailing FINGERPRINT so a mutant passes the cheap filters. */
function repair(b: Buffer): Buffer {
  if (b.length < 20) return b;
  const out = b.subarray(0, 20 + ((b.length - 20) & ~3));
  out[0] &= 0x3f;
  out.writeUInt16BE(out.length - 20, 2);
  out.writeUInt32BE(0x2112a442, 4);
  if (out.length >= 28 && out.readUInt16BE(out.length - 8) === StunAttr.Fingerprint) {
    out.writeUInt32BE(computeStunFingerprint(out, out.length - 8), out.length - 4);
  }
  return out;
}

function feed(agent: IceLiteAgent, view: StunMessageView, buf: Buffer): IceCheckResult {
  if (view.parse(buf, buf.length) === StunParseResult.Ok) {
    readAll(view);
    verifyStunFingerprint(view);
    verifyStunIntegrity(view, Buffer.from(PASSWORD));
  }
  return agent.handleStun(buf, buf.length, remote, 'udp');
}

describe('STUN / ICE-Lite agent under hostile checks', () => {
  it('writer-built checks with random attributes: unauthenticated ones leave no tuple, all are counted', () => {
    const agent = new IceLiteAgent({ send: () => {}, usernameFragment: UFRAG, password: PASSWORD });
    const view = new StunMessageView();
    let fed = 0;
    fc.assert(
      fc.property(check, (spec) => {
        const r = feed(agent, view, build(spec));
        fed++;
        if (spec.integrity !== 'right') {
          expect(r).not.toBe(IceCheckResult.Answered);
          expect(agent.tuples).toHaveLength(0);
        }
      }),
      { seed: 0x57, numRuns: 1500 },
    );
    expect(counted(agent.counters)).toBe(fed);
    expect(agent.tuples.length).toBeLessThanOrEqual(1); // one remote address at most
  });

  it('mutants of a valid check with repaired length and FINGERPRINT: nothing stored, every one counted', () => {
    const valid = build({
      method: StunMethod.Binding,
      cls: StunClass.Request,
      username: `${UFRAG}:peer`,
      attrs: [
        { type: StunAttr.Priority, value: Uint8Array.of(0x6e, 0x7f, 0x1e, 0xff) },
        { type: StunAttr.IceControlling, value: new Uint8Array(8).fill(3) },
        { type: StunAttr.UseCandidate, value: new Uint8Array(0) },
      ],
      integrity: 'right',
      fingerprint: true,
    });
    const ok = new IceLiteAgent({ send: () => {}, usernameFragment: UFRAG, password: PASSWORD });
    expect(ok.handleStun(valid, valid.length, remote, 'udp')).toBe(IceCheckResult.Answered);
    const agent = new IceLiteAgent({ send: () => {}, usernameFragment: UFRAG, password: PASSWORD });
    const view = new StunMessageView();
    let fed = 0;
    let pastFingerprint = 0;
    fc.assert(
      fc.property(mutation(valid), (m) => {
        const buf = repair(mutate(valid, m));
        const r = feed(agent, view, buf);
        fed++;
        if (r !== IceCheckResult.Malformed && r !== IceCheckResult.BadFingerprint) pastFingerprint++;
        // HMAC covers what was changed: only an unchanged prefix of the check may still pass.
        if (r === IceCheckResult.Answered) expect(buf.subarray(0, valid.length).equals(valid)).toBe(true);
      }),
      { seed: 0x4571, numRuns: 2000 },
    );
    expect(counted(agent.counters)).toBe(fed);
    // The repair works: a good share reaches USERNAME/INTEGRITY handling.
    expect(pastFingerprint).toBeGreaterThan(fed / 10);
    if (agent.counters.answered === 0) expect(agent.tuples).toHaveLength(0);
  });

  it('valid checks from many new tuples keep at most maxTuples', () => {
    const valid = build({
      method: StunMethod.Binding,
      cls: StunClass.Request,
      username: `${UFRAG}:peer`,
      attrs: [
        { type: StunAttr.Priority, value: Uint8Array.of(0, 0, 0, 1) },
        { type: StunAttr.IceControlling, value: new Uint8Array(8) },
      ],
      integrity: 'right',
      fingerprint: true,
    });
    const agent = new IceLiteAgent({ send: () => {}, usernameFragment: UFRAG, password: PASSWORD });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.nat(255), (port, last) => {
        agent.handleStun(valid, valid.length, { address: `10.0.0.${last}`, port, family: 'IPv4' }, 'udp');
        expect(agent.tuples.length).toBeLessThanOrEqual(8);
      }),
      { seed: 8, numRuns: 300 },
    );
    expect(agent.counters.answered).toBe(300);
  });
});
