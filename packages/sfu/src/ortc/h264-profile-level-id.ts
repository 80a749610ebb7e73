/**
 * H264 `profile-level-id` (RFC 6184 §8.1) parsing and offer/answer level
 * negotiation, following the logic libwebrtc uses
 * (`api/video_codecs/h264_profile_level_id.cc`). mediasoup relies on the npm
 * package `h264-profile-level-id` for this; its 2.x requires Node >= 22, so
 * tsfu carries its own implementation.
 *
 * `profile-level-id` is three bytes in hex: profile_idc, profile-iop (the
 * constraint_set flags) and level_idc.
 */

/** H264 profiles libwebrtc distinguishes. */
export enum H264Profile {
  ConstrainedBaseline = 1,
  Baseline = 2,
  Main = 3,
  ConstrainedHigh = 4,
  High = 5,
  PredictiveHigh444 = 6,
}

/** H264 levels: level_idc values, except Level 1b which gets its own code 0. */
export enum H264Level {
  L1_b = 0,
  L1 = 10,
  L1_1 = 11,
  L1_2 = 12,
  L1_3 = 13,
  L2 = 20,
  L2_1 = 21,
  L2_2 = 22,
  L3 = 30,
  L3_1 = 31,
  L3_2 = 32,
  L4 = 40,
  L4_1 = 41,
  L4_2 = 42,
  L5 = 50,
  L5_1 = 51,
  L5_2 = 52,
}

/** A parsed `profile-level-id`. */
export type H264ProfileLevelId = { profile: H264Profile; level: H264Level };

/** What a codec without `profile-level-id` means (RFC 6184: Constrained Baseline, level 3.1). */
export const DEFAULT_H264_PROFILE_LEVEL_ID: Readonly<H264ProfileLevelId> = Object.freeze({
  profile: H264Profile.ConstrainedBaseline,
  level: H264Level.L3_1,
});

// constraint_set3_flag: with level_idc 11 in the Baseline family it means level 1b.
const CONSTRAINT_SET3_FLAG = 0x10;

/**
 * A bit pattern over profile-iop, written most significant bit first:
 * '1'/'0' must match, 'x' is don't-care.
 */
class BitPattern {
  readonly mask: number;
  readonly maskedValue: number;
  constructor(pattern: string) {
    let mask = 0;
    let maskedValue = 0;
    for (const c of pattern) {
      mask = (mask << 1) | (c === 'x' ? 0 : 1);
      maskedValue = (maskedValue << 1) | (c === '1' ? 1 : 0);
    }
    this.mask = mask;
    this.maskedValue = maskedValue;
  }
  isMatch(value: number): boolean {
    return (value & this.mask) === this.maskedValue;
  }
}

type ProfilePattern = { profileIdc: number; profileIop: BitPattern; profile: H264Profile };

// Table from libwebrtc: which (profile_idc, profile-iop) pairs mean which profile.
const PROFILE_PATTERNS: readonly ProfilePattern[] = [
  { profileIdc: 0x42, profileIop: new BitPattern('x1xx0000'), profile: H264Profile.ConstrainedBaseline },
  { profileIdc: 0x4d, profileIop: new BitPattern('1xxx0000'), profile: H264Profile.ConstrainedBaseline },
  { profileIdc: 0x58, profileIop: new BitPattern('11xx0000'), profile: H264Profile.ConstrainedBaseline },
  { profileIdc: 0x42, profileIop: new BitPattern('x0xx0000'), profile: H264Profile.Baseline },
  { profileIdc: 0x58, profileIop: new BitPattern('10xx0000'), profile: H264Profile.Baseline },
  { profileIdc: 0x4d, profileIop: new BitPattern('0x0x0000'), profile: H264Profile.Main },
  { profileIdc: 0x64, profileIop: new BitPattern('00000000'), profile: H264Profile.High },
  { profileIdc: 0x64, profileIop: new BitPattern('00001100'), profile: H264Profile.ConstrainedHigh },
  { profileIdc: 0xf4, profileIop: new BitPattern('00000000'), profile: H264Profile.PredictiveHigh444 },
];

const VALID_LEVELS = new Set<number>(
  Object.values(H264Level).filter((v): v is number => typeof v === 'number' && v !== H264Level.L1_b),
);

/** Parses a 6-hex-digit `profile-level-id`; `undefined` if malformed or unknown. */
export function parseProfileLevelId(str: string): H264ProfileLevelId | undefined {
  if (typeof str !== 'string' || !/^[0-9a-fA-F]{6}$/.test(str)) return undefined;
  const numeric = Number.parseInt(str, 16);
  if (numeric === 0) return undefined;
  const levelIdc = numeric & 0xff;
  const profileIop = (numeric >> 8) & 0xff;
  const profileIdc = (numeric >> 16) & 0xff;

  let level: H264Level;
  if (levelIdc === H264Level.L1_1) {
    level = profileIop & CONSTRAINT_SET3_FLAG ? H264Level.L1_b : H264Level.L1_1;
  } else if (VALID_LEVELS.has(levelIdc)) {
    level = levelIdc;
  } else {
    return undefined;
  }

  for (const pattern of PROFILE_PATTERNS) {
    if (profileIdc === pattern.profileIdc && pattern.profileIop.isMatch(profileIop)) {
      return { profile: pattern.profile, level };
    }
  }
  return undefined;
}

