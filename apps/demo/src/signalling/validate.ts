/**
 * A small schema checker for untrusted JSON: each `Check<T>` either returns
 * the value typed as `T` or a path-qualified reason. No exceptions, so a
 * malformed message can only ever become an error response.
 */

export type CheckResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** A validator for one JSON value. `Infer<typeof check>` is the type it admits. */
export type Check<T> = (value: unknown, path: string) => CheckResult<T>;
export type Infer<C> = C extends Check<infer T> ? T : never;

const ok = <T>(value: T): CheckResult<T> => ({ ok: true, value });
const fail = (path: string, what: string): CheckResult<never> => ({ ok: false, error: `${path}: ${what}` });

export interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
}

/** A string, by default 1..256 characters. */
export function str(rule: StringRule = {}): Check<string> {
  const min = rule.min ?? 1;
  const max = rule.max ?? 256;
  return (v, path) => {
    if (typeof v !== 'string') return fail(path, 'expected a string');
    if (v.length < min || v.length > max) return fail(path, `length must be ${min}..${max}`);
    if (rule.pattern && !rule.pattern.test(v)) return fail(path, `must match ${rule.pattern}`);
    return ok(v);
  };
}

/** An integer in [min, max]. */
export function int(min: number, max: number): Check<number> {
  return (v, path) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? ok(v)
      : fail(path, `expected an integer in ${min}..${max}`);
}

/** true or false. */
export function bool(): Check<boolean> {
  return (v, path) => (typeof v === 'boolean' ? ok(v) : fail(path, 'expected true or false'));
}

/** One of the given string literals. */
export function oneOf<const L extends readonly string[]>(...literals: L): Check<L[number]> {
  return (v, path) =>
    typeof v === 'string' && (literals as readonly string[]).includes(v)
      ? ok(v as L[number])
      : fail(path, `expected one of ${literals.join(', ')}`);
}

/**
 * Any JSON object (not an array, not null), kept as is. For parameters that
 * the SFU validates in depth itself (RTP parameters, capabilities, DTLS
 * parameters): its `TypeError`s become error responses too.
 */
export function anyObject<T extends object = Record<string, unknown>>(): Check<T> {
  return (v, path) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? ok(v as T) : fail(path, 'expected an object');
}

type Shape = Record<string, Check<unknown>>;
type Optional<C> = C & { optional: true };
type ObjectOf<S extends Shape> = {
  [K in keyof S as S[K] extends { optional: true } ? never : K]: Infer<S[K]>;
} & {
  [K in keyof S as S[K] extends { optional: true } ? K : never]?: Infer<S[K]>;
};

/** Marks a field of {@link obj} as optional (absent or `undefined`). */
export function optional<T>(check: Check<T>): Optional<Check<T>> {
  return Object.assign((v: unknown, path: string) => check(v, path), { optional: true as const });
}

/**
 * An object with exactly these fields (unknown fields are rejected: a typo in
 * a client is better reported than silently ignored). The result is a new
 * object holding only the checked fields.
 */
export function obj<S extends Shape>(shape: S): Check<ObjectOf<S>> {
  const keys = Object.keys(shape);
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, 'expected an object');
    const input = v as Record<string, unknown>;
    for (const k of Object.keys(input))
      if (!Object.hasOwn(shape, k)) return fail(path, `unknown field "${k}"`);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const check = shape[k] as Check<unknown> & { optional?: true };
      const field = input[k];
      if (field === undefined) {
        if (check.optional) continue;
        return fail(`${path}.${k}`, 'required');
      }
      const r = check(field, `${path}.${k}`);
      if (!r.ok) return r;
      out[k] = r.value;
    }
    return ok(out as ObjectOf<S>);
  };
}

/** Runs a check at the root of a value (path `data`). */
export function check<T>(c: Check<T>, value: unknown, path = 'data'): CheckResult<T> {
  return c(value, path);
}
