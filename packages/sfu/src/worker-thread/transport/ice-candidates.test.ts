import { describe, expect, it } from 'vitest';
import { serverIceCandidates, transportIceCandidates } from './ice-candidates.js';
import type { ListenSocket } from './webrtc-transport.js';

let index = 0;
const socket = (protocol: 'udp' | 'tcp', ip: string, extra: Partial<ListenSocket> = {}): ListenSocket => ({
  index: ++index,
  protocol,
  ip,
  port: 2000 + index,
  ...extra,
});

// mediasoup: 2^24 * 64 + 2^8 * localPreference + 255.
const priority = (localPreference: number) => 64 * 2 ** 24 + 256 * localPreference + 255;

describe("transportIceCandidates (mediasoup's WebRtcTransport with listenInfos)", () => {
  it('one candidate per listen info in order, 10000 − 100 each; exposeInternalIp adds the ip 1000 lower', () => {
    const sockets = [
      socket('udp', '127.0.0.1', { announcedAddress: '9.9.9.1', exposeInternalIp: true }),
      socket('tcp', '127.0.0.1', { announcedAddress: '9.9.9.1' }),
      socket('udp', '0.0.0.0', { announcedAddress: 'foo1.bar.org' }),
      socket('tcp', '127.0.0.1'),
    ];
    const c = transportIceCandidates(sockets);
    expect(c.map((x) => [x.address, x.protocol, x.tcpType])).toEqual([
      ['9.9.9.1', 'udp', undefined],
      ['127.0.0.1', 'udp', undefined],
      ['9.9.9.1', 'tcp', 'passive'],
      ['foo1.bar.org', 'udp', undefined],
      ['127.0.0.1', 'tcp', 'passive'],
    ]);
    expect(c.map((x) => x.priority)).toEqual([
      priority(10000),
      priority(10000) - 1000,
      priority(9900),
      priority(9800),
      priority(9700),
    ]);
    for (let i = 1; i < c.length; i++) expect(c[i].priority).toBeLessThan(c[i - 1].priority);
    expect(c[1].port).toBe(c[0].port);
    expect(c.every((x) => x.ip === x.address && x.type === 'host')).toBe(true);
  });

  it('exposeInternalIp without announcedAddress adds nothing; a listen ip that is not an IP throws', () => {
    expect(transportIceCandidates([socket('udp', '127.0.0.1', { exposeInternalIp: true })])).toHaveLength(1);
    expect(() => transportIceCandidates([socket('udp', 'localhost')])).toThrow(TypeError);
  });
});

describe("serverIceCandidates (mediasoup's WebRtcServer::GetIceCandidates)", () => {
  const sockets = [
    socket('udp', '127.0.0.1'),
    socket('tcp', '127.0.0.1', { announcedAddress: 'media1.foo.org' }),
  ];
  const opts = { enableUdp: true, enableTcp: true, preferUdp: false, preferTcp: false };

  it('enableUdp/enableTcp pick sockets; the index still counts every socket', () => {
    const { sockets: used, candidates } = serverIceCandidates(sockets, { ...opts, enableUdp: false });
    expect(used).toEqual([sockets[1]]);
    expect(candidates.map((c) => [c.address, c.priority])).toEqual([['media1.foo.org', priority(9900)]]);
  });

  it('preferTcp adds 1000 to the TCP local preference', () => {
    const { candidates } = serverIceCandidates(sockets, { ...opts, preferTcp: true });
    expect(candidates.map((c) => c.priority)).toEqual([priority(10000), priority(10900)]);
  });
});
