/**
 * The demo's settings: embedded defaults, overridden by environment variables,
 * overridden by command-line flags. `parseConfig` never reads the process
 * itself, so tests pass argv/env/interfaces in.
 */
import { availableParallelism, type NetworkInterfaceInfo, networkInterfaces } from 'node:os';

export interface DemoConfig {
  /** HTTP + WebSocket listen address (default `0.0.0.0`). */
  httpIp: string;
  /** HTTP + WebSocket port (default 3000; 0 = ephemeral). */
  httpPort: number;
  /** The address the WebRtcServer binds (default `0.0.0.0`). */
  listenIp: string;
  /** The shared WebRtcServer port, UDP and TCP (default 40000; 0 = ephemeral, same for both). */
  rtcPort: number;
  /** The address put in ICE candidates. */
  announcedIp: string;
  /** Worker threads (default: CPU count). */
  workers: number;
  /** Peers a room accepts (default 16). */
  maxPeersPerRoom: number;
  /**
   * Past this many peers in a room, the receive transports of later peers go on the other workers and
   * the room's producers are piped there (`pipeToRouter`), so a big room's fan-out uses every core
   * (default 8; `--spread-after` at or above `--max-peers` turns it off).
   */
  spreadAfterPeers: number;
  /** Largest signalling message accepted, in bytes (default 64 KiB). */
  maxMessageBytes: number;
  /** How long a peer's transport may stay ICE-`disconnected` before the peer is removed (default 15 s). */
  iceDisconnectTimeoutMs: number;
  /** ICE consent timeout of each transport, in seconds (mediasoup's `iceConsentTimeout`, default 30). */
  iceConsentTimeoutS: number;
  /** How often the server pushes stats to every peer (default 2 s). */
  statsIntervalMs: number;
  /**
   * Accept media only from loopback sources (tsfu's `tsfuLoopbackOnly`): for
   * tests on machines whose other interfaces must not be answered.
   */
  loopbackOnly: boolean;
  /**
   * tsfu's `tsfuConnectedUdp` (Linux): each worker opens its own socket on the
   * shared UDP port, connected to each validated peer, so media skips the I/O
   * thread and workers forward in parallel. The port is bound with
   * SO_REUSEADDR: use it on hosts you control.
   */
  connectedUdp: boolean;
  /** Offer ICE over TCP as well as UDP (default true). */
  enableTcp: boolean;
  /**
   * Serve the page over HTTPS (browsers give camera and microphone only to
   * https pages or localhost): with `tlsCert`/`tlsKey`, or a self-signed
   * certificate generated at start.
   */
  https: boolean;
  /** PEM certificate (chain) file for HTTPS; implies `https`. */
  tlsCert?: string;
  /** PEM private key file for HTTPS. */
  tlsKey?: string;
  /** Where "record this room" writes (a folder per recording; default `recordings`). */
  recordDir: string;
  /** The ffmpeg that records (a path, or a name looked up on PATH; none found: no recording). */
  ffmpeg: string;
  /**
   * Start an embedded TURN server (@tsfu/turn, UDP and TCP on `turnPort`) and
   * hand each transport short-lived TURN REST API credentials in `iceServers`,
   * for browsers behind NATs or firewalls that block UDP to the SFU.
   */
  turn: boolean;
  /** The embedded TURN server's port, UDP and TCP (default 3478; 0 = ephemeral). */
  turnPort: number;
  /** Browsers use the relay only (`iceTransportPolicy: 'relay'`): to try TURN from one machine. Implies `turn`. */
  turnRelayOnly: boolean;
  /** Cluster mode: the Redis the nodes share (`redis://host:port`); unset: one process, as ever. */
  redis?: string;
  /** This node's name in the cluster (default: the host name and the HTTP port). */
  nodeId?: string;
}

