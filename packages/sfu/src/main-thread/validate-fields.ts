/**
 * Field checks shared by the API's validators: each throws a TypeError whose
 * message names the field and the value it got, as mediasoup's worker rejects
 * malformed requests (a TypeError from the channel).
 */

/** `name=value` for messages; strings quoted, objects summarised. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An options argument: undefined (when `optional`) or an object. */
export function checkOptions(name: string, value: unknown, optional = false): void {
  if (optional && value === undefined) return;
  if (!isPlainObject(value)) throw new TypeError(`${name} must be an object [${name}:${shown(value)}]`);
}

/** Undefined, or an integer in [min, max]. */
export function checkInteger(name: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`invalid ${name}: ${shown(value)} (must be an integer ${min}..${max})`);
  }
}

/** Undefined, or a boolean. */
export function checkBoolean(name: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new TypeError(`invalid ${name}: ${shown(value)} (must be a boolean)`);
  }
}

/** Undefined, or a string (non-empty when `nonEmpty`). */
export function checkString(name: string, value: unknown, nonEmpty = false): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || (nonEmpty && value.length === 0)) {
    throw new TypeError(`invalid ${name}: ${shown(value)} (must be a${nonEmpty ? ' non-empty' : ''} string)`);
  }
}

/** A bitrate in bps: mediasoup sends it as a u64, so a non-negative safe integer. */
export function checkBitrate(name: string, value: unknown): void {
  checkInteger(name, value, 0, Number.MAX_SAFE_INTEGER);
}
