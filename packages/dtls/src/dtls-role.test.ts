import { describe, expect, it } from 'vitest';
import { resolveDtlsRole } from './dtls-role.js';

describe('resolveDtlsRole (mediasoup semantics)', () => {
  const rows: [
    Parameters<typeof resolveDtlsRole>[0],
    Parameters<typeof resolveDtlsRole>[1],
    'client' | 'server',
  ][] = [
    ['auto', 'client', 'server'],
    ['auto', 'server', 'client'],
    ['auto', 'auto', 'client'], // ICE-lite side is ICE-controlled → DTLS client
    ['server', 'server', 'server'],
    ['client', 'client', 'client'],
  ];
  for (const [local, remote, want] of rows) {
    it(`${local} + remote ${remote} → ${want}`, () => expect(resolveDtlsRole(local, remote)).toBe(want));
  }
});
