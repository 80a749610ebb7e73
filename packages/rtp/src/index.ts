/**
 * @tsfu/rtp: RTP/RTCP as zero-copy views, header extensions, payload
 * descriptors and sequence arithmetic for an SFU's forwarding path.
 */
export { type Av1AggregationHeader, isAv1KeyFrame, parseAv1AggregationHeader } from './codecs/av1.js';
export { Av1DependencyDescriptor, Av1TemplateStructure } from './codecs/av1-dependency-descriptor.js';
export { H264NalType, h264NalType, isH264KeyFrame } from './codecs/h264.js';
export { Vp8Descriptor } from './codecs/vp8.js';
export { Vp9Descriptor } from './codecs/vp9.js';
export * from './header-extension-values.js';
export {
  compactNtp,
  compactNtpFromUnixMs,
  NTP_UNIX_OFFSET_SECONDS,
  ntpFromUnixMs,
  rttMsFromReport,
  unixMsFromNtp,
} from './ntp-time.js';
export { parseApp, type RtcpApp, serializeApp } from './rtcp/app.js';
export { parseBye, type RtcpBye, serializeBye } from './rtcp/bye.js';
export { parseFir, type RtcpFir, type RtcpFirEntry, serializeFir } from './rtcp/fir.js';
export {
  type NackPair,
  nackBlp,
  nackPairCount,
  nackPairsFromSequenceNumbers,
  nackPid,
  parseNack,
  type RtcpNack,
  sequenceNumbersFromNackPairs,
  serializeNack,
} from './rtcp/nack.js';
export { parsePli, type RtcpPli, serializePli } from './rtcp/pli.js';
export {
  parseReceiverReport,
  type RtcpReceiverReport,
  serializeReceiverReport,
} from './rtcp/receiver-report.js';
export { isRemb, parseRemb, type RtcpRemb, serializeRemb } from './rtcp/remb.js';
export {
  REPORT_BLOCK_LENGTH,
  type RtcpReportBlock,
  readReportBlock,
  writeReportBlock,
} from './rtcp/report-block.js';
export {
  isRtcp,
  isRtcpPacketType,
  PsfbFormat,
  RTCP_HEADER_LENGTH,
  RtcpCompoundView,
  RtcpPacketType,
  RtpfbFormat,
  readU16,
  readU32,
  writeU16,
  writeU32,
} from './rtcp/rtcp-header.js';
export {
  parseRtcpPackets,
  type RtcpPacket,
  serializeRtcpPacket,
  serializeRtcpPackets,
} from './rtcp/rtcp-packet.js';
export {
  parseSdes,
  type RtcpSdes,
  type RtcpSdesChunk,
  type RtcpSdesItem,
  SdesItemType,
  sdesCname,
  serializeSdes,
} from './rtcp/sdes.js';
export { parseSenderReport, type RtcpSenderReport, serializeSenderReport } from './rtcp/sender-report.js';
export {
  encodeTwccChunks,
  parseTransportCc,
  type RtcpTransportCc,
  serializeTransportCc,
  type TwccReceivedPacket,
  TwccStatus,
} from './rtcp/transport-cc.js';
export {
  parseXr,
  type RtcpXr,
  serializeXr,
  type XrBlock,
  XrBlockType,
  type XrDlrrBlock,
  type XrDlrrItem,
  type XrOtherBlock,
  type XrRrtrBlock,
} from './rtcp/xr.js';
export { RTP_FIXED_HEADER_LENGTH, rtpHeaderLength } from './rtp-header.js';
export {
  type ParsedRtpPacket,
  parseRtpPacket,
  type RtpHeaderExtension,
  type RtpPacketFields,
  serializeRtpPacket,
} from './rtp-packet.js';
export {
  createExtensionIdTable,
  EXTENSION_PROFILE_ONE_BYTE,
  EXTENSION_PROFILE_TWO_BYTE,
  MAX_EXTENSION_ELEMENTS,
  RtpExtensionForm,
  RtpPacketView,
} from './rtp-packet-view.js';
export {
  MAX_DROPOUT,
  MAX_MISORDER,
  MIN_SEQUENTIAL,
  RtpReceiveStats,
  SeqUpdate,
} from './rtp-receive-stats.js';
export { RtpStreamRewriter, type RtpStreamRewriterOptions } from './rtp-stream-rewriter.js';
export { unwrapRtx, wrapRtx } from './rtx.js';
export { isSeqNewer16, isSeqNewer32, seqAdd16, seqAdd32, seqDiff16, seqDiff32 } from './seq-arith.js';
export { SeqNumMapper, type SeqNumMapperOptions } from './seq-num-mapper.js';
