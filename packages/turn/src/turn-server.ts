/**
 * `createTurnServer(options)`: listeners (UDP, TCP, TLS) around one
 * {@link TurnProtocol}, a once-a-second sweep of lifetimes, and the stats.
 */
import { readFileSync } from 'node:fs';
import { NonceIssuer } from './nonce.js';
import { PeerPolicy, type PeerPolicyOptions } from './peer-policy.js';
import { PortPool } from './port-pool.js';
import { RelaySockets } from './relay-sockets.js';
import { StreamListener } from './stream-listener.js';
import {
  CHANNEL_LIFETIME,
  DEFAULT_ALLOCATION_LIFETIME,
  MAX_ALLOCATION_LIFETIME,
  MAX_CHANNEL_NUMBER,
  MAX_CHANNEL_NUMBER_RFC5766,
  PERMISSION_LIFETIME,
  RESERVATION_LIFETIME,
} from './turn-constants.js';
import { type TurnAuthOptions, TurnCredentials } from './turn-credentials.js';
import { TurnProtocol } from './turn-protocol.js';
import { newTurnServerStats, type TurnServerStats } from './turn-stats.js';
import { UdpListener } from './udp-listener.js';

export type TurnListenProtocol = 'udp' | 'tcp' | 'tls';

export interface TurnListenOptions {
  protocol: TurnListenProtocol;
  /** Default '0.0.0.0'. */
  address?: string;
  /** Default 3478 (5349 for TLS); 0 picks a free port. */
  port?: number;
}

/** The TLS certificate: PEM text, PEM files, or a fresh self-signed one (tests, development). */
export type TurnTlsOptions =
  | { cert: string | Buffer; key: string | Buffer }
  | { certFile: string; keyFile: string }
  | { selfSigned: true; commonName?: string };

export interface TurnServerOptions {
  listen: readonly TurnListenOptions[];
  /** Required when a listener is TLS. */
  tls?: TurnTlsOptions;
  /** Long-term users and/or a TURN REST API secret: required, a TURN server without credentials is an open relay. */
  auth: TurnAuthOptions;
  relay?: {
    /** Address relay sockets bind to (default: the first listener's address). */
    address?: string;
    /** Address put in XOR-RELAYED-ADDRESS (default: `address`; required when that is a wildcard). */
    announcedAddress?: string;
    /** Relay port range (default 49152–65535). */
    minPort?: number;
    maxPort?: number;
  };
  /** Which peers relays may reach (default: not loopback, private, link-local or the server's own addresses). */
  peers?: PeerPolicyOptions;
  quotas?: {
    /** Allocations in total (default 10000): beyond, 486. */
    maxAllocations?: number;
    /** Allocations per username (default 100): beyond, 486. */
    maxAllocationsPerUser?: number;
    /** TCP/TLS connections per listener (default 1024). */
    maxStreamConnections?: number;
    /** Relayed bits per second per username, both directions, all its allocations (default: no cap). */
    maxUserBitrate?: number;
    /** Relayed bits per second in total (default: no cap). Packets beyond a cap are dropped and counted. */
    maxTotalBitrate?: number;
  };
  lifetimes?: {
    /** Default and minimum allocation lifetime in seconds (600). */
    defaultSeconds?: number;
    /** Most an allocation lives without a refresh (3600). */
    maxSeconds?: number;
    permissionSeconds?: number;
    channelSeconds?: number;
  };
  /** Answer every Allocate with 300 Try Alternate pointing there (RFC 8656 §7.2, draining a server). */
  alternateServer?: { address: string; port: number };
  /**
   * Channel numbers ChannelBind accepts: 'rfc5766' (0x4000–0x7FFF, the default:
   * coturn's turnutils_uclient and older clients pick from it) or 'rfc8656'
   * (0x4000–0x4FFF only).
   */
  channelNumbers?: 'rfc5766' | 'rfc8656';
  /** SOFTWARE attribute on answers (default 'tsfu-turn'; null: none). */
  software?: string | null;
  /** A TCP/TLS connection that has not allocated by then is closed (default 10 s). */
  streamAuthTimeoutMs?: number;
  /** SO_RCVBUF/SO_SNDBUF of the UDP sockets, when set. */
  socketBufferSize?: number;
}

export interface TurnListenAddress {
  protocol: TurnListenProtocol;
  address: string;
  port: number;
}

export interface TurnServer {
  /** Where it listens (ports resolved when 0 was asked). */
  readonly addresses: readonly TurnListenAddress[];
  /** Live counters. */
  readonly stats: TurnServerStats;
  /** `turn:`/`turns:` URLs for `iceServers`, with `host` in place of the listening address. */
  urls(host?: string): string[];
  /** Closes listeners, allocations and relay sockets. */
  close(): Promise<void>;
}

async function tlsContext(
  tls: TurnTlsOptions | undefined,
): Promise<{ cert: string | Buffer; key: string | Buffer }> {
  if (tls === undefined)
    throw new TypeError('a tls listener needs the tls option (cert/key, files, or selfSigned)');
  if ('selfSigned' in tls) {
    // Loaded only here: @tsfu/dtls brings the certificate generator.
    const { DtlsCertificate } = await import('@tsfu/dtls');
    const c = await DtlsCertificate.generate({ commonName: tls.commonName ?? 'tsfu-turn', validityDays: 30 });
    return { cert: c.certificatePem, key: c.privateKeyPem };
  }
  if ('certFile' in tls) return { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) };
  return { cert: tls.cert, key: tls.key };
}

