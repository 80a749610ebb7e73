/**
 * What every load suite shares: a forked party driven over IPC (`Proc`), the constants of the
 * fan-out search, one measured trial, and a connected tsfu fan-out.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { IceDtlsInfo, SrtpKeys } from './load-client.js';
import type { RunResult, StreamSpec } from './load-procs.js';

export const quick = process.argv.includes('--quick') || process.env.TSFU_BENCH_QUICK === '1';

// Children are killed when this process exits, however it exits (a failed suite must not leave
// SFUs and load generators running).
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill();
});

export class Proc {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly child: ChildProcess;
  constructor(role: string) {
    this.child = fork(new URL('./load-procs.js', import.meta.url), [role], {
      // TSFU_BENCH_PROF=<dir>: CPU profiles of the SFU process, one per thread (node --cpu-prof).
      execArgv:
        role === 'sfu' && process.env.TSFU_BENCH_PROF
          ? ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${process.env.TSFU_BENCH_PROF}`]
          : [
              '--expose-gc',
              // The measuring process allocates per received datagram too: with V8's default young
              // generation its own scavenges stall receive for several ms and would set every p99.
              ...(role === 'clients' ? ['--max-semi-space-size=1'] : []),
              ...(role === 'sfu' && process.env.TSFU_BENCH_SFU_ARGS
                ? process.env.TSFU_BENCH_SFU_ARGS.split(' ')
                : []),
            ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(this.child);
    this.child.once('exit', () => children.delete(this.child));
    this.child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
  }
  call<T = unknown>(method: string, args: unknown = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, method, args });
    });
  }
  async exit(): Promise<void> {
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.send({ id: 0, method: 'exit', args: {} });
    await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** `udpDrops`: the kernel's receive-buffer drops summed over the process's UDP sockets (Linux). */
export type Usage = { cpuUs: number; rss: number; udpDrops?: number };
export type Profile = 'AEAD_AES_128_GCM' | 'AES_CM_128_HMAC_SHA1_80';
export const PROFILES: Profile[] = ['AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80'];
export const SHORT: Record<Profile, string> = {
  AEAD_AES_128_GCM: 'GCM',
  AES_CM_128_HMAC_SHA1_80: 'CM-SHA1-80',
};
export const FANOUTS = quick ? [10] : [1, 10, 100];
export const SIZES = quick ? [1200] : [1200, 200];
export const TRIAL_MS = quick ? 400 : 700;
export const DRAIN_MS = quick ? 150 : 250;
export const MAX_TRIALS = quick ? 5 : 6;
export const START_OUT_PPS = 20_000;
export const MAX_SRC_PPS = 150_000;

export interface Trial {
  outPps: number;
  loss: number;
  forwardedPps: number;
  cpuSecPerMillion: number;
  cpuCores: number;
  /** Datagrams the kernel dropped during the trial at the forwarder's sockets / the clients' (Linux). */
  forwarderDrops?: number;
  clientDrops?: number;
  /** 99th percentile send → receive latency of the sampled packets, ms (undefined: none sampled). */
  p99Ms?: number;
}

/**
 * A rate a forwarder sustains: < 1 % lost and p99 latency ≤ 50 ms (as the rooms suite asks). Without the
 * latency bound a short trial passes on the socket's receive buffer alone (1 MiB holds ~0.4 s of the
 * goal case's input): the maximum found then was not sustained for 3 s at 80 % of it.
 */
export function sustained(t: Trial): boolean {
  return t.loss < 0.01 && (t.p99Ms === undefined || t.p99Ms <= 50);
}

export function keys(profile: Profile): SrtpKeys {
  return {
    profile,
    masterKey: [...randomBytes(16)],
    masterSalt: [...randomBytes(profile === 'AEAD_AES_128_GCM' ? 12 : 14)],
  };
}

