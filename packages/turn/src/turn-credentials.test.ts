import { createHmac } from 'node:crypto';
import { longTermKey } from '@tsfu/ice-lite';
import { describe, expect, it } from 'vitest';
import { NonceIssuer } from './nonce.js';
import { TurnCredentials, turnRestCredentials } from './turn-credentials.js';

describe('TurnCredentials', () => {
  it('gives the MD5 long-term key of a static user and nothing for an unknown one', () => {
    const c = new TurnCredentials({ realm: 'r', users: { alice: 'pw' } });
    expect(c.keysFor('alice')).toEqual([longTermKey('alice', 'r', 'pw')]);
    expect(c.keysFor('bob')).toEqual([]);
  });

  it("accepts coturn's REST usernames until their expiry, with base64(HMAC-SHA1(secret, username))", () => {
    const now = 1_800_000_000_000;
    const c = new TurnCredentials({ realm: 'r', secret: ['new', 'old'] });
    const username = `${now / 1000 + 60}:alice`;
    const password = createHmac('sha1', 'old').update(username).digest('base64');
    expect(c.keysFor(username, now)).toContainEqual(longTermKey(username, 'r', password));
    expect(c.keysFor(username, now + 61_000)).toEqual([]);
    expect(c.keysFor('alice', now)).toEqual([]); // not a REST username, no static users
    const issued = turnRestCredentials('new', 'bob', 3600, now);
    expect(issued.username).toBe(`${now / 1000 + 3600}:bob`);
    expect(c.keysFor(issued.username, now)[0]).toEqual(longTermKey(issued.username, 'r', issued.credential));
  });

  it('asks a users function every time (a changed password takes effect)', () => {
    let password = 'one';
    const c = new TurnCredentials({ realm: 'r', users: (u) => (u === 'alice' ? password : undefined) });
    expect(c.keysFor('alice')).toEqual([longTermKey('alice', 'r', 'one')]);
    password = 'two';
    expect(c.keysFor('alice')).toEqual([longTermKey('alice', 'r', 'two')]);
  });

  it('refuses a configuration without credentials (an open relay)', () => {
    expect(() => new TurnCredentials({ realm: 'r' })).toThrow(TypeError);
    expect(() => new TurnCredentials({ realm: '', users: {} })).toThrow(TypeError);
  });
});

describe('NonceIssuer', () => {
  it('accepts its own nonces until they expire, and nothing forged', () => {
    const n = new NonceIssuer(10);
    const now = 1_800_000_000_000;
    const nonce = n.issue(now);
    expect(n.isValid(nonce, now)).toBe(true);
    expect(n.isValid(nonce, now + 10_001)).toBe(false);
    expect(new NonceIssuer(10).isValid(nonce, now)).toBe(false);
    const extended = (Number.parseInt(nonce.substring(0, 10), 16) + 100).toString(16).padStart(10, '0');
    expect(n.isValid(extended + nonce.substring(10), now + 10_001)).toBe(false);
    expect(n.isValid('short', now)).toBe(false);
  });
});
