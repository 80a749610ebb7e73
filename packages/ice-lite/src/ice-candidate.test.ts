import { describe, expect, it } from 'vitest';
import {
  candidateFoundation,
  candidatePriority,
  candidateToSdp,
  HOST_TYPE_PREFERENCE,
  hostCandidates,
  localPreference,
} from './ice-candidate.js';

describe('candidatePriority (RFC 8445 §5.1.2.1)', () => {
  const rows = [
    { type: 126, local: 65535, component: 1, want: 2130706431 },
    { type: 0, local: 0, component: 1, want: 255 },
    { type: 110, local: 65535, component: 1, want: 1862270975 },
    { type: 126, local: 65535, component: 2, want: 2130706430 },
  ];
  for (const r of rows) {
    it(`type ${r.type}, local ${r.local}, component ${r.component} → ${r.want}`, () => {
      expect(candidatePriority(r.type, r.local, r.component)).toBe(r.want);
    });
  }
});

describe('hostCandidates', () => {
  const infos = [
    { protocol: 'udp' as const, ip: '127.0.0.1', port: 40000 },
    { protocol: 'tcp' as const, ip: '127.0.0.1', port: 40001 },
    { protocol: 'udp' as const, ip: '::1', port: 40002 },
    { protocol: 'udp' as const, ip: '10.0.0.5', announcedAddress: '203.0.113.7', port: 40003 },
  ];

  it('UDP first by default, the order of listen infos breaking ties', () => {
    const c = hostCandidates(infos);
    expect(c.map((x) => x.protocol)).toEqual(['udp', 'tcp', 'udp', 'udp']);
    expect(c[0].priority).toBeGreaterThan(c[2].priority);
    expect(c[2].priority).toBeGreaterThan(c[3].priority);
    expect(c[3].priority).toBeGreaterThan(c[1].priority);
    expect(c[0].priority).toBe(candidatePriority(HOST_TYPE_PREFERENCE, localPreference('udp', 0)));
    expect(c[1].tcpType).toBe('passive');
    expect(c[0].tcpType).toBeUndefined();
  });

  it('preferTcp ranks TCP above every UDP candidate', () => {
    const c = hostCandidates(infos, { preferTcp: true });
    for (const other of [c[0], c[2], c[3]]) expect(c[1].priority).toBeGreaterThan(other.priority);
  });

  it('announced address replaces the address but not the foundation base', () => {
    const c = hostCandidates(infos);
    expect(c[3].address).toBe('203.0.113.7');
    expect(c[3].ip).toBe('203.0.113.7');
    expect(c[3].foundation).toBe(candidateFoundation('host', 'udp', '10.0.0.5'));
  });

  it('foundation: same for same type/base/transport, different otherwise', () => {
    expect(candidateFoundation('host', 'udp', '127.0.0.1')).toBe(
      candidateFoundation('host', 'udp', '127.0.0.1'),
    );
    expect(candidateFoundation('host', 'udp', '127.0.0.1')).not.toBe(
      candidateFoundation('host', 'tcp', '127.0.0.1'),
    );
    expect(candidateFoundation('host', 'udp', '127.0.0.1')).not.toBe(
      candidateFoundation('host', 'udp', '::1'),
    );
    expect(candidateFoundation('host', 'udp', '::1')).toMatch(/^[0-9]{1,10}$/);
  });

  it('priorities fit in 31 bits and are integers', () => {
    for (const c of hostCandidates(infos, { preferTcp: true }).concat(hostCandidates(infos))) {
      expect(Number.isInteger(c.priority)).toBe(true);
      expect(c.priority).toBeGreaterThan(0);
      expect(c.priority).toBeLessThan(2 ** 31);
    }
  });

  it('SDP form', () => {
    const [udp, tcp] = hostCandidates(infos);
    expect(candidateToSdp(udp)).toBe(`${udp.foundation} 1 udp ${udp.priority} 127.0.0.1 40000 typ host`);
    expect(candidateToSdp(tcp)).toBe(
      `${tcp.foundation} 1 tcp ${tcp.priority} 127.0.0.1 40001 typ host tcptype passive`,
    );
  });

  it('rejects a non-IP listen address and bad ports', () => {
    expect(() => hostCandidates([{ protocol: 'udp', ip: 'localhost', port: 1 }])).toThrow(TypeError);
    expect(() => hostCandidates([{ protocol: 'udp', ip: '127.0.0.1', port: 0 }])).toThrow(RangeError);
  });
});
