/**
 * End-to-end load suites, every party in its own process (see `load-procs.ts`):
 * the SFU; a load generator + receivers process built from tsfu's packages
 * (ICE + DTLS + SRTP over real WebRtcTransports on 127.0.0.1); and two
 * baselines doing the same fan-out, measured the same way in the same run —
 * a plain `node:dgram` relay (no crypto: the ceiling) and a relay using
 * werift-rtp's SRTP (decrypt once, encrypt per receiver).
 *
 * - fan-out: 1 producer → N consumers, bounded search for the highest output
 *   rate with < 1 % loss; forwarded packets/s and the forwarding process's
 *   CPU-seconds per million forwarded packets (its own `process.cpuUsage()`).
 * - latency: p50/p99/p999 of send→receive time (timestamp in the payload, one
 *   clock) at 25/50/75 % of the tsfu GCM N=10 1200 B maximum, beside the relay.
 * - rooms: R rooms × 4 participants, Opus 50 pps ~100 B + VP8-shaped 150 pps
 *   ~1000 B (keyframe every 2 s), everyone consuming everyone; rooms added
 *   until loss > 1 % or p99 > 50 ms → consumers per core, RSS per consumer
 *   and RSS per consumer beyond its retransmission buffer.
 * - scaling: the rooms ramp with 1 and 2 workers on one shared port.
 *
 * Suites by file: `load-fanout.ts` (fan-out rows, equal-load goal check), `load-latency.ts`,
 * `load-rooms.ts` (rooms ramp, scaling), `load-probe.ts` (`--probe`); shared parts in
 * `load-common.ts`. This file runs them, writes the results and charts, and prints the summary.
 *
 * tsfu runs with `tsfuConnectedUdp` (each worker's own connected socket carries
 * its peers' media; `TSFU_BENCH_CONNECTED_UDP=0` turns it off); the equal-load
 * goal check also measures the default path through the shared I/O thread.
 *
 *   pnpm exec tsc -b bench && node bench/dist/load.js [--quick]
 */
import { cpus } from 'node:os';
import { saveResults, saveText } from './harness.js';
import { FANOUTS, log, quick } from './load-common.js';
import { fanoutSuite } from './load-fanout.js';
import { probe } from './load-probe.js';
import { roomsRamp } from './load-rooms.js';
import { lineChartSvg } from './svg-chart.js';

const writeFile = saveText;

