/**
 * SRTP benchmarks: (1) the ways to drive node:crypto for each primitive, so
 * the fastest is kept with numbers behind it; (2) per-packet protect and
 * unprotect of 200-byte (audio) and 1200-byte (video) RTP for every profile,
 * beside werift-rtp doing the same in the same run (for the profiles werift
 * has) and beside the bare `aes-*-gcm` call that is the floor in pure Node.
 *
 * Run alone: `pnpm exec tsc -b bench && node bench/dist/srtp.js`.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  randomBytes,
} from 'node:crypto';
import { AesCtrKeystream, HmacSha1, SRTP_PROFILES, SrtpContext, type SrtpProfileInfo } from '@tsfu/srtp';
import { RtpPacket, SrtpSession } from 'werift-rtp';
import { type BenchResult, consume, runSuite, saveResults } from './harness.js';

const SIZES = [200, 1200] as const;
const HEADER = 12;
const SSRC = 0x5501a0b2;
const opts = { rounds: 21, roundMs: 30, maxMs: 10_000 };
const results: Record<string, BenchResult[]> = {};

function rtp(seq: number, size: number, spare = 32): Buffer {
  const b = Buffer.alloc(size + spare);
  b[0] = 0x80;
  b[1] = 111;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 960, 4);
  b.writeUInt32BE(SSRC, 8);
  for (let i = HEADER; i < size; i++) b[i] = i & 0xff;
  return b;
}

// ---------------------------------------------------------------- primitives
for (const size of SIZES) {
  const key = randomBytes(16);
  const keyObject = createSecretKey(key);
  const iv12 = randomBytes(12);
  const pkt = rtp(1, size);
  const header = pkt.subarray(0, HEADER);
  const payload = pkt.subarray(HEADER, size);
  const out = Buffer.alloc(size + 32);

  results[`gcm-${size}`] = runSuite(
    `AES-128-GCM ways, ${size}-byte packet`,
    [
      {
        name: 'floor: createCipheriv(raw key)+setAAD+update+final+getAuthTag',
        baseline: true,
        run: (n) => {
          for (let i = 0; i < n; i++) {
            const c = createCipheriv('aes-128-gcm', key, iv12);
            c.setAAD(header);
            const e = c.update(payload);
            c.final();
            consume(e.length + c.getAuthTag().length);
          }
        },
      },
      {
        name: 'same with a KeyObject',
        run: (n) => {
          for (let i = 0; i < n; i++) {
            const c = createCipheriv('aes-128-gcm', keyObject, iv12);
            c.setAAD(header);
            const e = c.update(payload);
            c.final();
            consume(e.length + c.getAuthTag().length);
          }
        },
      },
      {
        name: 'same + copy ciphertext and tag into place',
        run: (n) => {
          for (let i = 0; i < n; i++) {
            const c = createCipheriv('aes-128-gcm', keyObject, iv12);
            c.setAAD(pkt.subarray(0, HEADER));
            c.update(pkt.subarray(HEADER, size)).copy(out, HEADER);
            c.final();
            c.getAuthTag().copy(out, size);
            consume(out[size]);
          }
        },
      },
    ],
    opts,
  );

  const iv16 = randomBytes(16);
  iv16[14] = 0;
  iv16[15] = 0;
  const keystream = new AesCtrKeystream(key);
  results[`ctr-${size}`] = runSuite(
    `AES-128-CM keystream ways, ${size}-byte packet`,
    [
      {
        name: "per-packet createCipheriv('aes-128-ctr')+update+copy",
        baseline: true,
        run: (n) => {
          for (let i = 0; i < n; i++) {
            iv16[13] = i;
            createCipheriv('aes-128-ctr', key, iv16).update(payload).copy(out, HEADER);
            consume(out[HEADER]);
          }
        },
      },
      {
        name: "long-lived 'aes-128-ecb' on counter blocks + JS XOR (kept)",
        run: (n) => {
          for (let i = 0; i < n; i++) {
            iv16[13] = i;
            keystream.xor(iv16, pkt, HEADER, out, HEADER, size - HEADER);
            consume(out[HEADER]);
          }
        },
      },
    ],
    opts,
  );

  const authKey = randomBytes(20);
  const roc = Buffer.alloc(4);
  const ipad = Buffer.alloc(64, 0x36);
  const opad = Buffer.alloc(64, 0x5c);
  for (let i = 0; i < 20; i++) {
    ipad[i] ^= authKey[i];
    opad[i] ^= authKey[i];
  }
  const innerState = createHash('sha1').update(ipad);
  const outerState = createHash('sha1').update(opad);
  const mac = new HmacSha1(authKey);
  const data = pkt.subarray(0, size);
  results[`hmac-${size}`] = runSuite(
    `HMAC-SHA1 ways, ${size}-byte packet + ROC`,
    [
      {
        name: "per-packet createHmac('sha1')+update×2+digest",
        baseline: true,
        run: (n) => {
          for (let i = 0; i < n; i++) {
            const h = createHmac('sha1', authKey);
            h.update(data);
            h.update(roc);
            h.digest().copy(out, size, 0, 10);
            consume(out[size]);
          }
        },
      },
      {
        name: 'precomputed ipad/opad hash states, hash.copy() per packet',
        run: (n) => {
          for (let i = 0; i < n; i++) {
            const inner = innerState.copy().update(data).update(roc).digest();
            outerState.copy().update(inner).digest().copy(out, size, 0, 10);
            consume(out[size]);
          }
        },
      },
      {
        name: 'tsfu HmacSha1: ipad/opad states once, JS SHA-1 for short inner + outer, crypto.hash for long inner (kept)',
        run: (n) => {
          for (let i = 0; i < n; i++) {
            mac.sign(pkt, 0, size, i, out, size, 10);
            consume(out[size]);
          }
        },
      },
    ],
    opts,
  );
}

// ---------------------------------------------------------------- full protect / unprotect
const WERIFT_PROFILE: Partial<Record<string, number>> = { AES_CM_128_HMAC_SHA1_80: 1, AEAD_AES_128_GCM: 7 };
const RING = 2048;

interface Row {
  profile: string;
  size: number;
  op: string;
  tsfuPps: number;
  weriftPps: number | null;
  vsWerift: number | null;
  /** tsfu ns / bare aes-gcm call ns (GCM profiles only). */
  costVsGcmFloor: number | null;
}
const summary: Row[] = [];

