import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { StunAttr, StunClass, StunMessageView, StunMessageWriter } from '@tsfu/ice-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { TurnAttr, TurnMethod } from './turn-constants.js';
import { createTurnServer, type TurnServer, type TurnServerOptions } from './turn-server.js';
import {
  type Answer,
  channelData,
  relayedAddress,
  TestTurnClient,
  u32Attr,
} from './turn-test-client.test-util.js';

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function server(extra: Partial<TurnServerOptions> = {}): Promise<TurnServer> {
  const s = await createTurnServer({
    listen: [
      { protocol: 'udp', address: '127.0.0.1', port: 0 },
      { protocol: 'tcp', address: '127.0.0.1', port: 0 },
    ],
    auth: { realm: 'tsfu.test', users: { alice: 'pw', bob: 'pw2' } },
    relay: { minPort: 21000, maxPort: 21999 },
    peers: { allowedPeers: ['127.0.0.1'] },
    ...extra,
  });
  opened.push(s);
  return s;
}

const udpPort = (s: TurnServer) => s.addresses.find((a) => a.protocol === 'udp')!.port;

async function udpClient(s: TurnServer, user = 'alice', pw = 'pw'): Promise<TestTurnClient> {
  const c = await TestTurnClient.udp(udpPort(s), user, pw);
  opened.push(c);
  return c;
}

async function peer(address = '127.0.0.1'): Promise<{ socket: DgramSocket; port: number; got: Buffer[] }> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, address, r));
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  opened.push(socket);
  return { socket, port: socket.address().port, got };
}