export async function runLoad() {
  const started = Date.now();
  log(`${quick ? 'quick' : 'full'} mode; ${cpus().length} cores`);
  const { rows, latency, equalLoad } = await fanoutSuite();
  const rooms1 = await roomsRamp(1);
  const rooms2 = await roomsRamp(2);

  // Ratios within this run.
  const find = (t: string, p: string, n: number, s: number) =>
    rows.find((r) => r.target === t && r.profile === p && r.fanout === n && r.size === s);
  const table = rows
    .filter((r) => r.target === 'tsfu')
    .map((r) => {
      const plain = find('node:dgram relay', 'none', r.fanout, r.size);
      const wer = find('werift-rtp SRTP relay', r.profile, r.fanout, r.size);
      return {
        case: `tsfu ${r.profile} N=${r.fanout} ${r.size} B`,
        'fwd pkts/s': Math.round(r.forwardedPps),
        'CPU-s/M': +r.cpuSecPerMillion.toFixed(2),
        'dgram pkts/s': Math.round(plain?.forwardedPps ?? 0),
        'dgram CPU-s/M': +(plain?.cpuSecPerMillion ?? Number.NaN).toFixed(2),
        'werift pkts/s': Math.round(wer?.forwardedPps ?? 0),
        'werift CPU-s/M': +(wer?.cpuSecPerMillion ?? Number.NaN).toFixed(2),
        'pkts/CPU-s vs dgram': +(r.packetsPerCpuSecond / (plain?.packetsPerCpuSecond ?? Number.NaN)).toFixed(
          3,
        ),
        'pkts/CPU-s vs werift': +(r.packetsPerCpuSecond / (wer?.packetsPerCpuSecond ?? Number.NaN)).toFixed(
          2,
        ),
        'pkts/s vs werift': +(r.forwardedPps / (wer?.forwardedPps ?? Number.NaN)).toFixed(2),
      };
    });
  const summary = {
    mode: quick ? 'quick' : 'full',
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    seconds: (Date.now() - started) / 1000,
    fanout: table,
    equalLoad,
    latency,
    rooms: { ...rooms1, steps: undefined },
    scaling: {
      oneWorker: { consumers: rooms1.maxConsumersOk, outPps: rooms1.outPpsOk },
      twoWorkers: { consumers: rooms2.maxConsumersOk, outPps: rooms2.outPpsOk },
      ratio: rooms1.maxConsumersOk > 0 ? rooms2.maxConsumersOk / rooms1.maxConsumersOk : Number.NaN,
    },
  };
  saveResults('fanout', { rows, table, equalLoad });
  saveResults('latency', latency);
  saveResults('rooms', rooms1);
  saveResults('scaling', { oneWorker: rooms1, twoWorkers: rooms2 });
  saveResults('summary', summary);

  // Charts.
  const cats = FANOUTS.map(String);
  const series = [
    ...[
      'node:dgram relay|none',
      'werift-rtp SRTP relay|GCM',
      'werift-rtp SRTP relay|CM-SHA1-80',
      'tsfu|GCM',
      'tsfu|CM-SHA1-80',
    ].map((k) => {
      const [t, p] = k.split('|');
      return {
        name: p === 'none' ? t : `${t} ${p}`,
        points: FANOUTS.map(
          (n, i) => [i, find(t, p, n, 1200)?.forwardedPps ?? Number.NaN] as [number, number],
        ),
      };
    }),
  ];
  const fanSvg = writeFile(
    'fanout.svg',
    lineChartSvg({
      title: 'Fan-out: forwarded packets/s at < 1 % loss (1200 B)',
      xLabel: 'consumers (N)',
      yLabel: 'forwarded packets/s',
      xCategories: cats,
      series,
    }),
  );
  const cpuSvg = writeFile(
    'fanout-cpu.svg',
    lineChartSvg({
      title: 'Fan-out: forwarded packets per CPU-second (1200 B)',
      xLabel: 'consumers (N)',
      yLabel: 'packets per CPU-second of the forwarder',
      xCategories: cats,
      series: series.map((s, si) => ({
        name: s.name,
        points: FANOUTS.map((n, i) => {
          const k = [
            'node:dgram relay|none',
            'werift-rtp SRTP relay|GCM',
            'werift-rtp SRTP relay|CM-SHA1-80',
            'tsfu|GCM',
            'tsfu|CM-SHA1-80',
          ][si].split('|');
          return [i, find(k[0], k[1], n, 1200)?.packetsPerCpuSecond ?? Number.NaN] as [number, number];
        }),
      })),
    }),
  );
  const latSvg = writeFile(
    'latency.svg',
    lineChartSvg({
      title: 'Added latency vs load (N=10, 1200 B, % of tsfu GCM max)',
      xLabel: 'load (% of the fan-out maximum)',
      yLabel: 'send → receive latency (ms)',
      series: ['tsfu GCM', 'node:dgram relay'].flatMap((t) =>
        (['p50', 'p99', 'p999'] as const).map((q) => ({
          name: `${t} ${q}`,
          points: latency
            .filter((l) => l.target === t)
            .map((l) => [l.loadPct as number, (l[q] as number) / 1000] as [number, number]),
        })),
      ),
    }),
  );
  const roomsSvg = writeFile(
    'rooms.svg',
    lineChartSvg({
      title: 'Rooms ramp: SFU cores used vs consumers',
      xLabel: 'consumers',
      yLabel: 'SFU CPU cores',
      series: [rooms1, rooms2].map((r) => ({
        name: `${r.workers} worker(s)`,
        points: r.steps.map((s) => [s.consumers, s.cpuCores] as [number, number]),
      })),
    }),
  );

  console.log(
    '\n## Fan-out (highest rate with < 1 % loss; CPU-s/M = forwarder CPU-seconds per million forwarded packets)',
  );
  console.table(table);
  console.log('\n## Baselines and every case');
  console.table(
    rows.map((r) => ({
      target: r.target,
      profile: r.profile,
      N: r.fanout,
      size: r.size,
      'fwd pkts/s': Math.round(r.forwardedPps),
      'loss %': +(r.loss * 100).toFixed(2),
      'CPU-s/M': +r.cpuSecPerMillion.toFixed(2),
      'pkts/CPU-s': Math.round(r.packetsPerCpuSecond),
    })),
  );
  if (equalLoad) {
    console.log(
      `\n## Goal check at equal load (GCM, N=10, 1200 B, ${equalLoad.outPps} forwarded pkts/s, medians of 3 alternated rounds)`,
    );
    const goalRow = (tsfu: string, cpu: number, vsDgram: number, vsWerift: number) => ({
      tsfu,
      'tsfu CPU-s/M': +cpu.toFixed(2),
      'dgram CPU-s/M': +equalLoad.dgramCpuSecPerMillion.toFixed(2),
      'werift CPU-s/M': +equalLoad.weriftCpuSecPerMillion.toFixed(2),
      'pkts/CPU-s vs dgram': +vsDgram.toFixed(3),
      '% of the floor (goal ≥ 85)': +((100 * equalLoad.floorCpuSecPerMillion) / cpu).toFixed(1),
      'vs werift (goal ≥ 1.6)': +vsWerift.toFixed(2),
    });
    console.table([
      goalRow(
        'connected UDP (tsfuConnectedUdp)',
        equalLoad.tsfuCpuSecPerMillion,
        equalLoad.vsDgram,
        equalLoad.vsWerift,
      ),
      goalRow(
        'I/O thread (default)',
        equalLoad.tsfuIoThreadCpuSecPerMillion,
        equalLoad.ioThreadVsDgram,
        equalLoad.ioThreadVsWerift,
      ),
      goalRow(
        'connected UDP, send-side BWE on',
        equalLoad.tsfuBweCpuSecPerMillion,
        equalLoad.bweVsDgram,
        equalLoad.bweVsWerift,
      ),
    ]);
    console.log(
      `send-side BWE on / off (connected UDP): ${equalLoad.bweOnVsOff.toFixed(3)} x the CPU-s/M (goal ≤ 1.2; mediasoup 1.38)`,
    );
    console.log(
      `floor (plain relay + one bare node:crypto GCM encrypt per packet, ${equalLoad.bareGcmUsPerPacket.toFixed(2)} µs): ${equalLoad.floorCpuSecPerMillion.toFixed(2)} CPU-s/M -> best reachable ${equalLoad.floorVsDgram.toFixed(3)} x plain, ${equalLoad.floorVsWerift.toFixed(2)} x werift; tsfu at ${(equalLoad.tsfuVsFloor * 100).toFixed(1)} % of the floor`,
    );
    const st = equalLoad.steady;
    const rounds = (xs: number[]) =>
      `${xs.map((l) => (l * 100).toFixed(2)).join(' / ')} % (${xs.every((l) => l < 0.01) ? 'every round < 1 %' : 'NOT every round < 1 %'})`;
    console.log(
      `steadiness at 80 % of the maximum (${st.outPps} pkts/s, ${st.connectedUdpLoss.length} consecutive 3 s rounds): connected UDP ${rounds(st.connectedUdpLoss)}; I/O thread ${rounds(st.ioThreadLoss)}`,
    );
  }
  console.log('\n## Latency (send → receive through the forwarder, ms)');
  console.table(
    latency.map((l) => ({
      target: l.target,
      'load %': l.loadPct,
      'out pkts/s': l.outPps,
      'loss %': +((l.loss as number) * 100).toFixed(2),
      p50: +((l.p50 as number) / 1000).toFixed(3),
      p99: +((l.p99 as number) / 1000).toFixed(3),
      p999: +((l.p999 as number) / 1000).toFixed(3),
      samples: l.samples,
    })),
  );
  for (const r of [rooms1, rooms2]) {
    console.log(
      `\n## Rooms, ${r.workers} worker(s) (4 participants per room, audio + video, everyone consumes everyone)`,
    );
    console.table(
      r.steps.map((s) => ({
        rooms: s.rooms,
        consumers: s.consumers,
        'out pkts/s': Math.round(s.outPps),
        'loss %': +(s.loss * 100).toFixed(2),
        'p99 ms': +s.p99Ms.toFixed(2),
        'SFU cores': +s.cpuCores.toFixed(2),
        'clients cores': +s.clientsCores.toFixed(2),
        'consumers/core': Math.round(s.consumersPerCore),
        'RSS MiB': +s.rssMiB.toFixed(1),
        'retx MiB': +s.retxMiB.toFixed(1),
      })),
    );
    console.log(
      `per consumer (least-squares slopes): RSS ${r.rssKiBPerConsumer.toFixed(1)} KiB, retransmission buffers ${r.retxKiBPerConsumer.toFixed(1)} KiB (allocated capacity), RSS beyond them ${r.beyondRetxKiBPerConsumer.toFixed(1)} KiB (goal ≤ 64; RSS counts touched pages only)`,
    );
  }
  console.log(
    `\n## Scaling: 1 worker ${rooms1.maxConsumersOk} consumers ok (SFU ${rooms1.sfuCoresAtMax.toFixed(2)} cores, clients ${rooms1.clientsCoresAtMax.toFixed(2)}), 2 workers ${rooms2.maxConsumersOk} (SFU ${rooms2.sfuCoresAtMax.toFixed(2)} cores, clients ${rooms2.clientsCoresAtMax.toFixed(2)}) → ${summary.scaling.ratio.toFixed(2)}x`,
  );
  console.log(`charts: ${fanSvg}, ${cpuSvg}, ${latSvg}, ${roomsSvg}`);
  log(`load suites done in ${summary.seconds.toFixed(0)} s`);
  return summary;
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  const i = process.argv.indexOf('--probe');
  if (i > 0) await probe(Number(process.argv[i + 1]));
  else await runLoad();
}
