import type { Producer } from '@tsfu/sfu';
import { describe, expect, it } from 'vitest';
import { type ActiveSpeaker, NO_SPEAKER } from '../../signalling/protocol.js';
import { type FarMic, RoomSpeaker, type SpeakerRoom } from './room-speaker.js';

/** A speaker for node `nodeId` whose pulls, releases, publications and page notifications are written down. */
function setup(nodeId: string, localPeers: boolean) {
  const events: string[] = [];
  let local: ActiveSpeaker = NO_SPEAKER;
  const room: SpeakerRoom = {
    hasLocalPeers: () => localPeers,
    localSpeaker: () => local,
    watchSpeaker: async (producer, peerId) => {
      events.push(`watch ${producer.id} ${peerId}`);
    },
    tellSpeaker: (s) => events.push(`tell ${s.peerId}`),
  };
  const speaker = new RoomSpeaker(
    nodeId,
    room,
    async (mic) => {
      events.push(`pull ${mic.producerId}`);
      return {
        producer: { id: mic.producerId } as Producer,
        release: () => events.push(`release ${mic.producerId}`),
      };
    },
    (s) => events.push(`publish ${s.peerId}`),
    () => {},
  );
  return {
    speaker,
    events,
    setLocal: (s: ActiveSpeaker) => {
      local = s;
    },
  };
}

const mic = (nodeId: string, n: number): FarMic => ({
  producerId: `${nodeId}-m${n}`,
  peerId: `${nodeId}-p${n}`,
  nodeId,
});
/** The far participants changed: here each far node has one participant, with its microphone. */
const update = (speaker: RoomSpeaker, mics: FarMic[]) =>
  speaker.update(
    mics.map((m) => m.nodeId),
    mics,
  );
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RoomSpeaker: one node decides the room’s speaker', () => {
  it('the smallest node with participants decides: it hears every far microphone and publishes', async () => {
    const { speaker, events, setLocal } = setup('a', true);
    setLocal({ peerId: 'a-p1', producerId: 'a-m1' });
    update(speaker, [mic('b', 1), mic('c', 1)]);
    await settle();
    expect(speaker.deciding).toBe(true);
    expect(events).toEqual([
      'tell a-p1',
      'publish a-p1',
      'pull b-m1',
      'pull c-m1',
      'watch b-m1 b-p1',
      'watch c-m1 c-p1',
    ]);
    events.length = 0;
    speaker.local({ peerId: 'c-p1', producerId: 'c-m1' });
    speaker.remote('b', { peerId: 'b-p1', producerId: 'b-m1' }); // b does not decide: ignored
    expect(events).toEqual(['tell c-p1', 'publish c-p1']);
    expect(speaker.current.peerId).toBe('c-p1');
    // c's participant left: its microphone is let go.
    events.length = 0;
    update(speaker, [mic('b', 1)]);
    expect(events).toEqual(['release c-m1']);
  });

  it("a node that does not decide tells its pages the decider's word, not its own observer's", () => {
    const { speaker, events } = setup('b', true);
    update(speaker, [mic('a', 1), mic('c', 1)]);
    expect(speaker.deciding).toBe(false);
    speaker.local({ peerId: 'b-p1', producerId: 'b-m1' });
    speaker.remote('c', { peerId: 'c-p1', producerId: 'c-m1' });
    speaker.remote('a', { peerId: 'a-p1', producerId: 'a-m1' });
    expect(events).toEqual(['tell a-p1']);
  });

  it("the decider's node leaves: the next one takes over with what its observer hears", async () => {
    const { speaker, events, setLocal } = setup('b', true);
    update(speaker, [mic('a', 1), mic('c', 1)]);
    setLocal({ peerId: 'b-p1', producerId: 'b-m1' });
    update(speaker, [mic('c', 1)]);
    await settle();
    expect(speaker.deciding).toBe(true);
    expect(events).toEqual(['tell b-p1', 'publish b-p1', 'pull c-m1', 'watch c-m1 c-p1']);
    // A node with nobody in the room never decides; it lets go of what it held.
    const alone = setup('a', false);
    update(alone.speaker, [mic('b', 1)]);
    expect(alone.speaker.deciding).toBe(false);
  });

  it('a node joining the room hears the current decision again', () => {
    const { speaker, events, setLocal } = setup('a', true);
    setLocal({ peerId: 'a-p1', producerId: 'a-m1' });
    update(speaker, []);
    events.length = 0;
    update(speaker, [mic('b', 1)]);
    expect(events).toEqual(['publish a-p1', 'pull b-m1']);
  });
});