function peerAttr(port: number, ip = '127.0.0.1') {
  return (w: StunMessageWriter) => w.addAddress(ip, port, TurnAttr.XorPeerAddress);
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('STUN Binding on the TURN port', () => {
  it('answers without credentials, with XOR-MAPPED-ADDRESS; garbage is dropped and counted', async () => {
    const s = await server();
    const c = await udpClient(s);
    c.send(Buffer.from([0xff, 0x00, 0x00, 0x00, 0x01]));
    c.send(Buffer.from([0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42]));
    c.send(Buffer.from('ChannelData-looking text without an allocation'));
    const a = await c.transact(c.build(TurnMethod.Binding, undefined, false));
    expect(a.view.cls).toBe(StunClass.SuccessResponse);
    expect(a.view.xorMappedAddress).toEqual({ family: 'IPv4', address: '127.0.0.1', port: c.localPort() });
    await until(() => s.stats.malformed === 2 && s.stats.clientPacketsDropped === 1);
    const unknown = await c.transact(c.build(TurnMethod.Binding, (w) => w.addUint32(0x7001, 1), false));
    expect(unknown.code).toBe(420);
    expect(unknown.view.unknownAttributes).toEqual([0x7001]);
    expect(s.stats.bindingRequests).toBe(2);
  });
});

describe('Allocate (RFC 8656 §7) with long-term credentials (RFC 8489 §9.2)', () => {
  it('401 with REALM and NONCE, then a signed success with relayed, mapped address and lifetime', async () => {
    const s = await server();
    const c = await udpClient(s);
    const first = await c.transact(
      c.build(TurnMethod.Allocate, (w) =>
        w.addBytes(TurnAttr.RequestedTransport, Uint8Array.of(17, 0, 0, 0)),
      ),
    );
    expect(first.code).toBe(401);
    expect(first.view.realm).toBe('tsfu.test');
    expect(first.view.nonce).toMatch(/^[0-9a-f]{34}$/);
    expect(first.view.integrityOffset).toBe(-1); // a 401 is not signed
    const a = await c.allocate();
    expect(a.code).toBeUndefined();
    expect(c.verifies(a)).toBe(true);
    const relay = relayedAddress(a);
    expect(relay.address).toBe('127.0.0.1');
    expect(relay.port).toBeGreaterThanOrEqual(21000);
    expect(relay.port).toBeLessThanOrEqual(21999);
    expect(u32Attr(a, TurnAttr.Lifetime)).toBe(600);
    expect(a.view.xorMappedAddress?.port).toBe(c.localPort());
    expect(s.stats.allocations).toBe(1);

    // A retransmission gets the same answer; a new Allocate on the same 5-tuple gets 437.
    const again = await c.transact(rebuildWithTx(c, a));
    expect(again.raw.equals(a.raw)).toBe(true);
    const other = await c.allocate();
    expect(other.code).toBe(437);
    expect(c.verifies(other)).toBe(true);
    expect(s.stats.allocations).toBe(1);
  });

  it('answers MESSAGE-INTEGRITY-SHA256 with MESSAGE-INTEGRITY-SHA256', async () => {
    const s = await server();
    const c = await udpClient(s);
    c.sha256 = true;
    const a = await c.allocate();
    expect(a.code).toBeUndefined();
    expect(a.view.integritySha256Offset).toBeGreaterThan(0);
    expect(a.view.integrityOffset).toBe(-1);
    expect(c.verifies(a)).toBe(true);
  });

  it('refuses a wrong password (401), a foreign nonce (438), missing USERNAME (400)', async () => {
    const s = await server();
    const c = await udpClient(s, 'alice', 'wrong');
    expect((await c.allocate()).code).toBe(401);
    c.password = 'pw';
    c.nonce = `${'0'.repeat(10)}${'a'.repeat(24)}`;
    const stale = await c.transact(
      c.build(TurnMethod.Allocate, (w) =>
        w.addBytes(TurnAttr.RequestedTransport, Uint8Array.of(17, 0, 0, 0)),
      ),
    );
    expect(stale.code).toBe(438);
    expect(stale.view.nonce).not.toBe(c.nonce);
    const w = new StunMessageWriter(new Uint8Array(256));
    w.begin(TurnMethod.Allocate, StunClass.Request).addIntegrity(Buffer.from('x'));
    expect((await c.transact(w.toBuffer())).code).toBe(400);
    expect(s.stats.allocationsCreated).toBe(0);
    expect(s.stats.errorResponses[401]).toBeGreaterThanOrEqual(2);
  });

  it('refuses TCP relays (442), a missing transport (400), DONT-FRAGMENT (420), IPv6 relays (440), unknown attributes (420)', async () => {
    const s = await server();
    const c = await udpClient(s);
    expect(
      (
        await c.request(TurnMethod.Allocate, (w) =>
          w.addBytes(TurnAttr.RequestedTransport, Uint8Array.of(6, 0, 0, 0)),
        )
      ).code,
    ).toBe(442);
    expect((await c.request(TurnMethod.Allocate)).code).toBe(400);
    const df = await c.allocate((w) => w.addFlag(TurnAttr.DontFragment));
    expect(df.code).toBe(420);
    expect(df.view.unknownAttributes).toEqual([TurnAttr.DontFragment]);
    expect(
      (await c.allocate((w) => w.addBytes(TurnAttr.RequestedAddressFamily, Uint8Array.of(2, 0, 0, 0)))).code,
    ).toBe(440);
    const unknown = await c.allocate((w) => w.addUint32(0x7777, 1));
    expect(unknown.code).toBe(420);
    expect(unknown.view.unknownAttributes).toEqual([0x7777]);
    expect(c.verifies(unknown)).toBe(true);
    expect(s.stats.allocations).toBe(0);
  });

  it('EVEN-PORT with R reserves the next port under a RESERVATION-TOKEN; an unknown token gets 508', async () => {
    const s = await server();
    const a = await (await udpClient(s)).allocate((w) => w.addBytes(TurnAttr.EvenPort, Uint8Array.of(0x80)));
    const even = relayedAddress(a).port;
    expect(even % 2).toBe(0);
    const tokenAt = a.view.findAttribute(TurnAttr.ReservationToken);
    const token = a.raw.subarray(a.view.attributeOffsets[tokenAt], a.view.attributeOffsets[tokenAt] + 8);
    const b = await (await udpClient(s)).allocate((w) => w.addBytes(TurnAttr.ReservationToken, token));
    expect(relayedAddress(b).port).toBe(even + 1);
    const c = await (await udpClient(s)).allocate((w) =>
      w.addBytes(TurnAttr.ReservationToken, Buffer.alloc(8, 1)),
    );
    expect(c.code).toBe(508);
    const both = await (await udpClient(s)).allocate((w) =>
      w.addBytes(TurnAttr.ReservationToken, Buffer.alloc(8, 1)).addBytes(TurnAttr.EvenPort, Uint8Array.of(0)),
    );
    expect(both.code).toBe(400);
  });

  it('quotas: per user and in total (486, counted)', async () => {
    const s = await server({ quotas: { maxAllocationsPerUser: 1, maxAllocations: 2 } });
    expect((await (await udpClient(s)).allocate()).code).toBeUndefined();
    expect((await (await udpClient(s)).allocate()).code).toBe(486);
    expect(s.stats.userQuotaHits).toBe(1);
    expect((await (await udpClient(s, 'bob', 'pw2')).allocate()).code).toBeUndefined();
    const third = await udpClient(s, 'carol', 'x');
    expect((await third.allocate()).code).toBe(401); // unknown user first
    expect(s.stats.allocations).toBe(2);
  });

  it('bandwidth quota per user: a burst beyond one second of it is dropped and counted', async () => {
    // 8000 bit/s = 1000 bytes/s, one second of burst: five 200-byte packets, not twenty.
    const s = await server({ quotas: { maxUserBitrate: 8000 } });
    const c = await udpClient(s);
    await c.allocate();
    const p = await peer();
    const bound = await c.request(TurnMethod.ChannelBind, (w) => {
      w.addBytes(TurnAttr.ChannelNumber, Uint8Array.of(0x40, 0x01, 0, 0));
      peerAttr(p.port)(w);
    });
    expect(bound.code).toBeUndefined();
    for (let i = 0; i < 20; i++) c.send(channelData(0x4001, Buffer.alloc(200, i), false));
    await until(() => s.stats.channelDataFromClients + s.stats.bandwidthQuotaDrops === 20);
    expect(s.stats.channelDataFromClients).toBeGreaterThanOrEqual(5);
    expect(s.stats.channelDataFromClients).toBeLessThan(10); // a slow machine refills a little meanwhile
    expect(s.stats.bandwidthQuotaDrops).toBe(20 - s.stats.channelDataFromClients);
  });

  it('ALTERNATE-SERVER: 300 Try Alternate with the address', async () => {
    const s = await server({ alternateServer: { address: '192.0.2.10', port: 3478 } });
    const a = await (await udpClient(s)).allocate();
    expect(a.code).toBe(300);
    const at = a.view.findAttribute(TurnAttr.AlternateServer);
    expect(a.view.addressAt(at, false)).toEqual({ family: 'IPv4', address: '192.0.2.10', port: 3478 });
  });
});

/** The Allocate whose answer `a` is, sent again: same transaction id. */
function rebuildWithTx(c: TestTurnClient, a: Answer): Buffer {
  return c.build(
    TurnMethod.Allocate,
    (w) => w.addBytes(TurnAttr.RequestedTransport, Uint8Array.of(17, 0, 0, 0)),
    true,
    a.raw.subarray(8, 20),
  );
}

describe('permissions, channels and relaying', () => {
  it('CreatePermission with repeated XOR-PEER-ADDRESS; 403 for a private peer installs none', async () => {
    const s = await server();
    const c = await udpClient(s);
    await c.allocate();
    const p = await peer();
    const refused = await c.request(TurnMethod.CreatePermission, (w) => {
      peerAttr(p.port)(w);
      peerAttr(1, '10.0.0.1')(w);
    });
    expect(refused.code).toBe(403);
    expect(s.stats.forbiddenPeers).toBe(1);
    expect(s.stats.permissions).toBe(0);
    const ok = await c.request(TurnMethod.CreatePermission, (w) => {
      peerAttr(p.port)(w);
      peerAttr(9, '203.0.113.9')(w);
    });
    expect(ok.code).toBeUndefined();
    expect(s.stats.permissions).toBe(2);
  });

  it('Send → peer, peer → Data indication; a peer without permission is dropped', async () => {
    const s = await server({ peers: { allowedPeers: ['127.0.0.0/8'] } });
    const c = await udpClient(s);
    const relay = relayedAddress(await c.allocate());
    const p = await peer();
    const stranger = await peer('127.0.0.2');
    const send = (data: string) => {
      const w = new StunMessageWriter(new Uint8Array(512));
      w.begin(TurnMethod.Send, StunClass.Indication)
        .addAddress('127.0.0.1', p.port, TurnAttr.XorPeerAddress)
        .addString(TurnAttr.Data, data);
      c.send(w.toBuffer());
    };
    send('before permission');
    await until(() => s.stats.clientPacketsDropped === 1);
    expect((await c.request(TurnMethod.CreatePermission, peerAttr(p.port))).code).toBeUndefined();
    send('hello peer');
    await until(() => p.got.length === 1);
    expect(p.got[0].toString()).toBe('hello peer');
    p.socket.send('hello client', relay.port, '127.0.0.1');
    await c.until(() => c.dataIndications.length === 1);
    expect(c.dataIndications[0]).toMatchObject({ peer: '127.0.0.1', port: p.port });
    expect(c.dataIndications[0].data.toString()).toBe('hello client');
    stranger.socket.send('let me in', relay.port, '127.0.0.1');
    await until(() => s.stats.peerPacketsDropped === 1);
    expect(c.dataIndications.length).toBe(1);
  });

  it('ChannelBind then ChannelData both ways; UDP padding accepted; bad numbers and rebinds refused', async () => {
    const s = await server();
    const c = await udpClient(s);
    const relay = relayedAddress(await c.allocate());
    const p = await peer();
    const q = await peer();
    const bind = (n: number, port: number) =>
      c.request(TurnMethod.ChannelBind, (w) => {
        w.addBytes(TurnAttr.ChannelNumber, Uint8Array.of(n >> 8, n & 0xff, 0, 0));
        peerAttr(port)(w);
      });
    expect((await bind(0x3fff, p.port)).code).toBe(400);
    expect((await bind(0x4001, p.port)).code).toBeUndefined();
    expect((await bind(0x4001, p.port)).code).toBeUndefined(); // a refresh
    expect((await bind(0x4001, q.port)).code).toBe(400); // number taken by another peer
    expect((await bind(0x4002, p.port)).code).toBe(400); // peer has another number
    expect(s.stats.channels).toBe(1);
    c.send(channelData(0x4001, Buffer.from('abcde'), true)); // padded: allowed over UDP
    c.send(channelData(0x4002, Buffer.from('unbound'), false));
    await until(() => p.got.length === 1 && s.stats.clientPacketsDropped === 1);
    expect(p.got[0].toString()).toBe('abcde');
    p.socket.send('back', relay.port, '127.0.0.1');
    await c.until(() => c.channelData.length === 1);
    expect(c.channelData[0].channel).toBe(0x4001);
    expect(c.channelData[0].data.toString()).toBe('back');
  });

  it("strict RFC 8656 channel numbers refuse 0x5000; coturn's range accepts it by default", async () => {
    const strict = await server({ channelNumbers: 'rfc8656' });
    const c = await udpClient(strict);
    await c.allocate();
    const p = await peer();
    const bind = (cl: TestTurnClient) =>
      cl.request(TurnMethod.ChannelBind, (w) => {
        w.addBytes(TurnAttr.ChannelNumber, Uint8Array.of(0x50, 0, 0, 0));
        peerAttr(p.port)(w);
      });
    expect((await bind(c)).code).toBe(400);
    const loose = await server();
    const d = await udpClient(loose);
    await d.allocate();
    expect((await bind(d)).code).toBeUndefined();
  });
});

describe('Refresh and lifetimes', () => {
  it('LIFETIME 0 deletes; then 437; another user on the 5-tuple gets 441', async () => {
    const s = await server();
    const c = await udpClient(s);
    await c.allocate();
    const longer = await c.request(TurnMethod.Refresh, (w) => w.addUint32(TurnAttr.Lifetime, 99999));
    expect(u32Attr(longer, TurnAttr.Lifetime)).toBe(3600);
    c.username = 'bob';
    c.password = 'pw2';
    expect((await c.request(TurnMethod.Refresh)).code).toBe(441);
    c.username = 'alice';
    c.password = 'pw';
    const del = await c.request(TurnMethod.Refresh, (w) => w.addUint32(TurnAttr.Lifetime, 0));
    expect(u32Attr(del, TurnAttr.Lifetime)).toBe(0);
    expect(s.stats.allocations).toBe(0);
    expect(s.stats.allocationsDeleted).toBe(1);
    expect((await c.request(TurnMethod.Refresh)).code).toBe(437);
    expect((await c.request(TurnMethod.CreatePermission, peerAttr(1))).code).toBe(437);
  });

  it('an allocation that is not refreshed expires and its relay port is freed', async () => {
    const s = await server({
      lifetimes: { defaultSeconds: 1, maxSeconds: 1 },
      relay: { minPort: 21500, maxPort: 21500 },
    });
    const c = await udpClient(s);
    expect(relayedAddress(await c.allocate()).port).toBe(21500);
    expect((await (await udpClient(s)).allocate()).code).toBe(508); // the only port is taken
    await until(() => s.stats.allocationsExpired === 1);
    expect(s.stats.allocations).toBe(0);
    expect(relayedAddress(await (await udpClient(s)).allocate()).port).toBe(21500);
  });
});

describe('TCP and TLS between client and server (RFC 8656 §3.1)', () => {
  for (const tls of [false, true]) {
    it(`${tls ? 'TLS' : 'TCP'}: allocate, padded ChannelData both ways, allocation gone with the connection`, async () => {
      const s = await server({
        listen: [{ protocol: tls ? 'tls' : 'tcp', address: '127.0.0.1', port: 0 }],
        tls: tls ? { selfSigned: true } : undefined,
      });
      const c = await TestTurnClient.stream(s.addresses[0].port, tls);
      opened.push(c);
      const relay = relayedAddress(await c.allocate());
      const p = await peer();
      const bound = await c.request(TurnMethod.ChannelBind, (w) => {
        w.addBytes(TurnAttr.ChannelNumber, Uint8Array.of(0x40, 0x10, 0, 0));
        peerAttr(p.port)(w);
      });
      expect(bound.code).toBeUndefined();
      // Two ChannelData messages coalesced in one write, each padded to 4 bytes.
      c.send(
        Buffer.concat([
          channelData(0x4010, Buffer.from('x'), true),
          channelData(0x4010, Buffer.from('yz'), true),
        ]),
      );
      await until(() => p.got.length === 2);
      expect(p.got.map(String)).toEqual(['x', 'yz']);
      p.socket.send('odd', relay.port, '127.0.0.1');
      await c.until(() => c.channelData.length === 1);
      expect(c.channelData[0].data.toString()).toBe('odd');
      expect(s.stats.streamConnections).toBe(1);
      c.close();
      await until(() => s.stats.allocations === 0 && s.stats.streamConnections === 0);
      expect(s.stats.allocationsDeleted).toBe(1);
    });
  }

  it('closes a stream that cannot be framed', async () => {
    const s = await server();
    const c = await TestTurnClient.stream(s.addresses.find((a) => a.protocol === 'tcp')!.port, false);
    opened.push(c);
    c.send(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await c.until(() => c.closed);
    expect(s.stats.streamFramingErrors).toBe(1);
  });
});

describe('options', () => {
  it('refuses to run as an open relay or with a TLS listener without a certificate', async () => {
    await expect(
      createTurnServer({ listen: [{ protocol: 'udp', port: 0 }], auth: { realm: 'r' } }),
    ).rejects.toThrow(TypeError);
    await expect(
      createTurnServer({
        listen: [{ protocol: 'tls', address: '127.0.0.1', port: 0 }],
        auth: { realm: 'r', users: {} },
      }),
    ).rejects.toThrow(/tls/);
    await expect(
      createTurnServer({
        listen: [{ protocol: 'udp', address: '0.0.0.0', port: 0 }],
        auth: { realm: 'r', users: {} },
      }),
    ).rejects.toThrow(/announcedAddress/);
  });

  it('urls() lists turn: and turns: URLs', async () => {
    const s = await server({
      listen: [
        { protocol: 'udp', address: '127.0.0.1', port: 0 },
        { protocol: 'tls', address: '127.0.0.1', port: 0 },
      ],
      tls: { selfSigned: true },
    });
    const [udp, tls] = s.addresses;
    expect(s.urls()).toEqual([
      `turn:127.0.0.1:${udp.port}?transport=udp`,
      `turns:127.0.0.1:${tls.port}?transport=tcp`,
    ]);
    expect(new StunMessageView()).toBeDefined();
    expect(StunAttr.Realm).toBe(0x14);
  });
});
