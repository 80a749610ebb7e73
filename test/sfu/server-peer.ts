/**
 * Synthetic clients (`@tsfu/sfu/testing`) on a WebRtcServer's shared port, and
 * a check that audio RTP from one reaches the other through the SFU.
 */
import type { Router, WebRtcServer, WebRtcTransport } from '@tsfu/sfu';
import { SyntheticWebRtcClient } from '@tsfu/sfu/testing';
import { opusProducerParameters, rtp, waitFor } from './media-rig.js';

export interface ServerPeer {
  transport: WebRtcTransport;
  client: SyntheticWebRtcClient;
}

/** A WebRtcTransport on `server` and a synthetic client connected to it (ICE, DTLS, SRTP). */
export async function connectServerPeer(router: Router, server: WebRtcServer): Promise<ServerPeer> {
  const transport = await router.createWebRtcTransport({ webRtcServer: server });
  const client = await SyntheticWebRtcClient.create();
  try {
    await transport.connect({ dtlsParameters: client.dtlsParameters });
    await client.connect({
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    });
    await waitFor(() => transport.dtlsState === 'connected', 5_000, 'server DTLS connected');
  } catch (error) {
    client.close();
    throw error;
  }
  return { transport, client };
}

let nextSsrc = 0x5000;

/**
 * Makes `from` produce opus and `to` consume it, then sends RTP (one packet
 * per 10 ms poll, at most `timeoutMs`) until `to` receives some. Resolves to
 * the number received; rejects on the deadline.
 */
export async function forwardsAudio(
  router: Router,
  from: ServerPeer,
  to: ServerPeer,
  timeoutMs = 5_000,
): Promise<number> {
  const ssrc = nextSsrc++;
  const producer = await from.transport.produce({
    kind: 'audio',
    rtpParameters: opusProducerParameters('0', ssrc),
  });
  const consumer = await to.transport.consume({
    producerId: producer.id,
    rtpCapabilities: router.rtpCapabilities,
  });
  const consumerSsrc = consumer.rtpParameters.encodings?.[0].ssrc;
  let received = 0;
  to.client.onRtp = (packet) => {
    if (packet.readUInt32BE(8) === consumerSsrc) received++;
  };
  let seq = 0;
  await waitFor(
    () => {
      from.client.sendRtp(
        rtp({ ssrc, payloadType: 111, seq: seq++, ts: seq * 960, payload: Buffer.alloc(20, 1) }),
      );
      return received > 0;
    },
    timeoutMs,
    'forwarded RTP',
  );
  return received;
}
