import { StunClass, StunMessageWriter } from '@tsfu/ice-lite';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildChannelData } from './channel-data.js';
import { TurnStreamFramer } from './turn-stream-framer.js';

function stun(bytes: number): Buffer {
  const w = new StunMessageWriter(new Uint8Array(1024));
  w.begin(0x003, StunClass.Request).addBytes(0x0013, new Uint8Array(bytes).fill(7));
  return w.toBuffer();
}

describe('TurnStreamFramer', () => {
  const messages = [
    stun(5),
    buildChannelData(0x4001, Buffer.from('abc'), 3, true),
    stun(0),
    buildChannelData(0x4fff, Buffer.alloc(0), 0, true),
  ];
  const stream = Buffer.concat(messages);

  it('splits coalesced STUN and padded ChannelData messages, under any chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 10 }), (cuts) => {
        const got: Buffer[] = [];
        const f = new TurnStreamFramer((m) => got.push(Buffer.from(m)));
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        let from = 0;
        for (const p of [...points, stream.length]) {
          expect(f.push(stream.subarray(from, p))).toBe(true);
          from = p;
        }
        expect(got).toEqual(messages);
      }),
    );
  });

  it('fails a stream that starts with bits 10 or 11, or a STUN length not a multiple of 4', () => {
    expect(new TurnStreamFramer(() => {}).push(Buffer.from([0x80, 0, 0, 0]))).toBe(false);
    const f = new TurnStreamFramer(() => {});
    expect(f.push(Buffer.from([0x00, 0x01, 0x00, 0x03]))).toBe(false);
    expect(f.isFailed).toBe(true);
    expect(f.push(stun(4))).toBe(false);
  });
});
