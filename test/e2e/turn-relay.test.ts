/**
 * Relay-only browsers through @tsfu/turn: mediasoup-client transports with
 * `iceTransportPolicy: 'relay'` and @tsfu/turn in `iceServers` (REST API
 * credentials), over UDP, then TCP, then TLS to the TURN server, to a tsfu
 * WebRtcTransport (ICE-Lite on a loopback port). Page A produces, page B
 * consumes: B decodes ≥ 60 frames, and both pages' selected pairs use a relay
 * candidate reached over the protocol under test.
 */
import { createTurnServer, type TurnServer, turnRestCredentials } from '@tsfu/turn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allInbound,
  callPage,
  E2E_WAIT_MS,
  type E2ePage,
  readRtcStats,
  waitForRtcStats,
} from './harness/index.js';
import type { SfuPageApi } from './pages/sfu-schema.js';
import { type SfuRoom, startSfuRoom } from './sfu-room.js';

const SECRET = 'e2e-turn-secret';
let turn: TurnServer;
let room: SfuRoom;

const call = <M extends keyof SfuPageApi & string>(
  page: E2ePage,
  method: M,
  arg: Parameters<SfuPageApi[M]>[0],
) => callPage<SfuPageApi, M>(page, method, arg);

type Protocol = 'udp' | 'tcp' | 'tls';
const protocolOf = (peer: string): Protocol => peer.split('-')[1] as Protocol;

beforeAll(async () => {
  turn = await createTurnServer({
    listen: [
      { protocol: 'udp', address: '127.0.0.1', port: 0 },
      { protocol: 'tcp', address: '127.0.0.1', port: 0 },
      { protocol: 'tls', address: '127.0.0.1', port: 0 },
    ],
    tls: { selfSigned: true },
    auth: { realm: 'tsfu.e2e', secret: SECRET },
    relay: { minPort: 26000, maxPort: 26999 },
    // The SFU listens on loopback in these tests: allow it explicitly (the default refuses it).
    peers: { allowedPeers: ['127.0.0.1'] },
  });
  room = await startSfuRoom({
    // The TLS listener's certificate is self-signed: Chromium's TURN-over-TLS socket verifies it like any other.
    browserArgs: ['--ignore-certificate-errors'],
    iceOptionsOf: (peer) => {
      const protocol = protocolOf(peer);
      const url = turn
        .urls()
        .find((u) =>
          protocol === 'tls'
            ? u.startsWith('turns:')
            : u.endsWith(`transport=${protocol}`) && u.startsWith('turn:'),
        )!;
      const { username, credential } = turnRestCredentials(SECRET, peer, 600);
      return { iceServers: [{ urls: url, username, credential }], iceTransportPolicy: 'relay' };
    },
  });
});

afterAll(async () => {
  await room?.close();
  await turn?.close();
});

describe('Chromium (relay only) → @tsfu/turn → tsfu WebRtcTransport', () => {
  for (const protocol of ['udp', 'tcp', 'tls'] as const) {
    it(`TURN over ${protocol.toUpperCase()}: B decodes A's video, both selected pairs are relay candidates`, async () => {
      const a = await room.session.openPage('sfu', `A-${protocol}`);
      const b = await room.session.openPage('sfu', `B-${protocol}`);
      const relayedBefore = turn.stats.channelDataFromClients + turn.stats.sendIndications;
      await call(a, 'load', null);
      await call(b, 'load', null);
      const produced = await call(a, 'produce', { audio: true, video: true });
      await call(
        b,
        'consume',
        produced.map((p) => p.id),
      );
      await waitForRtcStats(
        b,
        'video frames decoded through the relay',
        (s) => allInbound(s, 'video').some((v) => (v.framesDecoded ?? 0) >= 60),
        { timeoutMs: E2E_WAIT_MS },
      ).catch(async (error: Error) => {
        // What B saw is in the message already; add A's side, the SFU's and the TURN server's.
        const server = [...room.transports.values()]
          .filter((t) => protocolOf(t.peer) === protocol)
          .map(({ transport: t, peer, direction }) => ({
            peer,
            direction,
            iceState: t.iceState,
            dtlsState: t.dtlsState,
            tuple: t.iceSelectedTuple,
          }));
        const seen = { a: await readRtcStats(a), server, turn: turn.stats };
        throw new Error(`${error.message}; A, SFU and TURN: ${JSON.stringify(seen)}`);
      });
      for (const page of [a, b]) {
        const pcs = await readRtcStats(page);
        const pair = pcs.find((pc) => pc.selectedPair !== undefined)?.selectedPair;
        expect(pair?.localCandidateType, JSON.stringify(pcs.map((p) => p.selectedPair))).toBe('relay');
        expect(pair?.relayProtocol).toBe(protocol);
      }
      expect(turn.stats.channelDataFromClients + turn.stats.sendIndications).toBeGreaterThan(
        relayedBefore + 100,
      );
      await call(a, 'close', null);
      await call(b, 'close', null);
    });
  }
});
