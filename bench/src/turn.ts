/**
 * Relayed packets per CPU-second of a TURN server: `tsfu-turn` (its CLI in a
 * process of its own) relaying ChannelData, and Send/Data indications, vs a
 * plain `node:dgram` relay process (`turn-dgram-relay.ts`) measured in the
 * same run. Clients in this process send windows of packets to an echoing
 * peer through the relay and wait for every echo (or 250 ms: counted lost),
 * so no case looks fast by dropping. One op = one packet relayed (each round
 * trip is two: client → peer and peer → client). CPU is the relay process's
 * user + system time from /proc.
 *
 *   pnpm exec tsc -b bench && node bench/dist/turn.js [--quick]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  longTermKey,
  StunAttr,
  StunClass,
  StunMessageView,
  StunMessageWriter,
  StunParseResult,
} from '@tsfu/ice-lite';
import { TurnAttr, TurnMethod, turnRestCredentials } from '@tsfu/turn';
import { saveResults } from './harness.js';

const quick = process.argv.includes('--quick') || process.env.TSFU_BENCH_QUICK === '1';
const CLIENTS = 8;
const WINDOW_PER_CLIENT = 8;
const WINDOW_TIMEOUT_MS = 250;
const TRIAL_MS = quick ? 500 : 1000;
const ROUNDS = quick ? 2 : 3;
const SIZES = quick ? [1200] : [200, 1200];
const SECRET = 'bench-secret';
const CLK_TCK = 100; // Linux USER_HZ

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime
}

function startChild(args: string[], ready: RegExp): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${out}`)));
  });
}

/** A client socket and how it wraps a payload for the relay. */
interface Client {
  socket: Socket;
  wrap(payload: Buffer): Buffer;
}

async function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}

/** Request/answer with one retry on 401 (learning REALM/NONCE). */
async function turnRequest(
  s: Socket,
  port: number,
  cred: { username: string; credential: string },
  state: { realm: string; nonce: string },
  method: number,
  body: (w: StunMessageWriter) => void,
): Promise<StunMessageView> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const w = new StunMessageWriter(new Uint8Array(1024));
    w.begin(method, StunClass.Request);
    body(w);
    if (state.nonce) {
      w.addString(StunAttr.Username, cred.username)
        .addString(StunAttr.Realm, state.realm)
        .addString(StunAttr.Nonce, state.nonce)
        .addIntegrity(longTermKey(cred.username, state.realm, cred.credential));
    }
    const answer = await new Promise<Buffer>((resolve) => {
      s.once('message', resolve);
      s.send(w.toBuffer(), port, '127.0.0.1');
    });
    const v = new StunMessageView();
    if (v.parse(answer) !== StunParseResult.Ok) throw new Error('bad answer');
    const code = v.errorCode?.code;
    if (code === 401 && !state.nonce) {
      state.realm = v.realm!;
      state.nonce = v.nonce!;
      continue;
    }
    if (code !== undefined) throw new Error(`TURN error ${code}`);
    return v;
  }
  throw new Error('unauthenticated');
}

async function turnClient(port: number, peerPort: number, i: number, channel: boolean): Promise<Client> {
  const s = await bound();
  const cred = turnRestCredentials(SECRET, `bench${i}`, 3600);
  const state = { realm: '', nonce: '' };
  await turnRequest(s, port, cred, state, TurnMethod.Allocate, (w) =>
    w.addBytes(TurnAttr.RequestedTransport, Uint8Array.of(17, 0, 0, 0)),
  );
  const peer = (w: StunMessageWriter) => w.addAddress('127.0.0.1', peerPort, TurnAttr.XorPeerAddress);
  if (channel) {
    await turnRequest(s, port, cred, state, TurnMethod.ChannelBind, (w) => {
      w.addBytes(TurnAttr.ChannelNumber, Uint8Array.of(0x40, 0, 0, 0));
      peer(w);
    });
    return {
      socket: s,
      wrap: (p) => {
        const out = Buffer.allocUnsafe(4 + p.length);
        out.writeUInt16BE(0x4000, 0);
        out.writeUInt16BE(p.length, 2);
        p.copy(out, 4);
        return out;
      },
    };
  }
  await turnRequest(s, port, cred, state, TurnMethod.CreatePermission, peer);
  const w = new StunMessageWriter(new Uint8Array(2048));
  return {
    socket: s,
    wrap: (p) =>
      w
        .begin(TurnMethod.Send, StunClass.Indication)
        .addAddress('127.0.0.1', peerPort, TurnAttr.XorPeerAddress)
        .addBytes(TurnAttr.Data, p)
        .toBuffer(),
  };
}

async function plainClient(): Promise<Client> {
  return { socket: await bound(), wrap: (p) => p };
}