export async function trial(
  clients: Proc,
  target: Proc,
  sender: number,
  receivers: number[],
  fanout: number,
  size: number,
  outPps: number,
  durationMs = TRIAL_MS,
  sampleEvery = 64,
  twcc = false,
): Promise<{ t: Trial; r: RunResult }> {
  const stream: StreamSpec = {
    sender,
    ssrc: 0x0b0b0b0b,
    kind: 'video',
    size,
    pps: outPps / fanout,
    receivers: fanout,
    twcc,
  };
  const u0 = await target.call<Usage>('usage');
  const c0 = await clients.call<Usage>('usage');
  const r = await clients.call<RunResult>('run', {
    streams: [stream],
    receivers,
    durationMs,
    drainMs: DRAIN_MS,
    sampleEvery,
  });
  const u1 = await target.call<Usage>('usage');
  const c1 = await clients.call<Usage>('usage');
  const drops = (a: Usage, b: Usage) =>
    a.udpDrops === undefined || b.udpDrops === undefined ? undefined : b.udpDrops - a.udpDrops;
  const cpuSec = (u1.cpuUs - u0.cpuUs) / 1e6;
  // Loss and rate from what arrived in time (see IN_TIME_GRACE_MS); CPU over every packet.
  const loss = r.expected === 0 ? 1 : Math.max(0, 1 - r.receivedInTime / r.expected);
  return {
    t: {
      outPps,
      loss,
      forwardedPps: r.receivedInTime / r.seconds,
      cpuSecPerMillion: cpuSec / Math.max(1e-9, r.received / 1e6),
      cpuCores: cpuSec / (r.seconds + DRAIN_MS / 1000),
      forwarderDrops: drops(u0, u1),
      clientDrops: drops(c0, c1),
      p99Ms: r.latencyUs ? r.latencyUs.p99 / 1000 : undefined,
    },
    r,
  };
}

export function log(msg: string): void {
  console.log(`[load ${new Date().toISOString().slice(11, 19)}] ${msg}`);
}

/**
 * One sender + `fanout` receiving transports on worker 0, connected (ICE + DTLS with `profile`), one
 * producer consumed by every receiver, warmed up with keyframes. `ioThread`: on the WebRtcServer without
 * `tsfuConnectedUdp`. `bwe`: send-side bandwidth estimation on, as with browsers — the sender's
 * packets carry the transport-wide sequence number, the consumers negotiate transport-cc (the SFU
 * stamps every packet it sends) and the receivers send transport-cc feedback every 50 ms; without
 * it, no transport-cc anywhere. Returns the client endpoint ids (trials must pass `bwe` as `twcc`).
 */
export async function tsfuFanout(
  sfu: Proc,
  clients: Proc,
  profile: Profile,
  fanout: number,
  ioThread = false,
  bwe = false,
): Promise<{ sender: number; recv: number[] }> {
  const fp = await clients.call<{ algorithm: string; value: string }>('fingerprint');
  const ts = await sfu.call<Array<{ id: number; info: IceDtlsInfo }>>('createTransports', {
    worker: 0,
    count: 1 + fanout,
    ioThread,
  });
  const eps = await clients.call<Array<{ id: number; port: number }>>('create', { count: 1 + fanout });
  await sfu.call('connect', {
    ids: ts.map((t) => t.id),
    dtlsParameters: { role: 'client', fingerprints: [fp] },
  });
  await clients.call('connect', { pairs: ts.map((t, i) => ({ id: eps[i].id, info: t.info })), profile });
  const producer = await sfu.call<number>('produce', {
    transport: ts[0].id,
    kind: 'video',
    ssrc: 0x0b0b0b0b,
    twcc: bwe,
  });
  const recv = eps.slice(1).map((e) => e.id);
  for (let i = 1; i <= fanout; i++) {
    const consumer = await sfu.call<number>('consume', {
      transport: ts[i].id,
      producer,
      worker: 0,
      noBwe: !bwe,
    });
    const extId = bwe ? await sfu.call<number>('consumerTwccExtId', { consumer }) : 0;
    if (bwe && extId === 0) throw new Error('load: the consumer did not negotiate transport-cc');
    await clients.call('transportCc', { ids: [eps[i].id], extId });
  }
  await clients.call('run', {
    streams: [
      {
        sender: eps[0].id,
        ssrc: 0x0b0b0b0b,
        kind: 'video',
        size: 1200,
        pps: 200,
        receivers: fanout,
        keyframeEveryMs: 0,
        twcc: bwe,
      },
    ],
    receivers: recv,
    durationMs: 300,
    drainMs: 100,
    sampleEvery: 1000,
  });
  return { sender: eps[0].id, recv };
}
