/**
 * Latency: p50/p99/p999 of send→receive time (timestamp in the payload, one clock) at 25/50/75 %
 * of tsfu's GCM N=10 1200 B maximum, through tsfu and through the plain relay at the same rates.
 */
import { type Proc, quick, trial } from './load-common.js';

/** One load point: target, loadPct, outPps, loss and the latency percentiles (µs). */
export type LatencyPoint = Record<string, unknown>;

const LOAD_PCTS = [25, 50, 75];

/** N=10, 1200 B from `sender` through `forwarder` to `recv` at 25/50/75 % of `maxPps`. */
export async function latencyPoints(
  target: string,
  clients: Proc,
  forwarder: Proc,
  sender: number,
  recv: number[],
  maxPps: number,
): Promise<LatencyPoint[]> {
  const points: LatencyPoint[] = [];
  for (const pct of LOAD_PCTS) {
    const rate = Math.round((maxPps * pct) / 100);
    const tr = await trial(clients, forwarder, sender, recv, 10, 1200, rate, quick ? 800 : 1500, 4);
    points.push({
      target,
      loadPct: pct,
      outPps: rate,
      loss: tr.t.loss,
      ...tr.r.latencyUs,
    });
  }
  return points;
}

/** The plain relay re-pointed at the first 10 of `plainRecv`, then `latencyPoints` through it. */
export async function relayLatency(
  clients: Proc,
  plainRelay: Proc,
  plainSender: number,
  plainRecv: Array<{ id: number; port: number }>,
  maxPps: number,
): Promise<LatencyPoint[]> {
  const recv = plainRecv.slice(0, 10);
  const { port } = await plainRelay.call<{ port: number }>('setup', { targets: recv.map((e) => e.port) });
  await clients.call('plain', { ids: [plainSender, ...recv.map((e) => e.id)], remotePort: port });
  return latencyPoints(
    'node:dgram relay',
    clients,
    plainRelay,
    plainSender,
    recv.map((e) => e.id),
    maxPps,
  );
}
