/** Hex (whitespace ignored) to Buffer, for vectors copied from RFCs. */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}
