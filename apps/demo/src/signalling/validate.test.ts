import { describe, expect, it } from 'vitest';
import { anyObject, bool, type Check, check, int, obj, oneOf, optional, str } from './validate.js';

type Row = [
  label: string,
  c: Check<unknown>,
  input: unknown,
  expected: { value: unknown } | { error: string },
];

const person = obj({ name: str({ max: 5 }), age: optional(int(0, 150)) });

const rows: Row[] = [
  ['str: ok', str(), 'abc', { value: 'abc' }],
  ['str: empty is below the default min 1', str(), '', { error: 'data: length must be 1..256' }],
  ['str: over max', str({ max: 3 }), 'abcd', { error: 'data: length must be 1..3' }],
  ['str: pattern', str({ pattern: /^[a-z]+$/ }), 'aB', { error: 'data: must match /^[a-z]+$/' }],
  ['str: a number is not a string', str(), 5, { error: 'data: expected a string' }],
  ['bool: ok', bool(), false, { value: false }],
  ['bool: not a string', bool(), 'true', { error: 'data: expected true or false' }],
  ['int: ok', int(0, 3), 3, { value: 3 }],
  ['int: above max', int(0, 3), 4, { error: 'data: expected an integer in 0..3' }],
  ['int: fraction', int(0, 3), 1.5, { error: 'data: expected an integer in 0..3' }],
  ['int: NaN', int(0, 3), Number.NaN, { error: 'data: expected an integer in 0..3' }],
  ['int: numeric string', int(0, 3), '1', { error: 'data: expected an integer in 0..3' }],
  ['oneOf: ok', oneOf('send', 'recv'), 'recv', { value: 'recv' }],
  ['oneOf: other', oneOf('send', 'recv'), 'both', { error: 'data: expected one of send, recv' }],
  ['anyObject: ok', anyObject(), { a: [1] }, { value: { a: [1] } }],
  ['anyObject: array', anyObject(), [], { error: 'data: expected an object' }],
  ['anyObject: null', anyObject(), null, { error: 'data: expected an object' }],
  ['obj: ok, optional absent', person, { name: 'Ada' }, { value: { name: 'Ada' } }],
  ['obj: ok, optional present', person, { name: 'Ada', age: 36 }, { value: { name: 'Ada', age: 36 } }],
  ['obj: missing field', person, { age: 3 }, { error: 'data.name: required' }],
  ['obj: unknown field', person, { name: 'A', admin: true }, { error: 'data: unknown field "admin"' }],
  [
    'obj: bad nested field',
    person,
    { name: 'A', age: -1 },
    { error: 'data.age: expected an integer in 0..150' },
  ],
  ['obj: a string is not an object', person, 'x', { error: 'data: expected an object' }],
  [
    'obj: __proto__ as an own key is unknown',
    person,
    JSON.parse('{"name":"A","__proto__":{"x":1}}'),
    { error: 'data: unknown field "__proto__"' },
  ],
  [
    'obj: nested path',
    obj({ a: obj({ b: int(0, 1) }) }),
    { a: { b: 2 } },
    { error: 'data.a.b: expected an integer in 0..1' },
  ],
];

describe('validate', () => {
  it.each(rows)('%s', (_label, c, input, expected) => {
    const r = check(c, input);
    if ('value' in expected) expect(r).toEqual({ ok: true, value: expected.value });
    else expect(r).toEqual({ ok: false, error: expected.error });
  });

  it('obj returns a new object holding only the checked fields', () => {
    const input = { name: 'Ada' };
    const r = check(person, input);
    expect(r.ok && r.value).not.toBe(input);
  });
});
