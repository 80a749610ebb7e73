/**
 * Random and mutated messages through the protocol engine: nothing throws
 * (synchronously or later, in the Allocate path), and every packet moves
 * exactly one of the counters that account for client input.
 */
import type { Socket as DgramSocket } from 'node:dgram';
import { longTermKey, StunAttr, StunClass, StunMessageView, StunMessageWriter } from '@tsfu/ice-lite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NonceIssuer } from './nonce.js';
import { PeerPolicy } from './peer-policy.js';
import { PortPool } from './port-pool.js';
import { RelaySockets } from './relay-sockets.js';
import { UdpTupleScope } from './tuple-scope.js';
import { TurnAttr, TurnMethod } from './turn-constants.js';
import { TurnCredentials } from './turn-credentials.js';
import { TurnProtocol } from './turn-protocol.js';
import { newTurnServerStats, type TurnServerStats } from './turn-stats.js';

const CLIENT = { address: '127.0.0.1', port: 5000 };
const answers: Buffer[] = [];
const fakeSocket = { send: (b: Buffer) => answers.push(Buffer.from(b)) } as unknown as DgramSocket;

function accounted(s: TurnServerStats): number {
  return (
    s.malformed +
    s.ignored +
    s.requests +
    s.clientPacketsDropped +
    s.channelDataFromClients +
    s.sendIndications
  );
}

let protocol: TurnProtocol;
let stats: TurnServerStats;
let scope: UdpTupleScope;
const templates: Buffer[] = [];

function feed(b: Uint8Array): void {
  protocol.handlePacket(scope, CLIENT.address, CLIENT.port, b, b.length);
}

async function until(cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  stats = newTurnServerStats();
  protocol = new TurnProtocol(
    {
      credentials: new TurnCredentials({ realm: 'r', users: { u: 'p' } }),
      nonces: new NonceIssuer(600),
      policy: new PeerPolicy({ allowedPeers: ['127.0.0.1'] }),
      relays: new RelaySockets(new PortPool(24000, 24099), '127.0.0.1', undefined),
      relayAddress: '127.0.0.1',
      defaultLifetime: 600,
      maxLifetime: 3600,
      permissionLifetime: 300,
      channelLifetime: 600,
      reservationLifetime: 30,
      maxChannelNumber: 0x7fff,
      maxAllocations: 10,
      maxAllocationsPerUser: 10,
      userBandwidth: undefined,
      totalBandwidth: undefined,
      alternateServer: undefined,
      software: undefined,
    },
    stats,
  );
  scope = new UdpTupleScope(fakeSocket, () => {});
  // Learn a nonce, then allocate and bind a channel, so mutations reach every path.
  const w = new StunMessageWriter(new Uint8Array(1024));
  const transport = Uint8Array.of(17, 0, 0, 0);
  feed(
    w
      .begin(TurnMethod.Allocate, StunClass.Request)
      .addBytes(TurnAttr.RequestedTransport, transport)
      .toBuffer(),
  );
  const v = new StunMessageView();
  v.parse(answers[answers.length - 1]);
  const nonce = v.nonce!;
  const key = longTermKey('u', 'r', 'p');
  const signed = (method: number, body: (w: StunMessageWriter) => void) => {
    w.begin(method, StunClass.Request);
    body(w);
    return w
      .addString(StunAttr.Username, 'u')
      .addString(StunAttr.Realm, 'r')
      .addString(StunAttr.Nonce, nonce)
      .addIntegrity(key)
      .addFingerprint()
      .toBuffer();
  };
  const allocate = signed(TurnMethod.Allocate, (x) => x.addBytes(TurnAttr.RequestedTransport, transport));
  feed(allocate);
  await until(() => stats.allocations === 1);
  const bind = signed(TurnMethod.ChannelBind, (x) =>
    x.addUint32(TurnAttr.ChannelNumber, 0x40010000).addAddress('127.0.0.1', 9, TurnAttr.XorPeerAddress),
  );
  feed(bind);
  expect(stats.channels).toBe(1);
  const send = w
    .begin(TurnMethod.Send, StunClass.Indication)
    .addAddress('127.0.0.1', 9, TurnAttr.XorPeerAddress)
    .addString(TurnAttr.Data, 'payload')
    .toBuffer();
  templates.push(
    allocate,
    bind,
    send,
    signed(TurnMethod.Refresh, (x) => x.addUint32(TurnAttr.Lifetime, 600)),
    signed(TurnMethod.CreatePermission, (x) =>
      x
        .addAddress('127.0.0.1', 1, TurnAttr.XorPeerAddress)
        .addAddress('10.0.0.1', 1, TurnAttr.XorPeerAddress),
    ),
    Buffer.from([0x40, 0x01, 0x00, 0x03, 1, 2, 3, 0]),
    w.begin(TurnMethod.Binding, StunClass.Request).addFingerprint().toBuffer(),
  );
});

afterAll(() => protocol.close());

describe('fuzz: the TURN protocol engine', () => {
  it('random bytes: never throw, each packet counted once', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const before = accounted(stats);
        feed(bytes);
        expect(accounted(stats)).toBe(before + 1);
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated valid messages (byte flips, truncation, extension): never throw, each counted once', async () => {
    const mutation = fc.record({
      template: fc.integer({ min: 0, max: 6 }),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
      cut: fc.option(fc.nat()),
      tail: fc.uint8Array({ maxLength: 12 }),
    });
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    try {
      fc.assert(
        fc.property(mutation, ({ template, flips, cut, tail }) => {
          let b = Buffer.from(templates[template]);
          for (const [at, x] of flips) b[at % b.length] ^= x;
          if (cut !== null) b = b.subarray(0, cut % (b.length + 1));
          b = Buffer.concat([b, tail]);
          const before = accounted(stats);
          feed(b);
          expect(accounted(stats)).toBe(before + 1);
        }),
        { numRuns: 5000 },
      );
      await new Promise((r) => setTimeout(r, 50)); // let a pending Allocate settle
    } finally {
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections).toEqual([]);
    expect(stats.malformed).toBeGreaterThan(0);
    expect(stats.clientPacketsDropped).toBeGreaterThan(0);
    expect(stats.errorResponses[401] ?? 0).toBeGreaterThan(0);
    expect(stats.allocations).toBe(1);
  });
});
