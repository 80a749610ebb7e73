import { describe, expect, it } from 'vitest';
import {
  type ErrorCode,
  encodeError,
  encodeNotification,
  encodeResponse,
  NO_SPEAKER,
  parseRequestFrame,
  REQUEST_CHECKS,
} from './protocol.js';

const MAX = 1024;
const parse = (text: string) => parseRequestFrame(text, Buffer.byteLength(text), MAX);
const req = (method: string, data?: unknown, id: unknown = 7) =>
  JSON.stringify({ type: 'request', id, method, data });

type ErrorRow = [label: string, text: string, id: number | null, code: ErrorCode, message: RegExp];

const errorRows: ErrorRow[] = [
  ['not JSON', '{"type":', null, 'bad-json', /not valid JSON/],
  ['empty', '', null, 'bad-json', /not valid JSON/],
  ['JSON array', '[1,2]', null, 'bad-frame', /JSON object/],
  ['JSON null', 'null', null, 'bad-frame', /JSON object/],
  ['JSON number', '42', null, 'bad-frame', /JSON object/],
  ['no type', JSON.stringify({ id: 1, method: 'leave' }), 1, 'bad-frame', /type: "request"/],
  [
    'a response, not a request',
    JSON.stringify({ type: 'response', id: 3, ok: true }),
    3,
    'bad-frame',
    /request/,
  ],
  ['no id', JSON.stringify({ type: 'request', method: 'leave' }), null, 'bad-frame', /id/],
  ['negative id', req('leave', {}, -1), null, 'bad-frame', /id/],
  ['fractional id', req('leave', {}, 1.5), null, 'bad-frame', /id/],
  ['string id', req('leave', {}, '1'), null, 'bad-frame', /id/],
  ['unknown method', req('dropTables', {}), 7, 'unknown-method', /unknown method dropTables/],
  ['method from Object.prototype', req('constructor', {}), 7, 'unknown-method', /constructor/],
  ['method __proto__', req('__proto__', {}), 7, 'unknown-method', /__proto__/],
  [
    'method not a string',
    JSON.stringify({ type: 'request', id: 2, method: 5 }),
    2,
    'unknown-method',
    /number/,
  ],
  ['join: no displayName', req('join', { roomId: 'a' }), 7, 'invalid-params', /data\.displayName: required/],
  [
    'join: roomId with a slash',
    req('join', { roomId: 'a/b', displayName: 'x' }),
    7,
    'invalid-params',
    /roomId/,
  ],
  [
    'join: roomId too long',
    req('join', { roomId: 'r'.repeat(65), displayName: 'x' }),
    7,
    'invalid-params',
    /roomId/,
  ],
  [
    'join: control character in name',
    req('join', { roomId: 'a', displayName: 'a\u0007b' }),
    7,
    'invalid-params',
    /displayName/,
  ],
  [
    'join: name of 41 characters',
    req('join', { roomId: 'a', displayName: 'n'.repeat(41) }),
    7,
    'invalid-params',
    /displayName/,
  ],
  [
    'join: extra field',
    req('join', { roomId: 'a', displayName: 'x', admin: true }),
    7,
    'invalid-params',
    /unknown field "admin"/,
  ],
  ['join: data is an array', req('join', []), 7, 'invalid-params', /expected an object/],
  [
    'createWebRtcTransport: bad direction',
    req('createWebRtcTransport', { direction: 'both' }),
    7,
    'invalid-params',
    /direction/,
  ],
  [
    'connectWebRtcTransport: dtlsParameters a string',
    req('connectWebRtcTransport', { transportId: 't', dtlsParameters: 'x' }),
    7,
    'invalid-params',
    /dtlsParameters/,
  ],
  ['restartIce: no transportId', req('restartIce', {}), 7, 'invalid-params', /data\.transportId: required/],
  [
    'produce: bad source',
    req('produce', { transportId: 't', kind: 'video', source: 'tv', rtpParameters: {} }),
    7,
    'invalid-params',
    /source/,
  ],
  [
    'produce: kind data',
    req('produce', { transportId: 't', kind: 'data', source: 'mic', rtpParameters: {} }),
    7,
    'invalid-params',
    /kind/,
  ],
  [
    'consume: transportId with spaces',
    req('consume', { transportId: 'a b', producerId: 'p', rtpCapabilities: {} }),
    7,
    'invalid-params',
    /transportId/,
  ],
  [
    'setConsumerPreferredLayers: layer 9',
    req('setConsumerPreferredLayers', { consumerId: 'c', spatialLayer: 9 }),
    7,
    'invalid-params',
    /spatialLayer/,
  ],
  ['leave: unexpected data', req('leave', { now: true }), 7, 'invalid-params', /unknown field "now"/],
  [
    'over the size limit',
    req('join', { roomId: 'a', displayName: 'x'.repeat(MAX) }),
    null,
    'too-large',
    /over 1024 bytes/,
  ],
];

