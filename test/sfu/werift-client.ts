/** A werift RTCPeerConnection fed an ice-lite SDP answer built from a WebRtcTransport's parameters. */

import type { WebRtcTransport } from '@tsfu/sfu';
import { RTCPeerConnection } from 'werift';

export interface Client {
  pc: RTCPeerConnection;
  fingerprint: { algorithm: 'sha-256'; value: string };
  sendRaw(data: Buffer): Promise<void>;
}

export async function connectClient(
  transport: WebRtcTransport,
  opts: { tcp?: boolean; wrongRemote?: boolean; udpPort?: number } = {},
): Promise<Client> {
  const pc = new RTCPeerConnection({
    iceUseTcp: Boolean(opts.tcp),
    iceUseIpv6: false,
    iceTcpPassive: false,
    // The first free of two local 127.0.0.1 ports (werift wants a range): the same one each time.
    ...(opts.udpPort === undefined
      ? {}
      : { icePortRange: [opts.udpPort, opts.udpPort + 1], iceInterfaceAddresses: { udp4: '127.0.0.1' } }),
  } as never);
  pc.addTransceiver('audio', { direction: 'sendonly' });
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const fpLine = /a=fingerprint:sha-256 (\S+)/.exec(offer.sdp)?.[1] ?? '';
  const answer = buildAnswer(transport, offer.sdp, opts);
  await transport.connect({
    dtlsParameters: {
      role: 'client',
      fingerprints: [
        {
          algorithm: 'sha-256',
          value: opts.wrongRemote ? fpLine.replace(/^../, fpLine.startsWith('00') ? '11' : '00') : fpLine,
        },
      ],
    },
  });
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  return {
    pc,
    fingerprint: { algorithm: 'sha-256', value: fpLine },
    sendRaw: async (data: Buffer) => {
      await pc.iceTransports[0].connection.send(data);
    },
  };
}

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** An ice-lite SDP answer (setup:passive, one audio m-line) from the transport's current parameters. */
export function buildAnswer(
  transport: WebRtcTransport,
  offerSdp: string,
  opts: { tcp?: boolean; version?: number } = {},
): string {
  const mid = /a=mid:(\S+)/.exec(offerSdp)?.[1] ?? '0';
  const ice = transport.iceParameters;
  const dtls = transport.dtlsParameters;
  const fp = dtls.fingerprints.find((f) => f.algorithm === 'sha-256')?.value ?? '';
  const candidates = transport.iceCandidates
    .filter((c) => (opts.tcp ? c.protocol === 'tcp' : c.protocol === 'udp'))
    .map(
      (c) =>
        `a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.address} ${c.port} typ host${c.tcpType ? ` tcptype ${c.tcpType}` : ''}`,
    );
  return [
    'v=0',
    `o=- 1 ${opts.version ?? 1} IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${mid}`,
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 127.0.0.1',
    `a=mid:${mid}`,
    'a=recvonly',
    'a=rtcp-mux',
    `a=ice-ufrag:${ice.usernameFragment}`,
    `a=ice-pwd:${ice.password}`,
    `a=fingerprint:sha-256 ${fp}`,
    'a=setup:passive',
    'a=rtpmap:111 opus/48000/2',
    ...candidates,
    'a=end-of-candidates',
    '',
  ].join('\r\n');
}