/** Formats a profile and level as `profile-level-id`; `undefined` if there is no encoding for it. */
export function profileLevelIdToString(profileLevelId: H264ProfileLevelId): string | undefined {
  const { profile, level } = profileLevelId;
  // Level 1b is signalled differently per profile (constraint_set3 or level_idc 9 is not used).
  if (level === H264Level.L1_b) {
    switch (profile) {
      case H264Profile.ConstrainedBaseline:
        return '42f00b';
      case H264Profile.Baseline:
        return '42100b';
      case H264Profile.Main:
        return '4d100b';
      default:
        return undefined;
    }
  }
  let profileIdcIop: string;
  switch (profile) {
    case H264Profile.ConstrainedBaseline:
      profileIdcIop = '42e0';
      break;
    case H264Profile.Baseline:
      profileIdcIop = '4200';
      break;
    case H264Profile.Main:
      profileIdcIop = '4d00';
      break;
    case H264Profile.ConstrainedHigh:
      profileIdcIop = '640c';
      break;
    case H264Profile.High:
      profileIdcIop = '6400';
      break;
    case H264Profile.PredictiveHigh444:
      profileIdcIop = 'f400';
      break;
    default:
      return undefined;
  }
  return `${profileIdcIop}${level.toString(16).padStart(2, '0')}`;
}

type SdpParameters = Record<string, unknown> | undefined;

/**
 * The profile and level of SDP fmtp parameters: the default (Constrained
 * Baseline 3.1) when `profile-level-id` is absent (or any falsy value),
 * `undefined` when invalid. As in the `h264-profile-level-id` package
 * mediasoup 3.27 uses, only a string is parsed: a number (what a naive fmtp
 * parser makes of '640032') is invalid, not reinterpreted.
 */
export function parseSdpProfileLevelId(params: SdpParameters = {}): H264ProfileLevelId | undefined {
  const value = params?.['profile-level-id'];
  if (!value) return { ...DEFAULT_H264_PROFILE_LEVEL_ID };
  return typeof value === 'string' ? parseProfileLevelId(value) : undefined;
}

/** True when both parameter sets carry valid `profile-level-id`s of the same profile. */
export function isSameH264Profile(params1: SdpParameters = {}, params2: SdpParameters = {}): boolean {
  const a = parseSdpProfileLevelId(params1);
  const b = parseSdpProfileLevelId(params2);
  return a !== undefined && b !== undefined && a.profile === b.profile;
}

function isLevelAsymmetryAllowed(params: SdpParameters = {}): boolean {
  const v = params?.['level-asymmetry-allowed'];
  return v === 1 || v === '1' || v === true;
}

// Level 1b sits between 1 and 1.1 although its code (0) is below both.
function isLessLevel(a: H264Level, b: H264Level): boolean {
  if (a === H264Level.L1_b) return b !== H264Level.L1 && b !== H264Level.L1_b;
  if (b === H264Level.L1_b) return a !== H264Level.L1;
  return a < b;
}

function minLevel(a: H264Level, b: H264Level): H264Level {
  return isLessLevel(a, b) ? a : b;
}

/**
 * The `profile-level-id` to put in an answer (RFC 6184 §8.2.2): the local
 * profile, and the local level if both sides allow level asymmetry, the lower
 * of the two levels otherwise. `undefined` when neither side gave one (the
 * answer leaves it out too). Throws `TypeError` on an invalid id or a profile
 * mismatch.
 */
export function generateProfileLevelIdStringForAnswer(
  localSupportedParams: SdpParameters = {},
  remoteOfferedParams: SdpParameters = {},
): string | undefined {
  if (!localSupportedParams?.['profile-level-id'] && !remoteOfferedParams?.['profile-level-id']) {
    return undefined;
  }
  const local = parseSdpProfileLevelId(localSupportedParams);
  const remote = parseSdpProfileLevelId(remoteOfferedParams);
  if (!local) throw new TypeError('invalid local_profile_level_id');
  if (!remote) throw new TypeError('invalid remote_profile_level_id');
  if (local.profile !== remote.profile) throw new TypeError('H264 Profile mismatch');

  const levelAsymmetryAllowed =
    isLevelAsymmetryAllowed(localSupportedParams) && isLevelAsymmetryAllowed(remoteOfferedParams);
  const answerLevel = levelAsymmetryAllowed ? local.level : minLevel(local.level, remote.level);
  return profileLevelIdToString({ profile: local.profile, level: answerLevel });
}
