/**
 * `tsfuLoopbackOnly` over real sockets: a listen on 0.0.0.0 with the flag
 * answers STUN from 127.0.0.1 and drops (and counts) the same request from
 * this machine's non-loopback address, UDP and TCP alike. (The browser tests
 * no longer prove this: which interfaces Chromium checks from depends on its
 * version.) Needs one non-internal IPv4 interface, as these machines have.
 */
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { StunAttr, StunClass, StunMessageWriter, StunMethod } from '@tsfu/ice-lite';
import * as sfu from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

function nonLoopbackIpv4(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('this test needs a non-internal IPv4 interface (none found)');
}

/** A STUN binding request for a ufrag no transport owns: answered with nothing either way. */
function bindingRequest(): Buffer {
  const w = new StunMessageWriter(Buffer.alloc(548));
  w.begin(StunMethod.Binding, StunClass.Request).addString(StunAttr.Username, 'nobody:x').addFingerprint();
  return Buffer.from(w.toBuffer());
}

let worker: sfu.Worker;
let server: sfu.WebRtcServer;
let udpPort: number;
let tcpPort: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  worker = await sfu.createWorker();
  server = await worker.createWebRtcServer({
    listenInfos: [
      { protocol: 'udp', ip: '0.0.0.0', port: 0, tsfuLoopbackOnly: true },
      { protocol: 'tcp', ip: '0.0.0.0', port: 0, tsfuLoopbackOnly: true },
    ],
  });
  const d = await server.dump();
  udpPort = d.udpSockets[0].port;
  tcpPort = d.tcpServers[0].port;
});

afterAll(() => {
  for (const s of sockets) s.close();
  worker?.close();
});

async function sendFrom(address: string): Promise<void> {
  const s = createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((resolve) => s.bind(0, address, resolve));
  s.send(bindingRequest(), udpPort, address);
}

describe('tsfuLoopbackOnly', () => {
  it('drops and counts UDP from a non-loopback source; loopback traffic reaches the lookup', async () => {
    const before = await server.getIoCounters();
    await sendFrom(nonLoopbackIpv4());
    await expect
      .poll(async () => (await server.getIoCounters()).droppedNotLoopback, { timeout: 10_000 })
      .toBe(before.droppedNotLoopback + 1);
    // The filter ran before anything else looked at the datagram.
    expect((await server.getIoCounters()).droppedUnknownTuple).toBe(before.droppedUnknownTuple);
    // The loopback one passes the filter and is dropped later, for its unknown ufrag.
    await sendFrom('127.0.0.1');
    await expect
      .poll(async () => (await server.getIoCounters()).droppedUnknownTuple, { timeout: 10_000 })
      .toBe(before.droppedUnknownTuple + 1);
    expect((await server.getIoCounters()).droppedNotLoopback).toBe(before.droppedNotLoopback + 1);
  });

  it('closes a TCP connection from a non-loopback source at once and counts it', async () => {
    const before = (await server.getIoCounters()).droppedNotLoopback;
    const address = nonLoopbackIpv4();
    const closed = await new Promise<boolean>((resolve, reject) => {
      const c = connect({ host: address, port: tcpPort, localAddress: address });
      c.on('error', reject);
      c.on('close', () => resolve(true));
    });
    expect(closed).toBe(true);
    expect((await server.getIoCounters()).droppedNotLoopback).toBe(before + 1);
  });
});
