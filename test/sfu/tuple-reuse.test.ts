/**
 * A remote address that a new ICE session reuses: a TURN server hands a freed
 * relay port to another client, a NAT reuses a mapping. The old transport is
 * still open (its page vanished without a word), so the I/O thread has the
 * address bound to it; the new session's checks name another transport's ufrag
 * and must reach that transport, which then takes the tuple over — in the same
 * worker and in another worker sharing the port. Real peers: werift 0.25.2
 * clients bound to one fixed local port in turn (ICE, DTLS). Imports the
 * built package.
 */
import { createSocket } from 'node:dgram';
import type * as sfu from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TwoWorkersOnOnePort, twoWorkersOnOnePort } from './two-workers.js';
import { type Client, connectClient, waitFor } from './werift-client.js';

let env: TwoWorkersOnOnePort;
let clientPort: number;
const clients: Client[] = [];

/** A UDP port free on 127.0.0.1 with its successor (werift binds the first free of the two). */
async function freeUdpPort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const s = createSocket('udp4');
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    const { port } = s.address();
    const next = createSocket('udp4');
    const ok = await new Promise<boolean>((resolve) => {
      next.once('error', () => resolve(false));
      next.bind(port + 1, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => s.close(resolve));
    if (ok) await new Promise<void>((resolve) => next.close(resolve));
    if (ok && port < 65535) return port;
    if (attempt > 20) throw new Error('no two consecutive free UDP ports on 127.0.0.1');
  }
}

beforeAll(async () => {
  env = await twoWorkersOnOnePort({ worker: { logLevel: 'error' } });
  clientPort = await freeUdpPort();
});

afterAll(async () => {
  for (const c of clients) await c.pc.close().catch(() => {});
  env?.close();
});

/** Connects a werift client from 127.0.0.1:clientPort to `t`; resolves once DTLS is up on the server. */
async function connectFromClientPort(t: sfu.WebRtcTransport): Promise<Client> {
  const c = await connectClient(t, { udpPort: clientPort });
  clients.push(c);
  await waitFor(() => t.dtlsState === 'connected', 15_000, `${t.id} DTLS connected`);
  return c;
}

describe('a remote address reused by a new ICE session', () => {
  let first: sfu.WebRtcTransport;
  let second: sfu.WebRtcTransport;

  it('same worker: the new transport connects from the address and takes it over', async () => {
    first = await env.r1.createWebRtcTransport({ webRtcServer: env.s1 });
    const c1 = await connectFromClientPort(first);
    expect(first.iceSelectedTuple?.remotePort).toBe(clientPort);
    // The client goes away without a word; the transport stays open (its consent has not expired).
    await c1.pc.close();
    second = await env.r1.createWebRtcTransport({ webRtcServer: env.s1 });
    await connectFromClientPort(second);
    expect(second.iceSelectedTuple?.remotePort).toBe(clientPort);
    // The old session lost the address to the new one.
    await waitFor(() => first.iceState === 'disconnected', 5_000, 'first transport disconnected');
    expect(first.iceSelectedTuple).toBeUndefined();
    expect(first.closed).toBe(false);
  });

  it('another worker sharing the port: its transport connects from the address and takes it over', async () => {
    await clients[clients.length - 1].pc.close();
    const third = await env.r2.createWebRtcTransport({ webRtcServer: env.s2 });
    await connectFromClientPort(third);
    expect(third.iceSelectedTuple?.remotePort).toBe(clientPort);
    await waitFor(() => second.iceState === 'disconnected', 5_000, 'second transport disconnected');
    expect(second.closed).toBe(false);
  });
});
