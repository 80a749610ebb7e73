/**
 * Reading `RTCPeerConnection.getStats()` from a page without the page's
 * help: an init script (added before any page script runs) wraps the
 * `RTCPeerConnection` constructor so every connection the page — or
 * mediasoup-client inside it — creates is remembered, and the helpers below
 * collect their RTP stats as plain, typed objects.
 */
import type { BrowserContext, Page } from 'playwright-core';

/** An `inbound-rtp` entry (W3C webrtc-stats), fields a scenario asserts on. */
export interface InboundRtpStats {
  id: string;
  kind: 'audio' | 'video';
  ssrc: number;
  mid?: string;
  /** From the referenced `codec` entry, e.g. `video/VP8`. */
  mimeType?: string;
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  jitter?: number;
  nackCount?: number;
  pliCount?: number;
  firCount?: number;
  framesReceived?: number;
  framesDecoded?: number;
  keyFramesDecoded?: number;
  framesDropped?: number;
  frameWidth?: number;
  frameHeight?: number;
  freezeCount?: number;
  totalSamplesReceived?: number;
  concealedSamples?: number;
}

/** An `outbound-rtp` entry. */
export interface OutboundRtpStats {
  id: string;
  kind: 'audio' | 'video';
  ssrc: number;
  mid?: string;
  rid?: string;
  mimeType?: string;
  packetsSent: number;
  bytesSent: number;
  retransmittedPacketsSent?: number;
  nackCount?: number;
  pliCount?: number;
  firCount?: number;
  framesEncoded?: number;
  keyFramesEncoded?: number;
  frameWidth?: number;
  frameHeight?: number;
  scalabilityMode?: string;
  qualityLimitationReason?: string;
  active?: boolean;
}

/** The selected ICE pair of a connection, when there is one. */
export interface SelectedPairStats {
  state: string;
  localAddress?: string;
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
  protocol?: string;
  currentRoundTripTime?: number;
  /** `host`, `srflx`, `prflx` or `relay` (the local candidate's type). */
  localCandidateType?: string;
  /** For a relay candidate: how the browser reaches its TURN server (`udp`, `tcp`, `tls`). */
  relayProtocol?: string;
}

/** One tracked `RTCPeerConnection`. */
export interface PeerConnectionStats {
  /** Creation order in the page, from 0. */
  index: number;
  connectionState: string;
  iceConnectionState: string;
  inbound: InboundRtpStats[];
  outbound: OutboundRtpStats[];
  selectedPair?: SelectedPairStats;
}

/** The name of the page global holding the tracked connections. */
export const TRACKED_PEER_CONNECTIONS = '__tsfuPeerConnections';

/**
 * Installs the tracker in every page of `context` (call before opening
 * pages). A subclass keeps `instanceof`, statics and prototypes intact.
 */
export async function trackPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript((globalName: string) => {
    const w = window as unknown as Record<string, unknown>;
    const list: RTCPeerConnection[] = [];
    w[globalName] = list;
    const Native = window.RTCPeerConnection;
    class TrackedRTCPeerConnection extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        list.push(this);
      }
    }
    Object.defineProperty(TrackedRTCPeerConnection, 'name', { value: 'RTCPeerConnection' });
    window.RTCPeerConnection = TrackedRTCPeerConnection;
  }, TRACKED_PEER_CONNECTIONS);
}

/** A playwright page, or anything holding one (such as an `E2ePage`). */
export type PageLike = Page | { readonly page: Page };

function pageOf(p: PageLike): Page {
  return 'page' in p && typeof p.page === 'object' ? p.page : (p as Page);
}

