import { describe, expect, it } from 'vitest';
import { ChannelType, marshalDcepAck, marshalDcepOpen, unmarshalDcepOpen } from './dcep.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+|\/\/[^\n]*/g, ''), 'hex');

describe('DCEP (RFC 8832 §5)', () => {
  const open = hex(`
    03          // DATA_CHANNEL_OPEN
    81          // channel type: partial reliable rexmit, unordered
    0100        // priority 256
    00000005    // reliability: 5 retransmissions
    0004 0002   // label length 4, protocol length 2
    63686174    // "chat"
    7631        // "v1"
  `);
  it('parses DATA_CHANNEL_OPEN', () => {
    expect(unmarshalDcepOpen(open)).toEqual({
      channelType: ChannelType.PARTIAL_RELIABLE_REXMIT_UNORDERED,
      priority: 256,
      reliability: 5,
      label: 'chat',
      protocol: 'v1',
    });
  });
  it('marshals DATA_CHANNEL_OPEN to the same bytes', () => {
    expect(marshalDcepOpen(unmarshalDcepOpen(open)!).equals(open)).toBe(true);
  });
  it('DATA_CHANNEL_ACK is one byte 0x02', () => {
    expect(marshalDcepAck().toString('hex')).toBe('02');
  });
  it('label and protocol are UTF-8', () => {
    const m = marshalDcepOpen({ channelType: 0, priority: 0, reliability: 0, label: 'ç', protocol: '' });
    expect(m.readUInt16BE(8)).toBe(2);
    expect(unmarshalDcepOpen(m)?.label).toBe('ç');
  });
  it.each([
    { name: 'shorter than 12', bytes: '03 00 0000 00000000 0000' },
    { name: 'not an OPEN', bytes: '02 00 0000 00000000 0000 0000' },
    { name: 'unknown channel type 0x03', bytes: '03 03 0000 00000000 0000 0000' },
    { name: 'label longer than the message', bytes: '03 00 0000 00000000 0005 0000 6162' },
  ])('refuses: $name', ({ bytes }) => {
    expect(unmarshalDcepOpen(hex(bytes))).toBeUndefined();
  });
});