export const DEFAULTS: Omit<DemoConfig, 'workers' | 'announcedIp'> = {
  httpIp: '0.0.0.0',
  httpPort: 3000,
  listenIp: '0.0.0.0',
  rtcPort: 40000,
  maxPeersPerRoom: 16,
  spreadAfterPeers: 8,
  maxMessageBytes: 64 * 1024,
  iceDisconnectTimeoutMs: 15_000,
  iceConsentTimeoutS: 30,
  statsIntervalMs: 2_000,
  loopbackOnly: false,
  connectedUdp: false,
  enableTcp: true,
  https: false,
  recordDir: 'recordings',
  ffmpeg: 'ffmpeg',
  turn: false,
  turnPort: 3478,
  turnRelayOnly: false,
};

/** Flag → config key, env variable, kind. */
const OPTIONS = [
  { flag: 'port', key: 'httpPort', env: 'PORT', kind: 'port' },
  { flag: 'http-ip', key: 'httpIp', env: 'TSFU_HTTP_IP', kind: 'ip' },
  { flag: 'rtc-port', key: 'rtcPort', env: 'TSFU_RTC_PORT', kind: 'port' },
  { flag: 'listen-ip', key: 'listenIp', env: 'TSFU_LISTEN_IP', kind: 'ip' },
  { flag: 'announced-ip', key: 'announcedIp', env: 'TSFU_ANNOUNCED_IP', kind: 'host' },
  { flag: 'workers', key: 'workers', env: 'TSFU_WORKERS', kind: 'count' },
  { flag: 'max-peers', key: 'maxPeersPerRoom', env: 'TSFU_MAX_PEERS', kind: 'count' },
  { flag: 'spread-after', key: 'spreadAfterPeers', env: 'TSFU_SPREAD_AFTER', kind: 'count' },
  { flag: 'max-message-bytes', key: 'maxMessageBytes', env: 'TSFU_MAX_MESSAGE_BYTES', kind: 'count' },
  {
    flag: 'ice-disconnect-timeout-ms',
    key: 'iceDisconnectTimeoutMs',
    env: 'TSFU_ICE_TIMEOUT_MS',
    kind: 'ms',
  },
  {
    flag: 'ice-consent-timeout-s',
    key: 'iceConsentTimeoutS',
    env: 'TSFU_ICE_CONSENT_TIMEOUT_S',
    kind: 'count',
  },
  { flag: 'stats-interval-ms', key: 'statsIntervalMs', env: 'TSFU_STATS_INTERVAL_MS', kind: 'ms' },
  { flag: 'loopback-only', key: 'loopbackOnly', env: 'TSFU_LOOPBACK_ONLY', kind: 'bool' },
  { flag: 'connected-udp', key: 'connectedUdp', env: 'TSFU_CONNECTED_UDP', kind: 'bool' },
  { flag: 'tcp', key: 'enableTcp', env: 'TSFU_TCP', kind: 'bool' },
  { flag: 'https', key: 'https', env: 'TSFU_HTTPS', kind: 'bool' },
  { flag: 'tls-cert', key: 'tlsCert', env: 'TSFU_TLS_CERT', kind: 'path' },
  { flag: 'tls-key', key: 'tlsKey', env: 'TSFU_TLS_KEY', kind: 'path' },
  { flag: 'record-dir', key: 'recordDir', env: 'TSFU_RECORD_DIR', kind: 'path' },
  { flag: 'ffmpeg', key: 'ffmpeg', env: 'TSFU_FFMPEG', kind: 'path' },
  { flag: 'turn', key: 'turn', env: 'TSFU_TURN', kind: 'bool' },
  { flag: 'turn-port', key: 'turnPort', env: 'TSFU_TURN_PORT', kind: 'port' },
  { flag: 'turn-relay-only', key: 'turnRelayOnly', env: 'TSFU_TURN_RELAY_ONLY', kind: 'bool' },
  { flag: 'redis', key: 'redis', env: 'TSFU_REDIS', kind: 'redis' },
  { flag: 'node-id', key: 'nodeId', env: 'TSFU_NODE_ID', kind: 'name' },
] as const;