/** Sends windows through `clients` for `ms`; returns packets relayed and packets lost. */
async function trial(
  clients: Client[],
  relayPort: number,
  size: number,
  ms: number,
): Promise<{ relayed: number; lost: number }> {
  const payload = Buffer.alloc(size, 0x5a);
  const packets = clients.map((c) => c.wrap(payload));
  let arrived = 0;
  let wake: (() => void) | undefined;
  const onMessage = () => {
    arrived++;
    if (wake) wake();
  };
  for (const c of clients) c.socket.on('message', onMessage);
  let relayed = 0;
  let lost = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    arrived = 0;
    const want = clients.length * WINDOW_PER_CLIENT;
    for (let k = 0; k < WINDOW_PER_CLIENT; k++) {
      for (let i = 0; i < clients.length; i++) clients[i].socket.send(packets[i], relayPort, '127.0.0.1');
    }
    const deadline = performance.now() + WINDOW_TIMEOUT_MS;
    while (arrived < want && performance.now() < deadline) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 5);
      });
    }
    wake = undefined;
    relayed += 2 * Math.min(arrived, want);
    lost += Math.max(0, want - arrived);
  }
  for (const c of clients) c.socket.off('message', onMessage);
  return { relayed, lost };
}

interface Row {
  name: string;
  size: number;
  relayed: number;
  cpuSeconds: number;
  lost: number;
}

async function main(): Promise<void> {
  const peer = await bound();
  peer.on('message', (m, r) => peer.send(m, r.port, r.address)); // echo
  const peerPort = peer.address().port;
  const cli = fileURLToPath(new URL('../../packages/turn/dist/cli.js', import.meta.url));
  const relayScript = fileURLToPath(new URL('./turn-dgram-relay.js', import.meta.url));
  const turn = await startChild(
    [
      cli,
      '--listen',
      'udp://127.0.0.1:0',
      '--secret',
      SECRET,
      '--allow-peer',
      '127.0.0.1',
      '--min-port',
      '27000',
      '--max-port',
      '27999',
    ],
    /listening turn:127\.0\.0\.1:(\d+)/,
  );
  const plain = await startChild([relayScript, String(peerPort)], /port (\d+)/);
  try {
    const cases = [
      {
        name: 'dgram relay (baseline)',
        pid: plain.child.pid!,
        port: plain.port,
        clients: await Promise.all(Array.from({ length: CLIENTS }, plainClient)),
      },
      {
        name: 'tsfu-turn ChannelData',
        pid: turn.child.pid!,
        port: turn.port,
        clients: await Promise.all(
          Array.from({ length: CLIENTS }, (_, i) => turnClient(turn.port, peerPort, i, true)),
        ),
      },
      {
        name: 'tsfu-turn Send/Data indications',
        pid: turn.child.pid!,
        port: turn.port,
        clients: await Promise.all(
          Array.from({ length: CLIENTS }, (_, i) => turnClient(turn.port, peerPort, 100 + i, false)),
        ),
      },
    ];
    const rows: Row[] = [];
    for (const size of SIZES) {
      const acc = cases.map((c) => ({ name: c.name, size, relayed: 0, cpuSeconds: 0, lost: 0 }));
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < cases.length; i++) {
          const c = cases[i];
          const cpu0 = cpuSeconds(c.pid);
          const r = await trial(c.clients, c.port, size, TRIAL_MS);
          acc[i].cpuSeconds += cpuSeconds(c.pid) - cpu0;
          acc[i].relayed += r.relayed;
          acc[i].lost += r.lost;
        }
      }
      rows.push(...acc);
    }
    console.log('\n## TURN relay: relayed packets per CPU-second of the relay process\n');
    console.log('| case | size | relayed | relay CPU-s | pkts/CPU-s | vs dgram relay | lost |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    const out = [];
    for (const r of rows) {
      const base = rows.find((x) => x.size === r.size && x.name.startsWith('dgram'))!;
      const perCpu = r.relayed / Math.max(r.cpuSeconds, 0.01);
      const basePerCpu = base.relayed / Math.max(base.cpuSeconds, 0.01);
      const ratio = perCpu / basePerCpu;
      out.push({ ...r, perCpuSecond: perCpu, vsDgramRelay: ratio });
      console.log(
        `| ${r.name} | ${r.size} B | ${r.relayed.toLocaleString('en-US')} | ${r.cpuSeconds.toFixed(2)} | ${Math.round(perCpu).toLocaleString('en-US')} | ${ratio.toFixed(2)}x | ${r.lost} |`,
      );
    }
    console.log(
      `(saved ${saveResults('turn', { clients: CLIENTS, windowPerClient: WINDOW_PER_CLIENT, rows: out })})`,
    );
    for (const c of cases) for (const cl of c.clients) cl.socket.close();
  } finally {
    turn.child.kill();
    plain.child.kill();
    peer.close();
  }
}

await main();
