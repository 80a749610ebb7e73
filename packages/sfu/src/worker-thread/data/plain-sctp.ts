/**
 * SCTP straight over UDP on a PlainTransport, as mediasoup does it: a datagram
 * is SCTP when it is at least a common header long and both its ports are
 * 5000 (mediasoup's SctpAssociation::IsSctp), which no RTP or RTCP packet is
 * (their first byte is 0x80–0xbf; 5000 starts with 0x13).
 */
const SCTP_COMMON_HEADER = 12;
const SCTP_PORT = 5000;

export function isSctpDatagram(buf: Uint8Array, length: number): boolean {
  return (
    length >= SCTP_COMMON_HEADER &&
    ((buf[0] ?? 0) << 8) + (buf[1] ?? 0) === SCTP_PORT &&
    ((buf[2] ?? 0) << 8) + (buf[3] ?? 0) === SCTP_PORT
  );
}
