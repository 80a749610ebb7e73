/**
 * The worker thread's media-plane log lines follow `logTags`: with `rtcp` on,
 * the PLI the producer side sends and the one a consumer receives are logged
 * (forwarded to the main thread under `tsfu:Channel`); with the tag off, the
 * same PLI is handled (counted) and nothing is logged.
 */
import { serializeRtcpPackets } from '@tsfu/rtp';
import {
  type Consumer,
  createWorker,
  type Producer,
  type Router,
  setLogEventListeners,
  type Worker,
} from '@tsfu/sfu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPeer,
  MEDIA_CODECS,
  type Peer,
  pollUntil,
  vp8ProducerParameters,
  waitFor,
} from './media-rig.js';

const SSRC = 0x1111;
let worker: Worker;
let router: Router;
let a: Peer;
let b: Peer;
let producer: Producer;
let consumer: Consumer;
const lines: string[] = [];

beforeAll(async () => {
  setLogEventListeners({
    ondebug: (namespace, log) => {
      if (namespace === 'tsfu:Channel') lines.push(log);
    },
  });
  worker = await createWorker({ logLevel: 'debug', logTags: ['rtcp'] });
  router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  a = await createPeer(router);
  b = await createPeer(router);
  producer = await a.transport.produce({
    kind: 'video',
    rtpParameters: vp8ProducerParameters({ mid: '0', ssrc: SSRC }),
  });
  consumer = await b.transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
});

afterAll(() => {
  setLogEventListeners(undefined);
  a?.client.close();
  b?.client.close();
  worker?.close();
});

function sendPliFromB(): void {
  const mediaSsrc = consumer.rtpParameters.encodings?.[0].ssrc ?? 0;
  b.client.sendRtcp(
    serializeRtcpPackets([
      { kind: 'rr', ssrc: 0xb0b, reports: [] },
      { kind: 'pli', senderSsrc: 0xb0b, mediaSsrc },
    ]),
  );
}

const tid = () => `[tid:${worker.threadId}]`;
const received = () => lines.filter((l) => l.includes(`PLI received [consumerId:${consumer.id}]`));

describe('media log lines and logTags', () => {
  it("with 'rtcp' on: the PLI sent toward the producer and the PLI a consumer received", async () => {
    const sending = `${tid()} Producer::requestKeyFrame() | sending PLI [producerId:${producer.id}, ssrc:${SSRC}]`;
    // The consumer's start asks the producer for a keyframe.
    await waitFor(() => lines.includes(sending), 5_000, 'the PLI line of the consumer start');
    sendPliFromB();
    await waitFor(() => received().length === 1, 5_000, 'the received-PLI line');
    expect(received()).toEqual([
      `${tid()} Consumer::onKeyFrameRequest() | PLI received [consumerId:${consumer.id}]`,
    ]);
  });

  it("with 'rtcp' off: the PLI is handled and not logged", async () => {
    await worker.updateSettings({ logTags: [] });
    const [before] = await consumer.getStats();
    sendPliFromB();
    // Counted by the worker before it answered this getStats: a line for it would have come first.
    await pollUntil(
      () => consumer.getStats(),
      ([c]) => c.pliCount === before.pliCount + 1,
      5_000,
      'the PLI counted at the consumer',
    );
    expect(received()).toHaveLength(1);
  });
});
