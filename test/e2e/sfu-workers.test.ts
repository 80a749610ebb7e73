/**
 * Scenario 5: two workers share one UDP port (one WebRtcServer each on the
 * same 127.0.0.1:port, one socket in the I/O thread); pair 1 (A1 → B1) uses
 * worker 1's router, pair 2 (A2 → B2) worker 2's. Both pairs decode. Run
 * twice: through the I/O thread, and with `tsfuConnectedUdp` (each worker's
 * own connected socket on the shared port carries its peers' packets).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allInbound, callPage, E2E_WAIT_MS, type E2ePage, waitForRtcStats } from './harness/index.js';
import type { SfuPageApi } from './pages/sfu-schema.js';
import { type SfuRoom, startSfuRoom } from './sfu-room.js';

const call = <M extends keyof SfuPageApi & string>(
  page: E2ePage,
  method: M,
  arg: Parameters<SfuPageApi[M]>[0],
) => callPage<SfuPageApi, M>(page, method, arg);

for (const connectedUdp of [false, true]) {
  describe(`two workers, one shared UDP port${connectedUdp ? ', connected UDP sockets in the workers' : ''}`, () => {
    let room: SfuRoom;

    beforeAll(async () => {
      room = await startSfuRoom({
        workerCount: 2,
        routerOf: (peer) => (peer.endsWith('2') ? 1 : 0),
        connectedUdp,
      });
    });

    afterAll(async () => {
      await room?.close();
    });

    it('scenario 5: each producer/consumer pair within its router decodes, through the same port', async () => {
      const [d1, d2] = await Promise.all(room.servers.map((s) => s.dump()));
      expect(d1.udpSockets[0].port).toBe(d2.udpSockets[0].port);
      const pages: E2ePage[] = [];
      for (const name of ['A1', 'B1', 'A2', 'B2']) {
        const p = await room.session.openPage('sfu', name);
        await call(p, 'load', null);
        pages.push(p);
      }
      const [a1, b1, a2, b2] = pages;
      const p1 = await call(a1, 'produce', { audio: true, video: true });
      const p2 = await call(a2, 'produce', { audio: true, video: true });
      await call(
        b1,
        'consume',
        p1.map((p) => p.id),
      );
      await call(
        b2,
        'consume',
        p2.map((p) => p.id),
      );
      for (const b of [b1, b2]) {
        await waitForRtcStats(
          b,
          'frames decoded and audio arriving',
          (s) =>
            allInbound(s, 'video').some((v) => (v.framesDecoded ?? 0) >= 60) &&
            allInbound(s, 'audio').some((x) => x.packetsReceived >= 50),
          { timeoutMs: E2E_WAIT_MS },
        );
      }
      // Every transport's selected tuple is on the shared port, and each pair stayed in its worker.
      const port = d1.udpSockets[0].port;
      for (const { transport } of room.transports.values()) {
        expect(transport.iceSelectedTuple?.localPort).toBe(port);
      }
      const [w1, w2] = await Promise.all(room.routers.map((r) => r.dump()));
      expect(w1.transportIds).toHaveLength(2);
      expect(w2.transportIds).toHaveLength(2);
      for (const id of p1.map((p) => p.id))
        expect(
          room.routers[0].canConsume({ producerId: id, rtpCapabilities: room.routers[0].rtpCapabilities }),
        ).toBe(true);
      for (const id of p2.map((p) => p.id))
        expect(
          room.routers[0].canConsume({ producerId: id, rtpCapabilities: room.routers[0].rtpCapabilities }),
        ).toBe(false);
      if (connectedUdp) {
        // Media went through the workers' own sockets, both ways, and none had to fall back.
        for (const { transport, direction } of room.transports.values()) {
          const [stat] = await transport.getStats();
          const c = stat.tsfuCounters;
          expect(c.connectedUdpFallbacks).toBe(0);
          if (direction === 'send') expect(c.connectedUdpPacketsReceived).toBeGreaterThan(100);
          else expect(c.connectedUdpPacketsSent).toBeGreaterThan(100);
        }
      } else {
        for (const { transport } of room.transports.values()) {
          const [stat] = await transport.getStats();
          expect(
            stat.tsfuCounters.connectedUdpPacketsReceived + stat.tsfuCounters.connectedUdpPacketsSent,
          ).toBe(0);
        }
      }
      expect(pages.flatMap((p) => p.errors)).toEqual([]);
      expect(room.session.server.handlerErrors).toEqual([]);
    });
  });
}
