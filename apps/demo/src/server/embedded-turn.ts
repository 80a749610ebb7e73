/**
 * `--turn`: @tsfu/turn in the demo's process, UDP and TCP on one port, with a
 * secret made at start. Each transport gets fresh TURN REST API credentials,
 * so the page never sees the secret. The relay reaches only this SFU (its
 * announced address): everything else is denied, so it is no open relay.
 */
import { randomBytes } from 'node:crypto';
import { createTurnServer, type TurnServer, turnRestCredentials } from '@tsfu/turn';
import type { TransportInfo } from '../signalling/protocol.js';
import type { DemoConfig } from './config.js';

export interface EmbeddedTurn {
  server: TurnServer;
  iceServersFor(peerId: string): Pick<TransportInfo, 'iceServers' | 'iceTransportPolicy'>;
}

/** Credentials live this long; a transport refreshes its allocation with them meanwhile. */
const CREDENTIAL_TTL_S = 12 * 3600;

export async function startEmbeddedTurn(config: DemoConfig): Promise<EmbeddedTurn> {
  const secret = randomBytes(24).toString('base64');
  const server = await createTurnServer({
    listen: [
      { protocol: 'udp', address: config.listenIp, port: config.turnPort },
      { protocol: 'tcp', address: config.listenIp, port: config.turnPort },
    ],
    auth: { realm: 'tsfu-demo', secret },
    relay: { address: config.listenIp, announcedAddress: config.announcedIp },
    peers: { allowedPeers: [config.announcedIp], deniedPeers: ['0.0.0.0/0', '::/0'] },
  });
  const urls = server.urls(config.announcedIp);
  return {
    server,
    iceServersFor(peerId) {
      const { username, credential } = turnRestCredentials(secret, peerId, CREDENTIAL_TTL_S);
      return {
        iceServers: [{ urls, username, credential }],
        iceTransportPolicy: config.turnRelayOnly ? 'relay' : 'all',
      };
    },
  };
}