function bytesPerSecond(bitrate: number | undefined): number | undefined {
  if (bitrate === undefined) return undefined;
  if (!(bitrate > 0)) throw new TypeError('bitrate quotas must be positive numbers of bits per second');
  return bitrate / 8;
}

function isWildcard(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

export async function createTurnServer(options: TurnServerOptions): Promise<TurnServer> {
  if (!options || !Array.isArray(options.listen) || options.listen.length === 0) {
    throw new TypeError('listen must list at least one { protocol, address, port }');
  }
  for (const l of options.listen) {
    if (l.protocol !== 'udp' && l.protocol !== 'tcp' && l.protocol !== 'tls') {
      throw new TypeError(`unknown listen protocol ${String(l.protocol)}`);
    }
  }
  const credentials = new TurnCredentials(options.auth);
  const nonces = new NonceIssuer(options.auth.nonceLifetimeSeconds ?? 600);
  const policy = new PeerPolicy(options.peers);
  const firstAddress = options.listen[0].address ?? '0.0.0.0';
  const relayBind = options.relay?.address ?? firstAddress;
  const announced = options.relay?.announcedAddress ?? relayBind;
  if (isWildcard(announced) || announced.includes(':')) {
    throw new TypeError('relay.announcedAddress must be the IPv4 address clients reach relays at');
  }
  for (const l of options.listen) policy.addOwnAddress(l.address ?? '0.0.0.0');
  policy.addOwnAddress(relayBind);
  policy.addOwnAddress(announced);
  const pool = new PortPool(options.relay?.minPort ?? 49152, options.relay?.maxPort ?? 65535);
  const relays = new RelaySockets(pool, relayBind, options.socketBufferSize);
  const stats = newTurnServerStats();
  const lt = options.lifetimes ?? {};
  const protocol = new TurnProtocol(
    {
      credentials,
      nonces,
      policy,
      relays,
      relayAddress: announced,
      defaultLifetime: lt.defaultSeconds ?? DEFAULT_ALLOCATION_LIFETIME,
      maxLifetime: lt.maxSeconds ?? MAX_ALLOCATION_LIFETIME,
      permissionLifetime: lt.permissionSeconds ?? PERMISSION_LIFETIME,
      channelLifetime: lt.channelSeconds ?? CHANNEL_LIFETIME,
      reservationLifetime: RESERVATION_LIFETIME,
      maxChannelNumber:
        options.channelNumbers === 'rfc8656' ? MAX_CHANNEL_NUMBER : MAX_CHANNEL_NUMBER_RFC5766,
      maxAllocations: options.quotas?.maxAllocations ?? 10_000,
      maxAllocationsPerUser: options.quotas?.maxAllocationsPerUser ?? 100,
      userBandwidth: bytesPerSecond(options.quotas?.maxUserBitrate),
      totalBandwidth: bytesPerSecond(options.quotas?.maxTotalBitrate),
      alternateServer: options.alternateServer,
      software: options.software === null ? undefined : (options.software ?? 'tsfu-turn'),
    },
    stats,
  );

  const listeners: (UdpListener | StreamListener)[] = [];
  const addresses: TurnListenAddress[] = [];
  try {
    const tls = options.listen.some((l) => l.protocol === 'tls') ? await tlsContext(options.tls) : undefined;
    for (const l of options.listen) {
      const address = l.address ?? '0.0.0.0';
      const port = l.port ?? (l.protocol === 'tls' ? 5349 : 3478);
      const listener =
        l.protocol === 'udp'
          ? await UdpListener.listen(protocol, address, port, options.socketBufferSize)
          : await StreamListener.listen(protocol, {
              protocol: l.protocol,
              address,
              port,
              tls,
              maxConnections: options.quotas?.maxStreamConnections ?? 1024,
              authTimeoutMs: options.streamAuthTimeoutMs ?? 10_000,
            });
      listeners.push(listener);
      addresses.push({ protocol: l.protocol, address, port: listener.port });
    }
  } catch (e) {
    await Promise.all(listeners.map((l) => l.close()));
    protocol.close();
    throw e;
  }
  const sweep = setInterval(() => protocol.sweep(), 1000);
  sweep.unref();

  let closing: Promise<void> | undefined;
  return {
    addresses,
    stats,
    urls(host?: string): string[] {
      return addresses.map((a) => {
        const h = host ?? (isWildcard(a.address) ? announced : a.address);
        return a.protocol === 'tls'
          ? `turns:${h}:${a.port}?transport=tcp`
          : `turn:${h}:${a.port}?transport=${a.protocol}`;
      });
    },
    close(): Promise<void> {
      closing ??= (async () => {
        clearInterval(sweep);
        protocol.close();
        await Promise.all(listeners.map((l) => l.close()));
      })();
      return closing;
    },
  };
}
