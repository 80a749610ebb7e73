import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generateProfileLevelIdStringForAnswer,
  H264Level,
  H264Profile,
  isSameH264Profile,
  parseProfileLevelId,
  parseSdpProfileLevelId,
  profileLevelIdToString,
} from './h264-profile-level-id.js';

// Cases follow libwebrtc's h264_profile_level_id unit tests (RFC 6184 §8.1):
// profile-level-id = profile_idc (1 byte) | profile-iop (constraint flags) | level_idc.
describe('parseProfileLevelId', () => {
  const rows: { id: string; want: { profile: H264Profile; level: H264Level } | undefined; why: string }[] = [
    // profile_idc 0x42 | iop 0xe0 (constraint_set0,1,2) | level 0x1f = 31
    {
      id: '42e01f',
      want: { profile: H264Profile.ConstrainedBaseline, level: H264Level.L3_1 },
      why: 'CB 3.1',
    },
    // level 0x0b = 11 without constraint_set3 → 1.1
    {
      id: '42e00b',
      want: { profile: H264Profile.ConstrainedBaseline, level: H264Level.L1_1 },
      why: 'level 1.1',
    },
    // iop 0xf0 sets constraint_set3 (0x10): level_idc 11 then means 1b
    {
      id: '42f00b',
      want: { profile: H264Profile.ConstrainedBaseline, level: H264Level.L1_b },
      why: 'level 1b',
    },
    {
      id: '42C02A',
      want: { profile: H264Profile.ConstrainedBaseline, level: H264Level.L4_2 },
      why: 'upper case',
    },
    {
      id: '4de01f',
      want: { profile: H264Profile.ConstrainedBaseline, level: H264Level.L3_1 },
      why: 'Main+cs1',
    },
    {
      id: '58f01f',
      want: { profile: H264Profile.ConstrainedBaseline, level: H264Level.L3_1 },
      why: 'Extended+cs0,1',
    },
    { id: '42a01f', want: { profile: H264Profile.Baseline, level: H264Level.L3_1 }, why: 'Baseline' },
    { id: '58A01F', want: { profile: H264Profile.Baseline, level: H264Level.L3_1 }, why: 'Extended+cs0' },
    { id: '4D401f', want: { profile: H264Profile.Main, level: H264Level.L3_1 }, why: 'Main' },
    { id: '64001f', want: { profile: H264Profile.High, level: H264Level.L3_1 }, why: 'High' },
    {
      id: '640c1f',
      want: { profile: H264Profile.ConstrainedHigh, level: H264Level.L3_1 },
      why: 'Constrained High',
    },
    // level 0x34 = 52
    { id: '640c34', want: { profile: H264Profile.ConstrainedHigh, level: H264Level.L5_2 }, why: 'level 5.2' },
    {
      id: 'f4001f',
      want: { profile: H264Profile.PredictiveHigh444, level: H264Level.L3_1 },
      why: 'High 4:4:4',
    },
    // Error rows.
    { id: '', want: undefined, why: 'empty' },
    { id: ' 42e01f', want: undefined, why: 'leading space' },
    { id: '4242XX', want: undefined, why: 'not hex' },
    { id: '42e0fk', want: undefined, why: 'bad last digit' },
    { id: '42e01', want: undefined, why: 'too short' },
    { id: '42e01f1', want: undefined, why: 'too long' },
    { id: '000000', want: undefined, why: 'all zero' },
    { id: '42e0ff', want: undefined, why: 'unknown level 255' },
    { id: '42e000', want: undefined, why: 'level 0' },
    { id: '42e11f', want: undefined, why: 'iop low bits set' },
    { id: '58601f', want: undefined, why: 'Extended without cs0' },
    { id: '64e01f', want: undefined, why: 'High with constraint flags' },
    { id: '43e01f', want: undefined, why: 'unknown profile_idc' },
  ];
  for (const row of rows) {
    it(`${row.id || '(empty)'}: ${row.why}`, () => {
      expect(parseProfileLevelId(row.id)).toEqual(row.want);
    });
  }
});

describe('profileLevelIdToString', () => {
  const rows: { profile: H264Profile; level: H264Level; want: string | undefined }[] = [
    { profile: H264Profile.ConstrainedBaseline, level: H264Level.L3_1, want: '42e01f' },
    { profile: H264Profile.Baseline, level: H264Level.L1, want: '42000a' },
    { profile: H264Profile.Main, level: H264Level.L3_1, want: '4d001f' },
    { profile: H264Profile.ConstrainedHigh, level: H264Level.L4_2, want: '640c2a' },
    { profile: H264Profile.High, level: H264Level.L4_2, want: '64002a' },
    { profile: H264Profile.PredictiveHigh444, level: H264Level.L5_1, want: 'f40033' },
    // Level 1b is spelled with constraint_set3 per profile, and has no spelling in High.
    { profile: H264Profile.ConstrainedBaseline, level: H264Level.L1_b, want: '42f00b' },
    { profile: H264Profile.Baseline, level: H264Level.L1_b, want: '42100b' },
    { profile: H264Profile.Main, level: H264Level.L1_b, want: '4d100b' },
    { profile: H264Profile.High, level: H264Level.L1_b, want: undefined },
  ];
  for (const row of rows) {
    it(`${H264Profile[row.profile]} ${H264Level[row.level]} → ${row.want}`, () => {
      const s = profileLevelIdToString({ profile: row.profile, level: row.level });
      expect(s).toBe(row.want);
      if (s) expect(parseProfileLevelId(s)).toEqual({ profile: row.profile, level: row.level });
    });
  }
});

