import os from 'node:os';
import { log, Proc, trial, tsfuFanout } from './load-common.js';

/**
 * `node bench/dist/load.js --probe <outPps> [--io-thread] [--with-relay]`: tsfu GCM,
 * N=`TSFU_PROBE_FANOUT` (10), 1200 B at one fixed output rate, `TSFU_PROBE_TRIALS` (5) trials of
 * `TSFU_PROBE_TRIAL_MS` (1000);
 * prints each trial's latency, the SFU's median CPU-seconds per million forwarded
 * packets and the connected-UDP counters. `--io-thread`: through the I/O thread
 * instead of the workers' connected sockets; `--with-relay`: the plain relay's
 * latency first, interleaved; `--bwe`: send-side BWE on (see `tsfuFanout`); `--bwe-ab`: BWE off and
 * on alternated in one run; `--overload`: the middle trial at twice the rate (recovery after overload).
 * For A/B-measuring one hot-path lever at equal load.
 */
export async function probe(outPps: number): Promise<void> {
  const sfu = new Proc('sfu');
  const clients = new Proc('clients');
  await sfu.call('init', { workers: 1 });
  const bwe = process.argv.includes('--bwe');
  // TSFU_PROBE_FANOUT=<N>: consumers (10); only for the plain probe (not --with-relay / --bwe-ab).
  const fanout = Number(process.env.TSFU_PROBE_FANOUT) || 10;
  if (process.argv.includes('--bwe-ab')) {
    await bweAb(sfu, clients, outPps);
    await Promise.all([sfu.exit(), clients.exit()]);
    return;
  }
  const { sender, recv } = await tsfuFanout(
    sfu,
    clients,
    'AEAD_AES_128_GCM',
    fanout,
    process.argv.includes('--io-thread'),
    bwe,
  );
  const eps = [{ id: sender }];
  const cpu: number[] = [];
  const loss: number[] = [];
  if (process.argv.includes('--with-relay')) {
    // The plain relay's latency at the same rate, interleaved (measurement floor of this machine).
    const relay = new Proc('relay-plain');
    const plainEps = await clients.call<Array<{ id: number; port: number }>>('create', { count: 11 });
    const ids = plainEps.slice(1).map((e) => e.id);
    const { port } = await relay.call<{ port: number }>('setup', {
      targets: plainEps.slice(1).map((e) => e.port),
    });
    await clients.call('plain', { ids: [plainEps[0].id, ...ids], remotePort: port });
    for (let i = 0; i < 5; i++) {
      for (const [name, target, s, rx] of [
        ['relay', relay, plainEps[0].id, ids],
        ['tsfu', sfu, eps[0].id, recv],
      ] as const) {
        const { r } = await trial(clients, target, s, [...rx], 10, 1200, outPps, 1000, 4);
        const l = r.latencyUs;
        if (l)
          log(
            `${name} latency p50 ${(l.p50 / 1000).toFixed(2)} p99 ${(l.p99 / 1000).toFixed(2)} p999 ${(l.p999 / 1000).toFixed(2)} ms`,
          );
      }
    }
    await relay.exit();
  }
  const trials = Number(process.env.TSFU_PROBE_TRIALS) || 5;
  const trialMs = Number(process.env.TSFU_PROBE_TRIAL_MS) || 1000;
  const p99s: number[] = [];
  // `--overload`: the middle trial at twice the rate — does the SFU recover its cost and loss after it?
  const overload = process.argv.includes('--overload');
  for (let i = 0; i < trials; i++) {
    const pps = overload && i === trials >> 1 ? 2 * outPps : outPps;
    if (pps !== outPps) log(`trial ${i + 1} at ${pps} pkts/s (overload)`);
    const { t, r } = await trial(clients, sfu, eps[0].id, recv, fanout, 1200, pps, trialMs, 4, bwe);
    const l = r.latencyUs;
    if (l)
      log(
        `latency p50 ${(l.p50 / 1000).toFixed(2)} p99 ${(l.p99 / 1000).toFixed(2)} p999 ${(l.p999 / 1000).toFixed(2)} ms`,
      );
    if (l) p99s.push(l.p99 / 1000);
    log(
      `trial ${i + 1}: loss ${(t.loss * 100).toFixed(2)} %, CPU-s/M ${t.cpuSecPerMillion.toFixed(2)}, kernel drops at the SFU's sockets ${t.forwarderDrops}, at the clients' ${t.clientDrops}`,
    );
    cpu.push(t.cpuSecPerMillion);
    loss.push(t.loss);
  }
  cpu.sort((a, b) => a - b);
  console.log(
    `probe ${outPps} pkts/s: SFU CPU-s/M median ${cpu[cpu.length >> 1].toFixed(2)} (${cpu.map((c) => c.toFixed(2)).join(' ')}), loss % per trial ${loss.map((x) => (x * 100).toFixed(2)).join(' ')}, p99 ms median ${p99s.sort((a, b) => a - b)[p99s.length >> 1]?.toFixed(2)} (${p99s.map((x) => x.toFixed(1)).join(' ')})`,
  );
  const c = await sfu.call<Record<string, number>>('dropCounters');
  log(
    `connected UDP: received ${c.connectedUdpPacketsReceived ?? 0}, sent ${c.connectedUdpPacketsSent ?? 0}, fallbacks ${c.connectedUdpFallbacks ?? 0}`,
  );
  await Promise.all([sfu.exit(), clients.exit()]);
}

/**
 * `--bwe-ab`: the same fan-out twice in one SFU, send-side BWE off (no transport-cc anywhere) and on
 * (transport-cc stamped on every packet, receivers' feedback every 50 ms), trials alternated; prints
 * both medians and on / off.
 */
async function bweAb(sfu: Proc, clients: Proc, outPps: number): Promise<void> {
  const io = process.argv.includes('--io-thread');
  const off = await tsfuFanout(sfu, clients, 'AEAD_AES_128_GCM', 10, io, false);
  const on = await tsfuFanout(sfu, clients, 'AEAD_AES_128_GCM', 10, io, true);
  const trials = Number(process.env.TSFU_PROBE_TRIALS) || 5;
  const cpu = { off: [] as number[], on: [] as number[] };
  const loss = { off: [] as number[], on: [] as number[] };
  for (let i = 0; i < trials; i++) {
    for (const [name, f] of (i % 2 === 0
      ? [
          ['off', off],
          ['on', on],
        ]
      : [
          ['on', on],
          ['off', off],
        ]) as Array<['off' | 'on', typeof off]>) {
      const { t } = await trial(clients, sfu, f.sender, f.recv, 10, 1200, outPps, 1000, 64, name === 'on');
      cpu[name].push(t.cpuSecPerMillion);
      loss[name].push(t.loss);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const fmt = (xs: number[]) => xs.map((c) => c.toFixed(2)).join(' ');
  console.log(
    `bwe A/B ${outPps} pkts/s GCM N=10 1200 B${io ? ' (I/O thread)' : ''}: CPU-s/M off ${med(cpu.off).toFixed(2)} (${fmt(cpu.off)}), on ${med(cpu.on).toFixed(2)} (${fmt(cpu.on)}) → on/off ${(med(cpu.on) / med(cpu.off)).toFixed(3)}; max loss off ${(Math.max(...loss.off) * 100).toFixed(2)} %, on ${(Math.max(...loss.on) * 100).toFixed(2)} %; load average ${os.loadavg()[0].toFixed(1)}`,
  );
  const c = await sfu.call<Record<string, number>>('dropCounters');
  log(`SFU counters: ${JSON.stringify(c)}`);
}
