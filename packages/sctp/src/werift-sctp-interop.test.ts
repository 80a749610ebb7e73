/**
 * Interop at the SCTP level with werift-sctp 0.0.11's `SCTP` class, over a real
 * UDP socket pair on 127.0.0.1 (no DTLS), in both handshake roles.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createUdpTransport, SCTP } from 'werift-sctp';
import { Ppid } from './dcep.js';
import { once, pattern } from './pair.test-util.js';
import { SctpAssociation } from './sctp-association.js';
import { bindLoopback, portOf } from './udp.test-util.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(weriftIsClient: boolean) {
  const sa = await bindLoopback();
  const sb = await bindLoopback();
  const ours = new SctpAssociation({
    send: (p) => sa.send(p, portOf(sb), '127.0.0.1'),
    rtoInitialMs: 200,
    rtoMinMs: 100,
  });
  sa.on('message', (m) => ours.handle(m));
  const wt = createUdpTransport(sb, { address: '127.0.0.1', port: portOf(sa) });
  const werift = weriftIsClient ? SCTP.client(wt) : SCTP.server(wt);
  cleanups.push(async () => {
    ours.abort();
    await werift.stop().catch(() => {});
    sa.close();
    sb.close();
  });
  const opened = once(ours, 'open');
  if (weriftIsClient) {
    await werift.start(5000);
  } else {
    void werift.start(5000);
    ours.connect();
  }
  await opened;
  if (werift.state !== 'connected') await werift.stateChanged.connected.asPromise();
  return { ours, werift };
}

// WebRTC payloads: 0-byte messages travel as one 0x00 byte with PPID 56/57.
const payloads: Array<{ name: string; ppid: number; data: Buffer }> = [
  { name: 'empty text (PPID 56)', ppid: Ppid.STRING_EMPTY, data: Buffer.from([0]) },
  { name: 'empty binary (PPID 57)', ppid: Ppid.BINARY_EMPTY, data: Buffer.from([0]) },
  { name: '1 B binary', ppid: Ppid.BINARY, data: Buffer.from([0xa5]) },
  { name: '1 B text', ppid: Ppid.STRING, data: Buffer.from('z') },
  { name: '16 KiB binary', ppid: Ppid.BINARY, data: pattern(16384, 1) },
  { name: '16 KiB text', ppid: Ppid.STRING, data: Buffer.from('ab'.repeat(8192)) },
  { name: '256 KiB binary', ppid: Ppid.BINARY, data: pattern(262144, 2) },
  { name: '256 KiB text', ppid: Ppid.STRING, data: Buffer.from('xyzw'.repeat(65536)) },
];

describe.each([
  { role: 'werift-sctp as client (sends INIT)', weriftIsClient: true },
  { role: 'werift-sctp as server (we send INIT)', weriftIsClient: false },
])('@tsfu/sctp ⇄ werift-sctp over UDP, $role', ({ weriftIsClient }) => {
  it('carries every payload both ways, ordered and unordered', async () => {
    const { ours, werift } = await setup(weriftIsClient);
    const atWerift: Array<[number, number, Buffer]> = [];
    const atOurs: Array<[number, number, Buffer]> = [];
    werift.onReceive.subscribe((sid, ppid, data) => {
      atWerift.push([sid, ppid, Buffer.from(data)]);
    });
    ours.on('message', (sid, ppid, data) => atOurs.push([sid, ppid, Buffer.from(data)]));
    for (const [i, p] of payloads.entries()) {
      ours.sendMessage(2, p.ppid, p.data, { unordered: i % 2 === 1 });
      await werift.send(3, p.ppid, p.data, { ordered: i % 2 === 0 });
    }
    const deadline = Date.now() + 15_000;
    while ((atWerift.length < payloads.length || atOurs.length < payloads.length) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(atWerift.length).toBe(payloads.length);
    expect(atOurs.length).toBe(payloads.length);
    // Unordered messages may overtake; match each payload by content.
    for (const p of payloads) {
      expect(atWerift.some(([sid, ppid, d]) => sid === 2 && ppid === p.ppid && d.equals(p.data))).toBe(true);
      expect(atOurs.some(([sid, ppid, d]) => sid === 3 && ppid === p.ppid && d.equals(p.data))).toBe(true);
    }
    expect(ours.stats.badChecksum).toBe(0);
    expect(ours.stats.malformedChunks).toBe(0);
  });
});
