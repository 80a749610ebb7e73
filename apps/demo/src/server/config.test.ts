import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, detectAnnouncedIp, parseConfig } from './config.js';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal: boolean): NetworkInterfaceInfo =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as NetworkInterfaceInfo;

const LAN = {
  lo: [iface('127.0.0.1', 'IPv4', true)],
  eth0: [iface('fe80::1', 'IPv6', false), iface('192.168.1.20', 'IPv4', false)],
};

describe('parseConfig', () => {
  it('defaults: port 3000, rtc port 40000, one worker per CPU, the LAN address announced', () => {
    const c = parseConfig({ cpuCount: 6, interfaces: LAN });
    expect(c).toEqual({ ...DEFAULTS, workers: 6, announcedIp: '192.168.1.20' });
    expect(c.httpPort).toBe(3000);
    expect(c.rtcPort).toBe(40000);
  });

  const rows: Array<[string, string[], Record<string, string>, Partial<ReturnType<typeof parseConfig>>]> = [
    ['PORT env', [], { PORT: '8080' }, { httpPort: 8080 }],
    ['--port beats PORT', ['--port', '9000'], { PORT: '8080' }, { httpPort: 9000 }],
    ['--port=0 (ephemeral)', ['--port=0'], {}, { httpPort: 0 }],
    ['--rtc-port', ['--rtc-port', '50000'], {}, { rtcPort: 50000 }],
    ['--workers', ['--workers', '3'], {}, { workers: 3 }],
    ['--turn', ['--turn'], {}, { turn: true, turnPort: 3478, turnRelayOnly: false }],
    [
      '--turn-relay-only implies --turn',
      ['--turn-relay-only', '--turn-port=0'],
      {},
      { turn: true, turnPort: 0, turnRelayOnly: true },
    ],
    ['TSFU_TURN_PORT', [], { TSFU_TURN: '1', TSFU_TURN_PORT: '5000' }, { turn: true, turnPort: 5000 }],
    ['TSFU_ANNOUNCED_IP', [], { TSFU_ANNOUNCED_IP: '203.0.113.7' }, { announcedIp: '203.0.113.7' }],
    [
      '--announced-ip beats env',
      ['--announced-ip', 'sfu.example.org'],
      { TSFU_ANNOUNCED_IP: '203.0.113.7' },
      { announcedIp: 'sfu.example.org' },
    ],
    [
      '--listen-ip alone is announced',
      ['--listen-ip', '10.0.0.5'],
      {},
      { listenIp: '10.0.0.5', announcedIp: '10.0.0.5' },
    ],
    [
      '--max-peers, --max-message-bytes',
      ['--max-peers=4', '--max-message-bytes', '2048'],
      {},
      { maxPeersPerRoom: 4, maxMessageBytes: 2048 },
    ],
    ['--loopback-only (bare)', ['--loopback-only'], {}, { loopbackOnly: true }],
    ['TSFU_LOOPBACK_ONLY=1', [], { TSFU_LOOPBACK_ONLY: '1' }, { loopbackOnly: true }],
    ['--connected-udp (bare)', ['--connected-udp'], {}, { connectedUdp: true }],
    ['TSFU_CONNECTED_UDP=1', [], { TSFU_CONNECTED_UDP: '1' }, { connectedUdp: true }],
    ['--no-tcp', ['--no-tcp'], {}, { enableTcp: false }],
    ['--tcp=false', ['--tcp=false'], {}, { enableTcp: false }],
    ['--https', ['--https'], {}, { https: true }],
    [
      '--tls-cert/--tls-key imply https',
      ['--tls-cert', 'c.pem', '--tls-key', 'k.pem'],
      {},
      { https: true, tlsCert: 'c.pem', tlsKey: 'k.pem' },
    ],
    [
      '--record-dir, TSFU_FFMPEG',
      ['--record-dir', '/srv/rec'],
      { TSFU_FFMPEG: '/opt/ffmpeg/bin/ffmpeg' },
      { recordDir: '/srv/rec', ffmpeg: '/opt/ffmpeg/bin/ffmpeg' },
    ],
    ['a lone -- (pnpm start -- …) is skipped', ['--', '--port', '1'], {}, { httpPort: 1 }],
    ['empty env values are ignored', [], { PORT: '' }, { httpPort: 3000 }],
    [
      'cluster: --redis, --node-id',
      ['--redis', 'redis://10.0.0.5:6379', '--node-id=eu_1'],
      {},
      { redis: 'redis://10.0.0.5:6379', nodeId: 'eu_1' },
    ],
    [
      'cluster: TSFU_REDIS (rediss)',
      [],
      { TSFU_REDIS: 'rediss://r.example.org:6380' },
      { redis: 'rediss://r.example.org:6380' },
    ],
  ];
  it.each(rows)('%s', (_label, argv, env, expected) => {
    expect(parseConfig({ argv, env, cpuCount: 2, interfaces: LAN })).toMatchObject(expected);
  });

  const errors: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['unknown flag', ['--colour'], {}, /unknown argument --colour/],
    ['positional argument', ['3000'], {}, /unknown argument 3000/],
    ['port out of range', ['--port', '70000'], {}, /--port: expected a port/],
    ['port not a number', [], { PORT: 'http' }, /PORT: expected a port/],
    ['missing value', ['--rtc-port'], {}, /--rtc-port needs a value/],
    ['zero workers', ['--workers=0'], {}, /expected a positive integer/],
    ['bad boolean', ['--loopback-only=maybe'], {}, /expected true or false/],
    ['announced ip with a space', ['--announced-ip', 'a b'], {}, /IP address or host name/],
    ['a certificate without its key', ['--tls-cert', 'c.pem'], {}, /--tls-cert and --tls-key go together/],
    ['timeout too small', ['--ice-disconnect-timeout-ms=1'], {}, /milliseconds/],
    ['redis without scheme', ['--redis', '10.0.0.5:6379'], {}, /expected redis:\/\/host:port/],
    ['node id with a colon', ['--node-id', 'a:b'], {}, /letters, digits or _/],
  ];
  it.each(errors)('error: %s', (_label, argv, env, message) => {
    expect(() => parseConfig({ argv, env, interfaces: LAN })).toThrow(ConfigError);
    expect(() => parseConfig({ argv, env, interfaces: LAN })).toThrow(message);
  });
});

describe('detectAnnouncedIp', () => {
  const rows: Array<[string, NodeJS.Dict<NetworkInterfaceInfo[]>, string]> = [
    ['first non-internal IPv4', LAN, '192.168.1.20'],
    ['only loopback → 127.0.0.1', { lo: [iface('127.0.0.1', 'IPv4', true)] }, '127.0.0.1'],
    ['only IPv6 outside → 127.0.0.1', { eth0: [iface('2001:db8::1', 'IPv6', false)] }, '127.0.0.1'],
    ['no interfaces → 127.0.0.1', {}, '127.0.0.1'],
  ];
  it.each(rows)('%s', (_label, interfaces, expected) => {
    expect(detectAnnouncedIp(interfaces)).toBe(expected);
  });
});
