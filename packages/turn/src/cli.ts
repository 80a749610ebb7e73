#!/usr/bin/env node
/** `tsfu-turn`: the TURN server from the command line. */
import { parseArgs } from 'node:util';
import { createTurnServer, type TurnListenOptions, type TurnServerOptions } from './turn-server.js';

const HELP = `Usage: tsfu-turn [options]

A TURN server (RFC 8656): UDP, TCP and TLS to clients, UDP relays.

Listening
  --listen <proto://addr:port>   repeatable; proto udp|tcp|tls (default udp://0.0.0.0:3478 and tcp://0.0.0.0:3478)
  --cert <file> --key <file>     TLS certificate and key (PEM)
  --self-signed                  TLS with a fresh self-signed certificate (testing only)

Credentials (at least one; a TURN server without credentials is an open relay)
  --realm <realm>                REALM (default tsfu)
  --user <name:password>         long-term user, repeatable
  --secret <secret>              TURN REST API shared secret (coturn's use-auth-secret), repeatable

Relays
  --relay-address <ip>           address relay sockets bind to (default: the first listener's)
  --external-ip <ip>             address announced in XOR-RELAYED-ADDRESS (required with a wildcard bind)
  --min-port <n> --max-port <n>  relay port range (default 49152-65535)
  --allow-peer <cidr>            allow peers in this range even if private/loopback, repeatable
  --deny-peer <cidr>             deny peers in this range, repeatable
  --max-allocations <n>          total quota (default 10000)
  --user-quota <n>               allocations per username (default 100)
  --user-bitrate <bps>           relayed bits/s per username, both directions (default: no cap)
  --total-bitrate <bps>          relayed bits/s in total (default: no cap)

  --stats-interval <s>           print stats (and rss/heapUsed) as JSON every s seconds (default 0: never)
  -h, --help                     this text
`;

function fail(message: string): never {
  process.stderr.write(`tsfu-turn: ${message}\n\n${HELP}`);
  process.exit(2);
}

function parseListen(text: string): TurnListenOptions {
  const m = /^(udp|tcp|tls):\/\/(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text);
  if (!m) fail(`bad --listen ${text} (want udp://0.0.0.0:3478)`);
  return {
    protocol: m[1] as TurnListenOptions['protocol'],
    address: m[2].replace(/^\[|\]$/g, ''),
    port: Number(m[3]),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      listen: { type: 'string', multiple: true },
      cert: { type: 'string' },
      key: { type: 'string' },
      'self-signed': { type: 'boolean' },
      realm: { type: 'string' },
      user: { type: 'string', multiple: true },
      secret: { type: 'string', multiple: true },
      'relay-address': { type: 'string' },
      'external-ip': { type: 'string' },
      'min-port': { type: 'string' },
      'max-port': { type: 'string' },
      'allow-peer': { type: 'string', multiple: true },
      'deny-peer': { type: 'string', multiple: true },
      'max-allocations': { type: 'string' },
      'user-quota': { type: 'string' },
      'user-bitrate': { type: 'string' },
      'total-bitrate': { type: 'string' },
      'stats-interval': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const users: Record<string, string> = {};
  for (const u of values.user ?? []) {
    const at = u.indexOf(':');
    if (at <= 0) fail(`bad --user ${u} (want name:password)`);
    users[u.substring(0, at)] = u.substring(at + 1);
  }
  const listen = (values.listen ?? ['udp://0.0.0.0:3478', 'tcp://0.0.0.0:3478']).map(parseListen);
  const tls: TurnServerOptions['tls'] = values['self-signed']
    ? { selfSigned: true }
    : values.cert && values.key
      ? { certFile: values.cert, keyFile: values.key }
      : undefined;
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const server = await createTurnServer({
    listen,
    tls,
    auth: {
      realm: values.realm ?? 'tsfu',
      users: Object.keys(users).length > 0 ? users : undefined,
      secret: values.secret,
    },
    relay: {
      address: values['relay-address'],
      announcedAddress: values['external-ip'],
      minPort: num(values['min-port']),
      maxPort: num(values['max-port']),
    },
    peers: { allowedPeers: values['allow-peer'], deniedPeers: values['deny-peer'] },
    quotas: {
      maxAllocations: num(values['max-allocations']),
      maxAllocationsPerUser: num(values['user-quota']),
    },
  });
  for (const url of server.urls()) process.stdout.write(`tsfu-turn: listening ${url}\n`);
  const every = num(values['stats-interval']) ?? 0;
  if (every > 0) {
    setInterval(() => {
      // With --expose-gc, heapUsed is what is live, not what awaits collection.
      (globalThis as { gc?: () => void }).gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      process.stdout.write(`${JSON.stringify({ ...server.stats, rss, heapUsed })}\n`);
    }, every * 1000);
  }
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
