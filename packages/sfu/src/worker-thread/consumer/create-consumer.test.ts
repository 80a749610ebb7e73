/**
 * Consumer kinds are classes over one base, picked by the producer's type
 * (one stream, several, one with spatial layers); a pipe consumer whatever
 * the producer (`pipe-consumer.test.ts`).
 */
import { describe, expect, it } from 'vitest';
import type { RtpParameters } from '../../types/rtp-parameters.js';
import { Router } from '../router.js';
import { recordingTransport } from '../transport/recording-transport.test-util.js';
import { SimpleConsumer } from './simple-consumer.js';
import { SimulcastConsumer } from './simulcast-consumer.js';
import { SvcConsumer } from './svc-consumer.js';

const vp9 = { mimeType: 'video/VP9', clockRate: 90000 };

function consumerOf(encodings: RtpParameters['encodings']) {
  const router = new Router('r');
  const t = recordingTransport('t', router);
  router.addTransport(t);
  t.produce({
    transportId: 't',
    producerId: 'p',
    kind: 'video',
    rtpParameters: { codecs: [{ ...vp9, payloadType: 98 }], encodings, rtcp: { cname: 'x' } },
    rtpMapping: {
      codecs: [{ payloadType: 98, mappedPayloadType: 101 }],
      encodings: (encodings ?? []).map((_e, i) => ({ mappedSsrc: 10 + i })),
    },
    paused: false,
  });
  const scalabilityMode =
    (encodings ?? []).length > 1 ? `L${(encodings ?? []).length}T1` : encodings?.[0].scalabilityMode;
  t.consume(
    {
      transportId: 't',
      consumerId: 'c',
      producerId: 'p',
      kind: 'video',
      rtpParameters: {
        codecs: [{ ...vp9, payloadType: 101 }],
        encodings: [{ ssrc: 5000, scalabilityMode }],
        rtcp: { cname: 'x' },
      },
      paused: false,
      ignoreDtx: false,
      pipe: false,
      consumableRtpEncodings: [],
    },
    0,
  );
  const c = router.consumers.get('c');
  if (!c) throw new Error('no consumer');
  return c;
}

describe('consumer kinds', () => {
  it('one stream: SimpleConsumer, no layers', () => {
    const c = consumerOf([{ ssrc: 1 }]);
    expect(c).toBeInstanceOf(SimpleConsumer);
    expect([c.type, c.preferredLayers, c.currentLayers]).toEqual(['simple', undefined, undefined]);
  });

  it('several streams: SimulcastConsumer, preferring the top one', () => {
    const c = consumerOf([{ ssrc: 1 }, { ssrc: 2 }, { ssrc: 3 }]);
    expect(c).toBeInstanceOf(SimulcastConsumer);
    expect([c.type, c.preferredLayers]).toEqual(['simulcast', { spatialLayer: 2, temporalLayer: 0 }]);
  });

  it('one stream with spatial layers: SvcConsumer, with layers in its dump', () => {
    const c = consumerOf([{ ssrc: 1, scalabilityMode: 'L3T3' }]);
    expect(c).toBeInstanceOf(SvcConsumer);
    expect([c.type, c.preferredLayers]).toEqual(['svc', { spatialLayer: 2, temporalLayer: 2 }]);
    c.setPreferredLayers({ spatialLayer: 1, temporalLayer: 0 }, 0);
    expect(c.dump()).toMatchObject({ type: 'svc', preferredSpatialLayer: 1, preferredTemporalLayer: 0 });
  });
});
