import { describe, expect, it } from 'vitest';
import { RFC5769_REQUEST } from './rfc5769-vectors.test-util.js';
import { bindingRequest } from './stun-request.test-util.js';
import { IceUfragTable } from './ufrag-table.js';

describe('IceUfragTable', () => {
  it('routes a check by the local ufrag of its USERNAME', () => {
    const t = new IceUfragTable<string>();
    t.set('evtj', 'worker-1');
    t.set('abcd1234', 'worker-2');
    expect(t.size).toBe(2);
    expect(t.lookup(RFC5769_REQUEST)).toBe('worker-1');
    const req = bindingRequest({ username: 'abcd1234:remote', password: 'p'.repeat(22) });
    expect(t.lookup(req, req.length)).toBe('worker-2');
  });

  const rows: { name: string; username: string; want: string | undefined }[] = [
    { name: 'unknown ufrag', username: 'zzzz:remote', want: undefined },
    { name: 'known ufrag as the remote part only', username: 'zzzz:abcd1234', want: undefined },
    { name: 'prefix of a known ufrag', username: 'abcd123:remote', want: undefined },
    { name: 'known ufrag plus a char', username: 'abcd12345:remote', want: undefined },
    { name: 'exact', username: 'abcd1234:x', want: 'w' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const t = new IceUfragTable<string>();
      t.set('abcd1234', 'w');
      const req = bindingRequest({ username: row.username, password: 'p'.repeat(22) });
      expect(t.lookup(req)).toBe(row.want);
    });
  }

  it('replace, get, delete', () => {
    const t = new IceUfragTable<number>();
    t.set('u1', 1);
    t.set('u1', 2);
    expect(t.size).toBe(1);
    expect(t.get('u1')).toBe(2);
    expect(t.delete('u1')).toBe(true);
    expect(t.delete('u1')).toBe(false);
    expect(t.get('u1')).toBeUndefined();
    expect(t.lookup(bindingRequest({ username: 'u1:x', password: 'p'.repeat(22) }))).toBeUndefined();
    expect(t.size).toBe(0);
  });

  it('many entries stay distinct', () => {
    const t = new IceUfragTable<number>();
    for (let i = 0; i < 5000; i++) t.set(`uf${i}`, i);
    expect(t.size).toBe(5000);
    for (const i of [0, 1, 777, 4999]) {
      expect(t.lookup(bindingRequest({ username: `uf${i}:x`, password: 'p'.repeat(22) }))).toBe(i);
    }
  });

  it('non-STUN and responses route nowhere', () => {
    const t = new IceUfragTable<number>();
    t.set('evtj', 1);
    expect(t.lookup(Uint8Array.of(0x80, 0x60, 0, 1))).toBeUndefined();
    const resp = Buffer.from(RFC5769_REQUEST);
    resp[1] = 0x01;
    resp[0] = 0x01; // success response class
    expect(t.lookup(resp)).toBeUndefined();
  });
});
