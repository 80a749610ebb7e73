/**
 * Codec comparison for `ortc`: whether two codecs are the same, as mediasoup
 * 3.27.1's `matchCodecs` decides it (MIME type, clock rate, channels, and
 * the parameters that tell codecs apart), and RTX by MIME subtype.
 */
import { generateProfileLevelIdStringForAnswer, isSameH264Profile } from './h264-profile-level-id.js';

const RTX_MIME_TYPE_REGEX = /.+\/rtx$/i;

/** Whether a codec is RTX (RFC 4588), by MIME subtype. */
export function isRtxCodec(codec: { mimeType: string }): boolean {
  return RTX_MIME_TYPE_REGEX.test(codec.mimeType);
}

export type CodecLike = {
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, unknown>;
};

/**
 * Whether two codecs are the same: MIME type (case-insensitive), clock rate
 * and channels, plus per codec: multiopus stream layout always; with
 * `strict`, H264 packetization-mode and profile (levels are negotiated, and
 * with `modify` `a`'s profile-level-id becomes the answer's), VP9 profile-id.
 */
export function matchCodecs(
  aCodec: CodecLike,
  bCodec: CodecLike,
  { strict = false, modify = false }: { strict?: boolean; modify?: boolean } = {},
): boolean {
  const aMimeType = aCodec.mimeType.toLowerCase();
  const bMimeType = bCodec.mimeType.toLowerCase();
  if (aMimeType !== bMimeType) return false;
  if (aCodec.clockRate !== bCodec.clockRate) return false;
  if (aCodec.channels !== bCodec.channels) return false;

  const aParameters = aCodec.parameters ?? {};
  const bParameters = bCodec.parameters ?? {};

  switch (aMimeType) {
    case 'audio/multiopus': {
      if (aParameters.num_streams !== bParameters.num_streams) return false;
      if (aParameters.coupled_streams !== bParameters.coupled_streams) return false;
      break;
    }
    case 'video/h264': {
      if (!strict) break;
      const aPacketizationMode = aParameters['packetization-mode'] || 0;
      const bPacketizationMode = bParameters['packetization-mode'] || 0;
      if (aPacketizationMode !== bPacketizationMode) return false;
      if (!isSameH264Profile(aParameters, bParameters)) return false;

      let selectedProfileLevelId: string | undefined;
      try {
        selectedProfileLevelId = generateProfileLevelIdStringForAnswer(aParameters, bParameters);
      } catch {
        // Profiles with no common answer: the codecs do not match (mediasoup's answer too, unlogged).
        return false;
      }
      if (modify) {
        if (!aCodec.parameters) aCodec.parameters = {};
        if (selectedProfileLevelId) aCodec.parameters['profile-level-id'] = selectedProfileLevelId;
        else delete aCodec.parameters['profile-level-id'];
      }
      break;
    }
    case 'video/vp9': {
      if (!strict) break;
      const aProfileId = aParameters['profile-id'] || 0;
      const bProfileId = bParameters['profile-id'] || 0;
      if (aProfileId !== bProfileId) return false;
      break;
    }
  }
  return true;
}
