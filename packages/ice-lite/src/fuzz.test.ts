/**
 * Bad input never crashes: random bytes and mutated valid checks go through
 * every receive-path entry point without throwing, and a mutated check never
 * validates a tuple unless it still authenticates.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyPacket } from './demux.js';
import { IceCheckResult, IceLiteAgent } from './ice-lite-agent.js';
import { Rfc4571Deframer } from './rfc4571-framing.js';
import { verifyStunFingerprint, verifyStunIntegrity } from './stun-integrity.js';
import { StunMessageView, StunParseResult } from './stun-message-view.js';
import { bindingRequest } from './stun-request.test-util.js';
import { localUfragRange } from './stun-username.js';

const UFRAG = 'fuzzUfrag';
const PASSWORD = 'fuzzPassword0123456789';
const remote = { address: '127.0.0.1', port: 9, family: 'IPv4' };

function readAll(v: StunMessageView): void {
  void v.username;
  void v.software;
  void v.errorCode;
  void v.unknownAttributes;
  void v.xorMappedAddress;
  void v.mappedAddress;
  void v.priority;
  void v.nomination;
  void v.iceControllingTieBreaker;
  void v.iceControlledTieBreaker;
  void v.realm;
  void v.nonce;
}

describe('fuzz', () => {
  it('random bytes (with a STUN-looking header half the time) never throw', () => {
    const agent = new IceLiteAgent({ send: () => {}, usernameFragment: UFRAG, password: PASSWORD });
    const view = new StunMessageView();
    const header = Uint8Array.of(0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.nat(220), (bytes, stunish, cut) => {
        const buf = new Uint8Array(bytes.length + (stunish ? 8 : 0));
        if (stunish) {
          buf.set(header);
          buf.set(bytes, 8);
          const body = Math.max(0, buf.length - 20) & ~3;
          buf[2] = body >> 8;
          buf[3] = body & 0xff;
        } else {
          buf.set(bytes);
        }
        const length = Math.min(cut, buf.length);
        if (view.parse(buf, length) === StunParseResult.Ok) {
          readAll(view);
          verifyStunFingerprint(view);
          verifyStunIntegrity(view, Buffer.from(PASSWORD));
        }
        localUfragRange(buf, length);
        classifyPacket(buf, length);
        const r = agent.handleStun(buf, length, remote, 'udp');
        expect(r).not.toBe(IceCheckResult.Answered);
      }),
      { numRuns: 3000 },
    );
    expect(agent.tuples).toHaveLength(0);
  });

  it('a valid check with any one byte changed is never accepted (FINGERPRINT and HMAC cover every byte)', () => {
    const request = bindingRequest({ username: `${UFRAG}:peer1`, password: PASSWORD, useCandidate: true });
    fc.assert(
      fc.property(fc.nat(request.length - 1), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const agent = new IceLiteAgent({ send: () => {}, usernameFragment: UFRAG, password: PASSWORD });
        const buf = Buffer.from(request);
        buf[at] ^= x;
        const r = agent.handleStun(buf, buf.length, remote, 'udp');
        expect(r).not.toBe(IceCheckResult.Answered);
        expect(agent.state).toBe('new');
      }),
      { numRuns: 2000 },
    );
  });

  it('the deframer takes any chunking of random bytes without throwing', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        let total = 0;
        const d = new Rfc4571Deframer((f) => {
          total += f.length;
        }, 300);
        for (const c of chunks) if (!d.push(c)) break;
        expect(total).toBeLessThanOrEqual(chunks.reduce((n, c) => n + c.length, 0));
      }),
      { numRuns: 1000 },
    );
  });
});
