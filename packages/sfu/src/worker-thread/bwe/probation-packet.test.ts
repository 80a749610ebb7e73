import { parseRtpPacket } from '@tsfu/rtp';
import { describe, expect, it } from 'vitest';
import { PROBATION_PAYLOAD_TYPE, PROBATION_SSRC, ProbationPacket } from './probation-packet.js';

describe('ProbationPacket', () => {
  it('builds padding-only RTP on SSRC 1234 / PT 127 with a transport-cc element', () => {
    const p = new ProbationPacket(0);
    const n = p.next(200, 5, 10);
    expect(n).toBe(12 + 8 + 200);
    const parsed = parseRtpPacket(p.buffer, n);
    expect(parsed).toBeDefined();
    expect(parsed?.ssrc).toBe(PROBATION_SSRC);
    expect(parsed?.payloadType).toBe(PROBATION_PAYLOAD_TYPE);
    expect(parsed?.paddingLength).toBe(200);
    expect(parsed?.payload.length).toBe(0);
    expect(parsed?.extensions).toEqual([{ id: 5, value: new Uint8Array([0, 0]) }]);
    const seq = parsed?.sequenceNumber ?? 0;
    const again = parseRtpPacket(p.buffer, p.next(1000, 5, 20));
    expect(again?.sequenceNumber).toBe((seq + 1) & 0xffff);
    expect(again?.paddingLength).toBe(255); // at most 255
  });
});
