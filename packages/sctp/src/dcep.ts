/**
 * Data Channel Establishment Protocol messages (RFC 8832 §5) and the WebRTC
 * payload protocol identifiers (RFC 8831 §8).
 *
 * DATA_CHANNEL_OPEN: Message Type=0x03(8) | Channel Type(8) | Priority(16) |
 *   Reliability Parameter(32) | Label Length(16) | Protocol Length(16) |
 *   Label… | Protocol…
 * DATA_CHANNEL_ACK:  Message Type=0x02(8)
 */

/** Payload Protocol Identifiers used by WebRTC. */
export const Ppid = {
  DCEP: 50,
  STRING: 51,
  BINARY: 53,
  /** An empty string is sent as one 0x00 byte with this PPID (SCTP has no empty DATA). */
  STRING_EMPTY: 56,
  BINARY_EMPTY: 57,
} as const;

export const DcepMessageType = { ACK: 0x02, OPEN: 0x03 } as const;

/** Channel types (RFC 8832 §5.1). */
export const ChannelType = {
  RELIABLE: 0x00,
  RELIABLE_UNORDERED: 0x80,
  PARTIAL_RELIABLE_REXMIT: 0x01,
  PARTIAL_RELIABLE_REXMIT_UNORDERED: 0x81,
  PARTIAL_RELIABLE_TIMED: 0x02,
  PARTIAL_RELIABLE_TIMED_UNORDERED: 0x82,
} as const;

export interface DcepOpen {
  channelType: number;
  priority: number;
  reliability: number;
  label: string;
  protocol: string;
}

/** Parses a DATA_CHANNEL_OPEN; undefined when malformed or of an unknown channel type. */
export function unmarshalDcepOpen(buf: Uint8Array): DcepOpen | undefined {
  if (buf.length < 12 || buf[0] !== DcepMessageType.OPEN) return undefined;
  const channelType = buf[1];
  if ((channelType & 0x7f) > 2) return undefined;
  const labelLen = (buf[8] << 8) | buf[9];
  const protoLen = (buf[10] << 8) | buf[11];
  if (12 + labelLen + protoLen > buf.length) return undefined;
  const td = new TextDecoder();
  return {
    channelType,
    priority: (buf[2] << 8) | buf[3],
    reliability: ((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0,
    label: td.decode(buf.subarray(12, 12 + labelLen)),
    protocol: td.decode(buf.subarray(12 + labelLen, 12 + labelLen + protoLen)),
  };
}

export function marshalDcepOpen(m: DcepOpen): Buffer {
  const label = Buffer.from(m.label, 'utf8');
  const protocol = Buffer.from(m.protocol, 'utf8');
  const out = Buffer.alloc(12 + label.length + protocol.length);
  out[0] = DcepMessageType.OPEN;
  out[1] = m.channelType;
  out.writeUInt16BE(m.priority, 2);
  out.writeUInt32BE(m.reliability >>> 0, 4);
  out.writeUInt16BE(label.length, 8);
  out.writeUInt16BE(protocol.length, 10);
  label.copy(out, 12);
  protocol.copy(out, 12 + label.length);
  return out;
}

export function marshalDcepAck(): Buffer {
  return Buffer.from([DcepMessageType.ACK]);
}