function contexts(profile: SrtpProfileInfo) {
  const masterKey = randomBytes(profile.masterKeyLength);
  const masterSalt = randomBytes(profile.masterSaltLength);
  const weriftId = WERIFT_PROFILE[profile.cryptoSuite];
  const keys = {
    localMasterKey: masterKey,
    localMasterSalt: masterSalt,
    remoteMasterKey: masterKey,
    remoteMasterSalt: masterSalt,
  };
  return {
    ctx: () => new SrtpContext({ profile, masterKey, masterSalt }),
    werift: weriftId === undefined ? undefined : () => new SrtpSession({ keys, profile: weriftId }),
  };
}

for (const profile of SRTP_PROFILES) {
  for (const size of SIZES) {
    const make = contexts(profile);
    const label = `${profile.cryptoSuite}, ${size}-byte RTP`;

    // protect: every call protects the next sequence number of one stream.
    const tx = make.ctx();
    const src = rtp(0, size);
    const out = Buffer.alloc(size + 32);
    let seq = 0;
    const protectCases = [
      {
        name: 'tsfu protectRtp (into out buffer)',
        run: (n: number) => {
          for (let i = 0; i < n; i++) {
            seq = (seq + 1) & 0xffff;
            src[2] = seq >> 8;
            src[3] = seq & 0xff;
            consume(tx.protectRtp(src, size, out));
          }
        },
      },
    ];
    if (make.werift) {
      const ws = make.werift();
      const pkt = RtpPacket.deSerialize(rtp(0, size, 0));
      let wseq = 0;
      protectCases.unshift({
        name: 'werift-rtp SrtpSession.encrypt',
        run: (n: number) => {
          for (let i = 0; i < n; i++) {
            wseq = (wseq + 1) & 0xffff;
            pkt.header.sequenceNumber = wseq;
            consume(ws.encrypt(pkt.payload, pkt.header).length);
          }
        },
      });
    }
    let floorIdx = -1;
    if (profile.aead) {
      const key = randomBytes(profile.masterKeyLength);
      const iv = randomBytes(12);
      const algo = profile.masterKeyLength === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
      const plain = rtp(0, size);
      floorIdx = protectCases.length;
      protectCases.push({
        name: `floor: bare ${algo} createCipheriv+setAAD+update+final+getAuthTag`,
        run: (n: number) => {
          for (let i = 0; i < n; i++) {
            const c = createCipheriv(algo, key, iv);
            c.setAAD(plain.subarray(0, HEADER));
            const e = c.update(plain.subarray(HEADER, size));
            c.final();
            consume(e.length + c.getAuthTag().length);
          }
        },
      });
    }
    const p = runSuite(
      `protect ${label}`,
      protectCases.map((c, i) => ({ ...c, baseline: i === 0 })),
      opts,
    );
    results[`protect-${profile.cryptoSuite}-${size}`] = p;
    const tsfuP = p.find((r) => r.name.startsWith('tsfu'))!;
    const werP = p.find((r) => r.name.startsWith('werift'));
    summary.push({
      profile: profile.cryptoSuite,
      size,
      op: 'protect',
      tsfuPps: tsfuP.opsPerSec,
      weriftPps: werP?.opsPerSec ?? null,
      vsWerift: werP ? werP.nsPerOp / tsfuP.nsPerOp : null,
      costVsGcmFloor: floorIdx >= 0 ? tsfuP.nsPerOp / p[floorIdx].nsPerOp : null,
    });

    // unprotect: a ring of consecutive SRTP packets; a fresh receiver per lap
    // (its replay window would reject the second lap), amortized over RING packets.
    const sender = make.ctx();
    const ring: Buffer[] = [];
    for (let i = 0; i < RING; i++) {
      const b = rtp(i, size);
      ring.push(Buffer.from(b.subarray(0, sender.protectRtp(b, size))));
    }
    const srtpLen = ring[0].length;
    const plainOut = Buffer.alloc(srtpLen);
    let rx = make.ctx();
    let k = 0;
    const unprotectCases = [
      {
        name: 'tsfu unprotectRtp (into out buffer)',
        run: (n: number) => {
          for (let i = 0; i < n; i++) {
            if (k === RING) {
              k = 0;
              rx = make.ctx();
            }
            const r = rx.unprotectRtp(ring[k++], srtpLen, plainOut);
            if (r < 0) throw new Error(`unprotect failed: ${r}`);
            consume(r);
          }
        },
      },
    ];
    if (make.werift) {
      const newWerift = make.werift;
      let wr = newWerift();
      let wk = 0;
      unprotectCases.unshift({
        name: 'werift-rtp SrtpSession.decrypt',
        run: (n: number) => {
          for (let i = 0; i < n; i++) {
            if (wk === RING) {
              wk = 0;
              wr = newWerift();
            }
            consume(wr.decrypt(ring[wk++]).length);
          }
        },
      });
    }
    let decryptFloorIdx = -1;
    if (profile.aead) {
      const key = randomBytes(profile.masterKeyLength);
      const iv = randomBytes(12);
      const algo = profile.masterKeyLength === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
      const plain = rtp(0, size);
      const c = createCipheriv(algo, key, iv);
      c.setAAD(plain.subarray(0, HEADER));
      const sealed = Buffer.concat([
        plain.subarray(0, HEADER),
        c.update(plain.subarray(HEADER, size)),
        c.final(),
      ]);
      const tag = c.getAuthTag();
      decryptFloorIdx = unprotectCases.length;
      unprotectCases.push({
        name: `floor: bare ${algo} createDecipheriv+setAAD+setAuthTag+update+final`,
        run: (n: number) => {
          for (let i = 0; i < n; i++) {
            const d = createDecipheriv(algo, key, iv);
            d.setAAD(sealed.subarray(0, HEADER));
            d.setAuthTag(tag);
            const e = d.update(sealed.subarray(HEADER, size));
            d.final();
            consume(e.length);
          }
        },
      });
    }
    const u = runSuite(
      `unprotect ${label}`,
      unprotectCases.map((c, i) => ({ ...c, baseline: i === 0 })),
      opts,
    );
    results[`unprotect-${profile.cryptoSuite}-${size}`] = u;
    const tsfuU = u.find((r) => r.name.startsWith('tsfu'))!;
    const werU = u.find((r) => r.name.startsWith('werift'));
    summary.push({
      profile: profile.cryptoSuite,
      size,
      op: 'unprotect',
      tsfuPps: tsfuU.opsPerSec,
      weriftPps: werU?.opsPerSec ?? null,
      vsWerift: werU ? werU.nsPerOp / tsfuU.nsPerOp : null,
      costVsGcmFloor: decryptFloorIdx >= 0 ? tsfuU.nsPerOp / u[decryptFloorIdx].nsPerOp : null,
    });
  }
}

console.log('\n## SRTP summary (packets/s, single thread)');
console.table(
  summary.map((r) => ({
    profile: r.profile,
    bytes: r.size,
    op: r.op,
    'tsfu pkt/s': Math.round(r.tsfuPps).toLocaleString('en-US'),
    'werift pkt/s': r.weriftPps === null ? 'n/a' : Math.round(r.weriftPps).toLocaleString('en-US'),
    'tsfu vs werift': r.vsWerift === null ? 'n/a' : `${r.vsWerift.toFixed(2)}x`,
    'tsfu cost vs bare GCM call': r.costVsGcmFloor === null ? '' : `${r.costVsGcmFloor.toFixed(2)}x`,
  })),
);
console.log(`saved ${saveResults('srtp', { results, summary })}`);
