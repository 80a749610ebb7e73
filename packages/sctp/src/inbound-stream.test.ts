import { describe, expect, it } from 'vitest';
import { DataFlag } from './data-chunk.js';
import { type Fragment, InboundStream } from './inbound-stream.js';

const B = DataFlag.BEGINNING;
const E = DataFlag.END;
const U = DataFlag.UNORDERED;
const frag = (tsn: number, flags: number, ssn: number, text: string): Fragment => ({
  tsn,
  flags,
  ssn,
  ppid: 51,
  data: Buffer.from(text),
});

function sink() {
  const out: string[] = [];
  return { out, fn: (_s: number, _p: number, d: Buffer) => out.push(d.toString()) };
}

describe('InboundStream reassembly', () => {
  it('ordered: fragments in reverse TSN order, message waits for its SSN', () => {
    const s = new InboundStream(0);
    const k = sink();
    // ssn 1 = "cd" (tsn 12..13) arrives before ssn 0 = "ab" (tsn 10..11)
    s.addOrdered(frag(13, E, 1, 'd'), k.fn, 1e6);
    s.addOrdered(frag(12, B, 1, 'c'), k.fn, 1e6);
    expect(k.out).toEqual([]);
    s.addOrdered(frag(11, E, 0, 'b'), k.fn, 1e6);
    expect(k.out).toEqual([]);
    s.addOrdered(frag(10, B, 0, 'a'), k.fn, 1e6);
    expect(k.out).toEqual(['ab', 'cd']);
    expect(s.nextSsn).toBe(2);
    expect(s.bufferedBytes).toBe(0);
  });

  it('ordered: a middle fragment missing holds the message', () => {
    const s = new InboundStream(0);
    const k = sink();
    s.addOrdered(frag(1, B, 0, 'x'), k.fn, 1e6);
    s.addOrdered(frag(3, E, 0, 'z'), k.fn, 1e6);
    expect(k.out).toEqual([]);
    s.addOrdered(frag(2, 0, 0, 'y'), k.fn, 1e6);
    expect(k.out).toEqual(['xyz']);
  });

  it('unordered: completes by TSN contiguity regardless of other messages', () => {
    const s = new InboundStream(0);
    const k = sink();
    s.addUnordered(frag(5, U | E, 0, '2'), k.fn, 1e6);
    s.addUnordered(frag(7, U | B, 0, 'p'), k.fn, 1e6);
    s.addUnordered(frag(8, U | E, 0, 'q'), k.fn, 1e6);
    expect(k.out).toEqual(['pq']);
    s.addUnordered(frag(4, U | B, 0, '1'), k.fn, 1e6);
    expect(k.out).toEqual(['pq', '12']);
    expect(s.unordered.length).toBe(0);
  });

  it('unordered: does not join fragments across a message boundary', () => {
    const s = new InboundStream(0);
    const k = sink();
    s.addUnordered(frag(1, U | B, 0, 'a'), k.fn, 1e6); // message 1 start, its end (tsn 2) lost
    s.addUnordered(frag(3, U | B, 0, 'c'), k.fn, 1e6); // message 2 start
    s.addUnordered(frag(4, U | E, 0, 'd'), k.fn, 1e6);
    expect(k.out).toEqual(['cd']);
  });

  it('drops oversize messages and reports them', () => {
    const s = new InboundStream(0);
    const k = sink();
    s.addOrdered(frag(1, B, 0, 'aaaa'), k.fn, 6);
    expect(s.addOrdered(frag(2, E, 0, 'bbbb'), k.fn, 6)).toBe(1);
    expect(k.out).toEqual([]);
    expect(s.nextSsn).toBe(1);
  });

  it('FORWARD TSN skip: drops partial fragments and moves the SSN on', () => {
    const s = new InboundStream(0);
    const k = sink();
    s.addOrdered(frag(10, B, 0, 'lost-half'), k.fn, 1e6);
    s.addOrdered(frag(13, B | E, 2, 'later'), k.fn, 1e6);
    s.addUnordered(frag(11, U | B, 0, 'u'), k.fn, 1e6);
    s.skip(11, 1);
    expect(s.nextSsn).toBe(2);
    expect(s.unordered.length).toBe(0);
    expect(s.deliverOrdered(k.fn, 1e6)).toBe(0);
    expect(k.out).toEqual(['later']);
    expect(s.bufferedBytes).toBe(0);
  });

  it('reset: the next ordered SSN is 0 again', () => {
    const s = new InboundStream(0);
    const k = sink();
    s.addOrdered(frag(1, B | E, 0, 'a'), k.fn, 1e6);
    s.reset();
    s.addOrdered(frag(2, B | E, 0, 'b'), k.fn, 1e6);
    expect(k.out).toEqual(['a', 'b']);
  });
});
