import { describe, expect, it } from 'vitest';
import { parseAddressRange } from './address-range.js';
import { PeerPolicy } from './peer-policy.js';

describe('PeerPolicy', () => {
  it('refuses loopback, private, link-local, CGNAT, multicast and IPv6 equivalents by default', () => {
    const p = new PeerPolicy();
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.9.9',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      'not-an-ip',
    ]) {
      expect(p.isAllowed(ip), ip).toBe(false);
    }
    for (const ip of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:db8::1', '::ffff:8.8.4.4']) {
      expect(p.isAllowed(ip), ip).toBe(true);
    }
  });

  it('lets an allow list open a denied range and a deny list close a public one', () => {
    const p = new PeerPolicy({ allowedPeers: ['127.0.0.1', '10.0.0.0/24'], deniedPeers: ['8.8.8.0/24'] });
    expect(p.isAllowed('127.0.0.1')).toBe(true);
    expect(p.isAllowed('127.0.0.2')).toBe(false);
    expect(p.isAllowed('10.0.0.200')).toBe(true);
    expect(p.isAllowed('10.0.1.1')).toBe(false);
    expect(p.isAllowed('8.8.8.8')).toBe(false);
    expect(p.isAllowed('8.8.4.4')).toBe(true);
  });

  it("refuses the server's own addresses unless allowed", () => {
    const p = new PeerPolicy();
    p.addOwnAddress('203.0.113.5');
    p.addOwnAddress('0.0.0.0'); // a wildcard is not an address of ours
    expect(p.isAllowed('203.0.113.5')).toBe(false);
    expect(p.isAllowed('203.0.113.6')).toBe(true);
    expect(new PeerPolicy({ denyPrivatePeers: false }).isAllowed('192.168.0.1')).toBe(true);
  });

  it('throws a TypeError on a bad range', () => {
    expect(() => parseAddressRange('10.0.0.0/33')).toThrow(TypeError);
    expect(() => parseAddressRange('nope/8')).toThrow(TypeError);
    expect(() => new PeerPolicy({ allowedPeers: ['1.2.3.4/x'] })).toThrow(TypeError);
  });
});