describe('parseSdpProfileLevelId / isSameH264Profile', () => {
  it('no profile-level-id means Constrained Baseline 3.1', () => {
    expect(parseSdpProfileLevelId({})).toEqual({
      profile: H264Profile.ConstrainedBaseline,
      level: H264Level.L3_1,
    });
  });
  it('invalid profile-level-id is undefined', () => {
    expect(parseSdpProfileLevelId({ 'profile-level-id': 'zzzzzz' })).toBeUndefined();
  });
  const rows: { a: Record<string, unknown>; b: Record<string, unknown>; want: boolean }[] = [
    { a: {}, b: { 'profile-level-id': '42e01f' }, want: true },
    { a: { 'profile-level-id': '42e01f' }, b: { 'profile-level-id': '42e034' }, want: true },
    { a: { 'profile-level-id': '42e01f' }, b: { 'profile-level-id': '4de01f' }, want: true },
    { a: { 'profile-level-id': '42e01f' }, b: { 'profile-level-id': '42a01f' }, want: false },
    { a: { 'profile-level-id': '4d001f' }, b: { 'profile-level-id': '64001f' }, want: false },
    { a: { 'profile-level-id': 'xx' }, b: { 'profile-level-id': 'xx' }, want: false },
    // As the h264-profile-level-id package mediasoup 3.27 uses: a number is
    // invalid (not read as hex), a falsy value means the default.
    { a: { 'profile-level-id': 640032 }, b: { 'profile-level-id': '640032' }, want: false },
    { a: { 'profile-level-id': 0 }, b: { 'profile-level-id': '42e01f' }, want: true },
    { a: { 'profile-level-id': '' }, b: { 'profile-level-id': '42e01f' }, want: true },
    { a: { 'profile-level-id': null }, b: {}, want: true },
  ];
  for (const row of rows) {
    it(`${JSON.stringify(row.a)} vs ${JSON.stringify(row.b)} → ${row.want}`, () => {
      expect(isSameH264Profile(row.a, row.b)).toBe(row.want);
    });
  }
});

describe('generateProfileLevelIdStringForAnswer', () => {
  const rows: {
    name: string;
    local: Record<string, unknown>;
    remote: Record<string, unknown>;
    want?: string;
    throws?: string;
  }[] = [
    { name: 'neither side gives one', local: {}, remote: {}, want: undefined },
    {
      name: 'no asymmetry: lower level (local high)',
      local: { 'profile-level-id': '42e01f' },
      remote: { 'profile-level-id': '42e015' },
      want: '42e015',
    },
    {
      name: 'no asymmetry: lower level (local low)',
      local: { 'profile-level-id': '42e015' },
      remote: { 'profile-level-id': '42e01f' },
      want: '42e015',
    },
    {
      name: 'asymmetry on one side only is no asymmetry',
      local: { 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
      remote: { 'profile-level-id': '42e015' },
      want: '42e015',
    },
    {
      name: 'asymmetry on both sides: local level',
      local: { 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
      remote: { 'profile-level-id': '42e015', 'level-asymmetry-allowed': '1' },
      want: '42e01f',
    },
    {
      name: 'default on one side',
      local: {},
      remote: { 'profile-level-id': '42e034' },
      want: '42e01f',
    },
    {
      name: 'level 1b is below 1.1',
      local: { 'profile-level-id': '42f00b' },
      remote: { 'profile-level-id': '42e00b' },
      want: '42f00b',
    },
    {
      name: 'profile mismatch',
      local: { 'profile-level-id': '42e01f' },
      remote: { 'profile-level-id': '64001f' },
      throws: 'H264 Profile mismatch',
    },
    {
      name: 'invalid local',
      local: { 'profile-level-id': 'nothex' },
      remote: { 'profile-level-id': '42e01f' },
      throws: 'invalid local_profile_level_id',
    },
    {
      name: 'invalid remote',
      local: { 'profile-level-id': '42e01f' },
      remote: { 'profile-level-id': '000000' },
      throws: 'invalid remote_profile_level_id',
    },
    {
      name: 'numeric remote id is invalid (not read as hex)',
      local: { 'profile-level-id': '42e01f' },
      remote: { 'profile-level-id': 420015 },
      throws: 'invalid remote_profile_level_id',
    },
    {
      name: 'empty strings on both sides count as absent',
      local: { 'profile-level-id': '' },
      remote: { 'profile-level-id': '' },
      want: undefined,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      if (row.throws) {
        expect(() => generateProfileLevelIdStringForAnswer(row.local, row.remote)).toThrow(TypeError);
        expect(() => generateProfileLevelIdStringForAnswer(row.local, row.remote)).toThrow(row.throws);
      } else {
        expect(generateProfileLevelIdStringForAnswer(row.local, row.remote)).toBe(row.want);
      }
    });
  }
});

describe('profile-level-id properties', () => {
  it('never throws on any string; every parsed id formats back to the same profile and level', () => {
    const hex6 = fc.integer({ min: 0, max: 0xffffff }).map((n) => n.toString(16).padStart(6, '0'));
    fc.assert(
      fc.property(fc.oneof(fc.string(), hex6), (s) => {
        const parsed = parseProfileLevelId(s);
        if (!parsed) return true;
        const formatted = profileLevelIdToString(parsed);
        // Only High-family level 1b has no spelling.
        if (formatted === undefined) return parsed.level === H264Level.L1_b;
        return JSON.stringify(parseProfileLevelId(formatted)) === JSON.stringify(parsed);
      }),
      { numRuns: 2000 },
    );
  });
});