/** Stats of every connection the page has created (closed ones report no RTP entries). */
export async function readRtcStats(target: PageLike): Promise<PeerConnectionStats[]> {
  return pageOf(target).evaluate(async (globalName: string) => {
    const list = ((window as unknown as Record<string, unknown>)[globalName] ?? []) as RTCPeerConnection[];
    const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
    const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    const out = [];
    for (let index = 0; index < list.length; index++) {
      const pc = list[index];
      const entry = {
        index,
        connectionState: pc.connectionState,
        iceConnectionState: pc.iceConnectionState,
        inbound: [] as unknown[],
        outbound: [] as unknown[],
        selectedPair: undefined as unknown,
      };
      out.push(entry);
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      const all = new Map<string, Record<string, unknown>>();
      report.forEach((s: Record<string, unknown>) => {
        all.set(s.id as string, s);
      });
      const mimeOf = (s: Record<string, unknown>) => str(all.get(str(s.codecId) ?? '')?.mimeType);
      for (const s of all.values()) {
        if (s.type === 'inbound-rtp') {
          entry.inbound.push({
            id: s.id,
            kind: s.kind,
            ssrc: s.ssrc,
            mid: str(s.mid),
            mimeType: mimeOf(s),
            packetsReceived: num(s.packetsReceived) ?? 0,
            packetsLost: num(s.packetsLost) ?? 0,
            bytesReceived: num(s.bytesReceived) ?? 0,
            jitter: num(s.jitter),
            nackCount: num(s.nackCount),
            pliCount: num(s.pliCount),
            firCount: num(s.firCount),
            framesReceived: num(s.framesReceived),
            framesDecoded: num(s.framesDecoded),
            keyFramesDecoded: num(s.keyFramesDecoded),
            framesDropped: num(s.framesDropped),
            frameWidth: num(s.frameWidth),
            frameHeight: num(s.frameHeight),
            freezeCount: num(s.freezeCount),
            totalSamplesReceived: num(s.totalSamplesReceived),
            concealedSamples: num(s.concealedSamples),
          });
        } else if (s.type === 'outbound-rtp') {
          entry.outbound.push({
            id: s.id,
            kind: s.kind,
            ssrc: s.ssrc,
            mid: str(s.mid),
            rid: str(s.rid),
            mimeType: mimeOf(s),
            packetsSent: num(s.packetsSent) ?? 0,
            bytesSent: num(s.bytesSent) ?? 0,
            retransmittedPacketsSent: num(s.retransmittedPacketsSent),
            nackCount: num(s.nackCount),
            pliCount: num(s.pliCount),
            firCount: num(s.firCount),
            framesEncoded: num(s.framesEncoded),
            keyFramesEncoded: num(s.keyFramesEncoded),
            frameWidth: num(s.frameWidth),
            frameHeight: num(s.frameHeight),
            scalabilityMode: str(s.scalabilityMode),
            qualityLimitationReason: str(s.qualityLimitationReason),
            active: typeof s.active === 'boolean' ? s.active : undefined,
          });
        } else if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
          const pair = all.get(s.selectedCandidatePairId);
          if (!pair) continue;
          const local = all.get(str(pair.localCandidateId) ?? '');
          const remote = all.get(str(pair.remoteCandidateId) ?? '');
          entry.selectedPair = {
            state: str(pair.state) ?? 'unknown',
            localAddress: str(local?.address),
            localPort: num(local?.port),
            remoteAddress: str(remote?.address),
            remotePort: num(remote?.port),
            protocol: str(local?.protocol),
            currentRoundTripTime: num(pair.currentRoundTripTime),
            localCandidateType: str(local?.candidateType),
            relayProtocol: str(local?.relayProtocol),
          };
        }
      }
    }
    return out;
  }, TRACKED_PEER_CONNECTIONS) as Promise<PeerConnectionStats[]>;
}

/**
 * How long a browser test waits for a condition before it fails. Only a
 * condition that never comes costs this long; it is generous because a loaded
 * 2-core machine (a compiler or a CPU hog beside the suite) makes Chromium's
 * encoder, decoder and network threads slow, not wrong.
 */
export const E2E_WAIT_MS = 60_000;

export interface WaitForStatsOptions {
  /** Give up after this long (default {@link E2E_WAIT_MS}). */
  timeoutMs?: number;
  /** Poll period (default 250 ms). */
  intervalMs?: number;
}

/**
 * Polls {@link readRtcStats} until `done(stats)` is true and returns those
 * stats; on timeout throws with the last stats in the message, so a failing
 * scenario says what the browser saw.
 */
export async function waitForRtcStats(
  page: PageLike,
  what: string,
  done: (stats: PeerConnectionStats[]) => boolean,
  options: WaitForStatsOptions = {},
): Promise<PeerConnectionStats[]> {
  const deadline = Date.now() + (options.timeoutMs ?? E2E_WAIT_MS);
  const interval = options.intervalMs ?? 250;
  let last: PeerConnectionStats[] = [];
  for (;;) {
    last = await readRtcStats(page);
    if (done(last)) return last;
    if (Date.now() >= deadline) {
      throw new Error(`timed out waiting for ${what}; last stats: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Every inbound media entry of every connection (not the probator), optionally of one kind. */
export function allInbound(stats: PeerConnectionStats[], kind?: 'audio' | 'video'): InboundRtpStats[] {
  return stats
    .flatMap((pc) => pc.inbound)
    .filter((s) => (kind === undefined || s.kind === kind) && s.ssrc !== PROBATOR_SSRC);
}

/**
 * mediasoup-client's "probator" receiver: the SFU's probation padding (bandwidth probing) arrives on it and
 * gives it an inbound-rtp entry with no frames; `allInbound` leaves it out.
 */
export const PROBATOR_SSRC = 1234;

/** Every outbound entry of every connection, optionally of one kind. */
export function allOutbound(stats: PeerConnectionStats[], kind?: 'audio' | 'video'): OutboundRtpStats[] {
  return stats.flatMap((pc) => pc.outbound).filter((s) => kind === undefined || s.kind === kind);
}
