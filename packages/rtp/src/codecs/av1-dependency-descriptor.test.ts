/**
 * The AV1 dependency descriptor's mandatory fields and template layers,
 * table-driven over hand-assembled bytes (AV1 RTP spec appendix A).
 */
import { describe, expect, it } from 'vitest';
import { Av1DependencyDescriptor, Av1TemplateStructure } from './av1-dependency-descriptor.js';

/**
 * Mandatory fields (SOF, EOF, template id 10, frame number 0x1234), then an extended part with a
 * structure: present 1, flags 0000, template_id_offset 10, dt_cnt_minus_one 2, template layers
 * T0 T0 T1 T2 T2 (next_layer_idc 00 01 01 00 11).
 */
const WITH_STRUCTURE = [0xca, 0x12, 0x34, 0x81, 0x42, 0x14, 0xc0];

describe('AV1 dependency descriptor', () => {
  const rows: Array<{ name: string; bytes: number[]; ok: boolean; want?: Record<string, unknown> }> = [
    {
      name: 'mandatory fields only',
      bytes: [0x85, 0x00, 0x07],
      ok: true,
      want: { startOfFrame: true, endOfFrame: false, templateId: 5, frameNumber: 7, hasStructure: false },
    },
    { name: 'too short', bytes: [0x85, 0x00], ok: false },
    {
      name: 'extended without a structure',
      bytes: [0x41, 0xff, 0xff, 0x00],
      ok: true,
      want: {
        startOfFrame: false,
        endOfFrame: true,
        templateId: 1,
        frameNumber: 0xffff,
        hasStructure: false,
      },
    },
    {
      name: 'with a template structure',
      bytes: WITH_STRUCTURE,
      ok: true,
      want: { startOfFrame: true, endOfFrame: true, templateId: 10, frameNumber: 0x1234, hasStructure: true },
    },
    { name: 'structure cut inside the template layers', bytes: WITH_STRUCTURE.slice(0, 5), ok: false },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const d = new Av1DependencyDescriptor();
      const s = new Av1TemplateStructure();
      // At an offset inside a larger buffer, as in a packet.
      const buf = Uint8Array.from([0xee, ...row.bytes, 0xee]);
      expect(d.parse(buf, 1, row.bytes.length, s)).toBe(row.ok);
      if (row.want) expect(d).toMatchObject(row.want);
    });
  }

  it('maps template ids to layers through the offset (wrapping at 64)', () => {
    const d = new Av1DependencyDescriptor();
    const s = new Av1TemplateStructure();
    expect(s.known).toBe(false);
    d.parse(Uint8Array.from(WITH_STRUCTURE), 0, WITH_STRUCTURE.length, s);
    expect(s.known).toBe(true);
    expect([10, 11, 12, 13, 14, 15, 9].map((id) => s.temporalIdOf(id))).toEqual([0, 0, 1, 2, 2, -1, -1]);
    expect(s.spatialIdOf(12)).toBe(0);
    s.set(62, [0, 0, 0], [0, 1, 2]);
    expect([62, 63, 0, 1].map((id) => s.temporalIdOf(id))).toEqual([0, 1, 2, -1]);
  });
});