export const USAGE = `Usage: pnpm start -- [flags]   (or node apps/demo/dist/server/main.js [flags])
${OPTIONS.map((o) => `${`  --${o.flag}${o.kind === 'bool' ? '[=true|false]' : ' <value>'}`.padEnd(38)}env ${o.env}`).join('\n')}
  --help`;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The first non-internal IPv4 address of the machine, else 127.0.0.1: what a
 * browser on the same LAN can reach.
 */
export function detectAnnouncedIp(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string {
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) if (info.family === 'IPv4' && !info.internal) return info.address;
  }
  return '127.0.0.1';
}

export interface ConfigSources {
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  cpuCount?: number;
  interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/** Defaults ← env ← flags (`--name value`, `--name=value`, bare `--flag` for booleans). Throws ConfigError. */
export function parseConfig(sources: ConfigSources = {}): DemoConfig {
  const argv = sources.argv ?? [];
  const env = sources.env ?? {};
  const raw = new Map<string, { value: string; from: string }>();
  for (const o of OPTIONS) {
    const v = env[o.env];
    if (v !== undefined && v !== '') raw.set(o.flag, { value: v, from: o.env });
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') continue;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const option =
      m && OPTIONS.find((o) => o.flag === m[1] || (o.kind === 'bool' && m[1] === `no-${o.flag}`));
    if (!m || !option) throw new ConfigError(`unknown argument ${arg}\n${USAGE}`);
    if (option.kind === 'bool') {
      raw.set(option.flag, { value: m[1].startsWith('no-') ? 'false' : (m[2] ?? 'true'), from: `--${m[1]}` });
    } else {
      const value = m[2] ?? argv[++i];
      if (value === undefined) throw new ConfigError(`--${option.flag} needs a value`);
      raw.set(option.flag, { value, from: `--${option.flag}` });
    }
  }
  const cfg: DemoConfig = {
    ...DEFAULTS,
    workers: Math.max(1, sources.cpuCount ?? availableParallelism()),
    announcedIp: '',
  };
  const out = cfg as unknown as Record<string, unknown>;
  for (const o of OPTIONS) {
    const r = raw.get(o.flag);
    if (r) out[o.key] = convert(o.kind, r.value, r.from);
  }
  if ((cfg.tlsCert === undefined) !== (cfg.tlsKey === undefined)) {
    throw new ConfigError('--tls-cert and --tls-key go together');
  }
  if (cfg.tlsCert) cfg.https = true;
  if (cfg.turnRelayOnly) cfg.turn = true;
  if (!cfg.announcedIp) {
    // Listening on one specific address: announce that one; else the machine's LAN address.
    cfg.announcedIp =
      cfg.listenIp !== '0.0.0.0' && cfg.listenIp !== '::'
        ? cfg.listenIp
        : detectAnnouncedIp(sources.interfaces);
  }
  return cfg;
}

function convert(
  kind: (typeof OPTIONS)[number]['kind'],
  value: string,
  from: string,
): string | number | boolean {
  const bad = (what: string) => new ConfigError(`${from}: ${what}, got "${value}"`);
  switch (kind) {
    case 'port': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw bad('expected a port 0..65535');
      return n;
    }
    case 'count': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 1_000_000_000) throw bad('expected a positive integer');
      return n;
    }
    case 'ms': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 10 || n > 3_600_000) throw bad('expected milliseconds 10..3600000');
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(value)) return true;
      if (/^(0|false|no|off)$/i.test(value)) return false;
      throw bad('expected true or false');
    case 'ip':
      if (!/^[0-9a-fA-F.:]+$/.test(value)) throw bad('expected an IP address');
      return value;
    case 'path':
      return value;
    case 'redis':
      if (!/^rediss?:\/\/\S+$/.test(value)) throw bad('expected redis://host:port');
      return value;
    case 'name':
      if (!/^[A-Za-z0-9_]{1,32}$/.test(value)) throw bad('expected 1-32 letters, digits or _');
      return value;
    case 'host':
      if (!/^[0-9A-Za-z.:-]+$/.test(value) || value.length > 253)
        throw bad('expected an IP address or host name');
      return value;
  }
}
