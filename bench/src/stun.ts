/**
 * @tsfu/ice-lite benchmark: ICE connectivity checks handled per second on
 * one thread — a STUN Binding Request parsed, FINGERPRINT and short-term
 * MESSAGE-INTEGRITY verified, and a success response (XOR-MAPPED-ADDRESS,
 * MESSAGE-INTEGRITY, FINGERPRINT) built and handed to `send`. Baseline: one
 * bare `createHmac('sha1')` over the same bytes, the floor of any verifier.
 *
 *   pnpm exec tsc -b bench && node bench/dist/stun.js
 */
import { createHmac } from 'node:crypto';
import {
  IceCheckResult,
  IceLiteAgent,
  IceUfragTable,
  localUfragRange,
  StunAttr,
  StunClass,
  StunMessageView,
  StunMessageWriter,
  StunMethod,
  verifyStunFingerprint,
  verifyStunIntegrity,
} from '@tsfu/ice-lite';
import { consume, runSuite, saveResults } from './harness.js';

const UFRAG = 'benchUfrag000001';
const PASSWORD = 'benchPassword0000000000000000001';
const KEY = Buffer.from(PASSWORD, 'utf8');

// What Chrome sends: USERNAME, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT.
const w = new StunMessageWriter(Buffer.alloc(256));
w.begin(StunMethod.Binding, StunClass.Request)
  .addString(StunAttr.Username, `${UFRAG}:remoteUfrag1`)
  .addUint64(StunAttr.IceControlling, 0x1234567890abcdefn)
  .addFlag(StunAttr.UseCandidate)
  .addUint32(StunAttr.Priority, 1853824767)
  .addIntegrity(KEY)
  .addFingerprint();
const request = w.toBuffer();
const remote = { address: '192.0.2.44', port: 54321, family: 'IPv4' };

let sentBytes = 0;
const agent = new IceLiteAgent({
  send: (data) => {
    sentBytes += data.length;
  },
  usernameFragment: UFRAG,
  password: PASSWORD,
});
if (agent.handleStun(request, request.length, remote, 'udp') !== IceCheckResult.Answered) {
  throw new Error('bench request was not answered');
}

// The bytes MESSAGE-INTEGRITY covers: everything before the attribute.
const integrityInput = request.subarray(0, request.length - 24 - 8);

function hmacFloor(iterations: number): void {
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    acc += createHmac('sha1', KEY).update(integrityInput).digest()[0];
  }
  consume(acc);
}

function agentCheck(iterations: number): void {
  let acc = 0;
  for (let i = 0; i < iterations; i++) acc += agent.handleStun(request, request.length, remote, 'udp');
  if (acc !== 0) throw new Error('a check failed');
  consume(sentBytes);
}

function verifyOnly(iterations: number): void {
  const view = new StunMessageView();
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    view.parse(request, request.length);
    if (verifyStunFingerprint(view) && verifyStunIntegrity(view, KEY)) acc++;
  }
  consume(acc);
}

function route(iterations: number): void {
  let acc = 0;
  for (let i = 0; i < iterations; i++) acc += localUfragRange(request, request.length);
  consume(acc);
}

// A routing table as the I/O thread would hold: 1000 transports, ours among them.
const table = new IceUfragTable<number>();
for (let i = 0; i < 1000; i++) table.set(`otherUfrag${String(i).padStart(6, '0')}`, i);
table.set(UFRAG, 4242);

function routeTable(iterations: number): void {
  let acc = 0;
  for (let i = 0; i < iterations; i++) acc += table.lookup(request, request.length) ?? 0;
  consume(acc);
}

const results = runSuite('stun: ICE-Lite Binding Requests, single thread', [
  { name: 'bare createHmac(sha1) over the request (floor)', run: hmacFloor, baseline: true },
  { name: 'IceLiteAgent.handleStun: parse+verify+answer', run: agentCheck },
  { name: 'parse + FINGERPRINT + MESSAGE-INTEGRITY only', run: verifyOnly },
  { name: 'localUfragRange (I/O-thread routing)', run: route },
  { name: 'IceUfragTable.lookup, 1001 ufrags (routing)', run: routeTable },
]);
const checks = results[1].opsPerSec;
console.log(`request: ${request.length} bytes`);
console.log(`checks answered: ${Math.round(checks).toLocaleString('en-US')}/s (goal 150,000/s)`);
saveResults('stun', results);
