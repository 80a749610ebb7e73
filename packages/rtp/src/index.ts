export { RTP_FIXED_HEADER_LENGTH, rtpHeaderLength } from './rtp-header.js';
