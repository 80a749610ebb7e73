import { describe, expect, it } from 'vitest';
import {
  hex,
  RFC5769_IPV4_RESPONSE,
  RFC5769_LONG_TERM_REQUEST,
  RFC5769_REQUEST,
} from './rfc5769-vectors.test-util.js';
import {
  localUfrag,
  localUfragRange,
  ufragEquals,
  ufragRangeLength,
  ufragRangeOffset,
} from './stun-username.js';

describe('localUfragRange', () => {
  const rows: { name: string; bytes: Buffer; want: string | undefined; offset?: number }[] = [
    {
      name: 'RFC 5769 §2.1 request: "evtj"',
      bytes: RFC5769_REQUEST,
      want: 'evtj',
      offset: 20 + 20 + 8 + 12 + 4,
    },
    { name: 'a response is not routed', bytes: RFC5769_IPV4_RESPONSE, want: undefined },
    { name: 'USERNAME without a colon', bytes: RFC5769_LONG_TERM_REQUEST, want: undefined },
    {
      name: 'USERNAME first',
      bytes: hex(`00 01 00 0c  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03
                  00 06 00 06 61 62 63 3a 78 79 00 00   USERNAME "abc:xy"`),
      want: 'abc',
      offset: 24,
    },
    {
      name: 'empty local part',
      bytes: hex(`00 01 00 08  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03
                  00 06 00 03 3a 78 79 00`),
      want: undefined,
    },
    {
      name: 'USERNAME after MESSAGE-INTEGRITY is not trusted',
      bytes: hex(`00 01 00 24  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03
                  00 08 00 14 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                  00 06 00 03 61 3a 62 00`),
      want: undefined,
    },
    {
      name: 'attribute overruns the header length',
      bytes: hex(`00 01 00 08  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03
                  00 06 00 09 61 62 63 3a`),
      want: undefined,
    },
    {
      name: 'header length beyond the datagram',
      bytes: hex(`00 01 00 10  21 12 a4 42  00 00 00 01 00 00 00 02 00 00 00 03
                  00 06 00 03 61 3a 62 00`),
      want: undefined,
    },
    {
      name: 'bad cookie',
      bytes: hex(`00 01 00 00  21 12 a4 00  00 00 00 01 00 00 00 02 00 00 00 03`),
      want: undefined,
    },
    {
      name: 'RTP',
      bytes: hex(`80 60 00 01 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00`),
      want: undefined,
    },
    { name: 'too short', bytes: hex(`00 01 00 00 21 12`), want: undefined },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const range = localUfragRange(row.bytes, row.bytes.length);
      expect(localUfrag(row.bytes)).toBe(row.want);
      if (row.want === undefined) {
        expect(range).toBe(-1);
        return;
      }
      expect(ufragRangeLength(range)).toBe(row.want.length);
      if (row.offset !== undefined) expect(ufragRangeOffset(range)).toBe(row.offset);
      expect(ufragEquals(row.bytes, ufragRangeOffset(range), ufragRangeLength(range), row.want)).toBe(true);
      expect(ufragEquals(row.bytes, ufragRangeOffset(range), ufragRangeLength(range), `${row.want}x`)).toBe(
        false,
      );
    });
  }

  it('a length shorter than the buffer hides the rest', () => {
    expect(localUfragRange(RFC5769_REQUEST, 40)).toBe(-1);
  });
});