describe('parseRequestFrame: error rows', () => {
  it.each(errorRows)('%s', (_label, text, id, code, message) => {
    const r = parse(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.id).toBe(id);
    expect(r.error.code).toBe(code);
    expect(r.error.message).toMatch(message);
  });
});

describe('parseRequestFrame: valid requests', () => {
  const valid: Array<[string, unknown, unknown]> = [
    [
      'join',
      { roomId: 'my-room_1', displayName: 'Ada Lovelace 🎉' },
      { roomId: 'my-room_1', displayName: 'Ada Lovelace 🎉' },
    ],
    ['createWebRtcTransport', { direction: 'send' }, { direction: 'send' }],
    [
      'produce',
      { transportId: 't1', kind: 'audio', source: 'mic', rtpParameters: { codecs: [] } },
      { transportId: 't1', kind: 'audio', source: 'mic', rtpParameters: { codecs: [] } },
    ],
    [
      'setConsumerPreferredLayers',
      { consumerId: 'c', spatialLayer: 2 },
      { consumerId: 'c', spatialLayer: 2 },
    ],
    ['setRecording', { recording: true }, { recording: true }],
    [
      'produceData',
      { transportId: 't1', sctpStreamParameters: { streamId: 0, ordered: true }, label: 'chat' },
      { transportId: 't1', sctpStreamParameters: { streamId: 0, ordered: true }, label: 'chat' },
    ],
    ['consumeData', { transportId: 't2', dataProducerId: 'd1' }, { transportId: 't2', dataProducerId: 'd1' }],
    ['getServerStats', undefined, {}], // absent data is {}
    ['leave', {}, {}],
  ];
  it.each(valid)('%s', (method, data, expected) => {
    const r = parse(req(method, data, 99));
    expect(r).toEqual({ ok: true, request: { id: 99, method, data: expected } });
  });

  it('every method has a check', () => {
    expect(Object.keys(REQUEST_CHECKS).sort()).toEqual(
      [
        'closeProducer',
        'connectWebRtcTransport',
        'consume',
        'consumeData',
        'createWebRtcTransport',
        'getServerStats',
        'join',
        'leave',
        'pauseProducer',
        'produce',
        'produceData',
        'resumeConsumer',
        'restartIce',
        'resumeProducer',
        'setConsumerPreferredLayers',
        'setRecording',
      ].sort(),
    );
  });

  it('the size limit counts bytes on the wire, not characters', () => {
    const text = req('join', { roomId: 'a', displayName: 'é'.repeat(20) });
    expect(parseRequestFrame(text, Buffer.byteLength(text), text.length).ok).toBe(false);
    expect(parseRequestFrame(text, Buffer.byteLength(text), Buffer.byteLength(text)).ok).toBe(true);
  });
});

describe('encoders', () => {
  it('write the frames the page reads', () => {
    expect(JSON.parse(encodeResponse(3, { id: 'x' }))).toEqual({
      type: 'response',
      id: 3,
      ok: true,
      data: { id: 'x' },
    });
    expect(JSON.parse(encodeError(null, { code: 'bad-json', message: 'm' }))).toEqual({
      type: 'response',
      id: null,
      ok: false,
      error: { code: 'bad-json', message: 'm' },
    });
    expect(JSON.parse(encodeNotification('peerLeft', { peerId: 'p1' }))).toEqual({
      type: 'notification',
      method: 'peerLeft',
      data: { peerId: 'p1' },
    });
  });

  it('activeSpeaker names a peer and its microphone producer, or nobody (both null)', () => {
    expect(JSON.parse(encodeNotification('activeSpeaker', { peerId: 'p2', producerId: 'abc' }))).toEqual({
      type: 'notification',
      method: 'activeSpeaker',
      data: { peerId: 'p2', producerId: 'abc' },
    });
    expect(JSON.parse(encodeNotification('activeSpeaker', NO_SPEAKER))).toEqual({
      type: 'notification',
      method: 'activeSpeaker',
      data: { peerId: null, producerId: null },
    });
    // Shared by every room: nobody may change it.
    expect(Object.isFrozen(NO_SPEAKER)).toBe(true);
  });
});
