import { HANDSHAKE_HEADER_LENGTH, writeHandshakeHeader } from '../handshake/handshake-header.js';
import { ContentType } from '../record/content-type.js';
import { RECORD_HEADER_LENGTH } from '../record/record-header.js';

/** One item of a flight: a whole handshake message, or a ChangeCipherSpec. */
export type FlightItem =
  | { kind: 'handshake'; epoch: number; type: number; messageSeq: number; body: Buffer }
  | { kind: 'changeCipherSpec' };

/** Builds one record: the caller assigns the record sequence number and encrypts for epoch > 0. */
export type RecordWriter = (contentType: number, epoch: number, payload: Buffer) => Buffer;

/**
 * Turns a flight into datagrams no larger than `mtu`: each handshake message
 * is cut into fragments that fit (RFC 6347 §4.2.3), and consecutive records
 * share a datagram while they fit. `overhead(epoch)` is what protection adds.
 */
export function packFlight(
  items: readonly FlightItem[],
  mtu: number,
  overhead: (epoch: number) => number,
  writeRecord: RecordWriter,
): Buffer[] {
  const datagrams: Buffer[] = [];
  let parts: Buffer[] = [];
  let size = 0;
  const push = (record: Buffer) => {
    if (size > 0 && size + record.length > mtu) {
      datagrams.push(Buffer.concat(parts, size));
      parts = [];
      size = 0;
    }
    parts.push(record);
    size += record.length;
  };
  for (const item of items) {
    if (item.kind === 'changeCipherSpec') {
      push(writeRecord(ContentType.changeCipherSpec, 0, Buffer.from([1])));
      continue;
    }
    const maxFragment = Math.max(
      1,
      mtu - RECORD_HEADER_LENGTH - HANDSHAKE_HEADER_LENGTH - overhead(item.epoch),
    );
    const total = item.body.length;
    let offset = 0;
    do {
      // Fill what is left of the current datagram before starting a new one.
      const remaining = total - offset;
      let len = Math.min(remaining, maxFragment);
      if (size > 0) {
        const room = mtu - size - RECORD_HEADER_LENGTH - HANDSHAKE_HEADER_LENGTH - overhead(item.epoch);
        if (room >= remaining) len = remaining;
        else if (room >= 64) len = room;
      }
      const payload = Buffer.allocUnsafe(HANDSHAKE_HEADER_LENGTH + len);
      writeHandshakeHeader(payload, 0, {
        type: item.type,
        length: total,
        messageSeq: item.messageSeq,
        fragmentOffset: offset,
        fragmentLength: len,
      });
      item.body.copy(payload, HANDSHAKE_HEADER_LENGTH, offset, offset + len);
      push(writeRecord(ContentType.handshake, item.epoch, payload));
      offset += len;
    } while (offset < total);
  }
  if (size > 0) datagrams.push(Buffer.concat(parts, size));
  return datagrams;
}
