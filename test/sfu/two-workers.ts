/**
 * Two workers whose WebRtcServers share one 127.0.0.1 UDP port (and, with `tcp`, one TCP port) — the
 * deliberate difference from mediasoup — with an Opus router on each. Imports the built package.
 */
import * as sfu from '@tsfu/sfu';

export const opus = [{ kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 }];

export interface TwoWorkersOnOnePort {
  w1: sfu.Worker;
  w2: sfu.Worker;
  s1: sfu.WebRtcServer;
  s2: sfu.WebRtcServer;
  r1: sfu.Router;
  r2: sfu.Router;
  udpPort: number;
  close(): void;
}

export async function twoWorkersOnOnePort(
  o: { tcp?: boolean; worker?: Parameters<typeof sfu.createWorker>[0] } = {},
): Promise<TwoWorkersOnOnePort> {
  const w1 = await sfu.createWorker(o.worker);
  const w2 = await sfu.createWorker(o.worker);
  const s1 = await w1.createWebRtcServer({
    listenInfos: [
      { protocol: 'udp', ip: '127.0.0.1', port: 0 },
      ...(o.tcp ? [{ protocol: 'tcp' as const, ip: '127.0.0.1', port: 0 }] : []),
    ],
  });
  const d = await s1.dump();
  const udpPort = d.udpSockets[0].port;
  const s2 = await w2.createWebRtcServer({
    listenInfos: [
      { protocol: 'udp', ip: '127.0.0.1', port: udpPort },
      ...(o.tcp ? [{ protocol: 'tcp' as const, ip: '127.0.0.1', port: d.tcpServers[0].port }] : []),
    ],
  });
  const r1 = await w1.createRouter({ mediaCodecs: opus });
  const r2 = await w2.createRouter({ mediaCodecs: opus });
  return {
    w1,
    w2,
    s1,
    s2,
    r1,
    r2,
    udpPort,
    close: () => {
      w1.close();
      w2.close();
    },
  };
}
