import type { Router } from '@tsfu/sfu';
import { describe, expect, it } from 'vitest';
import { NO_SPEAKER, type PeerInfo, type ProducerInfo } from '../../signalling/protocol.js';
import type { ClusterContext } from './context.js';
import { type ClusterRoom, type RemotePeer, RoomLink } from './room-link.js';

/** A room that writes down what the link told it; a context whose Redis records writes. */
function setup() {
  const told: string[] = [];
  const room: ClusterRoom = {
    id: 'r',
    router: {} as Router,
    localPeers: () => [],
    remotePeerJoined: (peerId, name) => told.push(`joined ${peerId} ${name}`),
    remotePeerLeft: (peerId) => told.push(`left ${peerId}`),
    remoteProducerAdded: (info) => told.push(`new ${info.producerId}`),
    remoteProducerClosed: (_peerId, producerId) => told.push(`closed ${producerId}`),
    remoteProducerPaused: (_peerId, producerId, paused) =>
      told.push(`${paused ? 'paused' : 'resumed'} ${producerId}`),
    remoteDataProducerAdded: (info) => told.push(`new data ${info.dataProducerId}`),
    hasLocalPeers: () => false,
    localSpeaker: () => NO_SPEAKER,
    watchSpeaker: async () => {},
    tellSpeaker: (speaker) => told.push(`speaker ${speaker.peerId}`),
  };
  const writes: string[] = [];
  const redis = {
    hset: async (key: string, field: string) => writes.push(`hset ${key} ${field}`),
    hdel: async (key: string, field: string) => writes.push(`hdel ${key} ${field}`),
    publish: async (channel: string, text: string) => writes.push(`publish ${channel} ${text}`),
  };
  const ctx = { nodeId: 'a', redis, log: () => {} } as unknown as ClusterContext;
  return { link: new RoomLink(room, ctx), told, writes };
}

const producer = (producerId: string, paused = false): ProducerInfo => ({
  peerId: 'b-p1',
  producerId,
  kind: 'video',
  source: 'webcam',
  paused,
});
const peer = (producers: ProducerInfo[], chats: string[] = []): RemotePeer => ({
  peerId: 'b-p1',
  displayName: 'Bob',
  producers,
  dataProducers: chats.map((dataProducerId) => ({ peerId: 'b-p1', dataProducerId, label: 'chat' })),
  nodeId: 'b',
});
const from = (node: string, body: object) => JSON.stringify({ from: node, ...body });

describe('RoomLink: a far participant becomes the local pages’ notifications', () => {
  it('join, new producer, pause, resume, producer closed, gone: each told once', () => {
    const { link, told } = setup();
    link.onMessage(from('b', { peer: peer([]) }));
    link.onMessage(from('b', { peer: peer([producer('v1')]) }));
    link.onMessage(from('b', { peer: peer([producer('v1')]) })); // same state again: nothing new
    link.onMessage(from('b', { peer: peer([producer('v1', true)]) }));
    link.onMessage(from('b', { peer: peer([producer('v1', false), producer('v2')]) }));
    link.onMessage(from('b', { peer: peer([producer('v2')]) }));
    link.onMessage(from('b', { gone: 'b-p1' }));
    expect(told).toEqual([
      'joined b-p1 Bob',
      'new v1',
      'paused v1',
      'resumed v1',
      'new v2',
      'closed v1',
      'left b-p1',
    ]);
    expect(link.remotePeers()).toEqual([]);
  });

  it('knows which node has a producer; its own messages and garbage are ignored', () => {
    const { link, told } = setup();
    link.onMessage(from('b', { peer: peer([producer('v1')]) }));
    link.onMessage(from('a', { peer: { ...peer([]), peerId: 'a-p9', nodeId: 'a' } }));
    link.onMessage('not json');
    link.onMessage(from('b', { nothing: true }));
    expect(link.ownerOf('v1')).toBe('b');
    expect(link.ownerOf('v9')).toBeUndefined();
    expect(link.remotePeers().map((p: PeerInfo) => p.peerId)).toEqual(['b-p1']);
    expect(told).toEqual(['joined b-p1 Bob', 'new v1']);
  });

  it("a far page's chat: told once, found by its id", () => {
    const { link, told } = setup();
    link.onMessage(from('b', { peer: peer([], ['d1']) }));
    link.onMessage(from('b', { peer: peer([], ['d1']) }));
    expect(told).toEqual(['joined b-p1 Bob', 'new data d1']);
    expect(link.dataOwnerOf('d1')).toMatchObject({ peerId: 'b-p1', nodeId: 'b' });
    expect(link.dataOwnerOf('d9')).toBeUndefined();
    expect(link.remotePeers()[0].dataProducers).toHaveLength(1);
  });

  it("the speaker: only the deciding node's word is taken (the smallest id with participants)", () => {
    const { link, told } = setup();
    link.onMessage(from('b', { peer: peer([]) }));
    link.onMessage(from('c', { speaker: { peerId: 'c-p1', producerId: 'm9' } })); // c has nobody here
    link.onMessage(from('b', { speaker: { peerId: 'b-p1' } })); // no producer: dropped
    link.onMessage(from('b', { speaker: 'b-p1' })); // dropped
    link.onMessage(from('b', { speaker: { peerId: 'b-p1', producerId: 'm1' } }));
    expect(told).toEqual(['joined b-p1 Bob', 'speaker b-p1']);
    expect(link.speaker.current.peerId).toBe('b-p1');
    expect(link.speaker.deciding).toBe(false);
  });

  it('a dead node: its participants leave and the room hash forgets them', () => {
    const { link, told, writes } = setup();
    link.onMessage(from('b', { peer: peer([producer('v1')]) }));
    link.nodeDied('b');
    link.nodeDied('b');
    expect(told).toEqual(['joined b-p1 Bob', 'new v1', 'left b-p1']);
    expect(writes).toEqual(['hdel tsfu:room:r b-p1']);
  });

  it('local changes go to the room hash and channel, with the data producers', () => {
    const { link, writes } = setup();
    const chat = { peerId: 'a-p1', dataProducerId: 'd1', label: 'chat' };
    link.peerChanged({ peerId: 'a-p1', displayName: 'Ann', producers: [], dataProducers: [chat] });
    link.peerGone('a-p1');
    expect(writes[0]).toBe('hset tsfu:room:r a-p1');
    expect(JSON.parse(writes[1].slice('publish tsfu:room:r '.length))).toEqual({
      from: 'a',
      peer: { peerId: 'a-p1', displayName: 'Ann', producers: [], dataProducers: [chat], nodeId: 'a' },
    });
    expect(writes.slice(2)).toEqual([
      'hdel tsfu:room:r a-p1',
      'publish tsfu:room:r {"from":"a","gone":"a-p1"}',
    ]);
  });
});
