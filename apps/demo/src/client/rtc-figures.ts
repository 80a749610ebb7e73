/**
 * Turns an RTCStatsReport into the figures a tile shows: bitrate (from the
 * byte count since the previous sample), resolution and frame rate.
 */

export interface TileFigures {
  kbps: number;
  width?: number;
  height?: number;
  fps?: number;
  /** Sending side: simulcast layers that carried bytes since the previous sample. */
  activeLayers?: number;
}

export interface ByteSample {
  bytes: number;
  at: number;
  /** Per-RID byte counts (sending side). */
  perLayer?: Map<string, number>;
}

interface RtpStat {
  type: string;
  kind?: string;
  timestamp: number;
  bytesReceived?: number;
  bytesSent?: number;
  frameWidth?: number;
  frameHeight?: number;
  framesPerSecond?: number;
  rid?: string;
}

/** Reads inbound-rtp (receiving) or outbound-rtp (sending) entries; `prev` is the last sample. */
export function readFigures(
  report: RTCStatsReport,
  direction: 'inbound' | 'outbound',
  prev: ByteSample | undefined,
): { figures: TileFigures; sample: ByteSample } {
  let bytes = 0;
  let at = 0;
  let width: number | undefined;
  let height: number | undefined;
  let fps: number | undefined;
  const perLayer = new Map<string, number>();
  report.forEach((raw) => {
    const s = raw as RtpStat;
    if (s.type !== `${direction}-rtp`) return;
    const b = (direction === 'inbound' ? s.bytesReceived : s.bytesSent) ?? 0;
    bytes += b;
    at = Math.max(at, s.timestamp);
    if (s.rid) perLayer.set(s.rid, b);
    if (s.frameWidth && (!width || s.frameWidth > width)) {
      width = s.frameWidth;
      height = s.frameHeight;
      fps = s.framesPerSecond;
    }
  });
  const seconds = prev ? (at - prev.at) / 1000 : 0;
  const kbps = prev && seconds > 0 ? Math.max(0, Math.round(((bytes - prev.bytes) * 8) / seconds / 1000)) : 0;
  let activeLayers: number | undefined;
  if (perLayer.size > 0 && prev?.perLayer) {
    activeLayers = 0;
    for (const [rid, b] of perLayer) if (b > (prev.perLayer.get(rid) ?? 0)) activeLayers++;
  }
  return { figures: { kbps, width, height, fps, activeLayers }, sample: { bytes, at, perLayer } };
}

/** `640×360 · 24 fps · 812 kbps`. */
export function formatFigures(f: TileFigures): string {
  const parts: string[] = [];
  if (f.width && f.height) parts.push(`${f.width}×${f.height}`);
  if (f.fps !== undefined) parts.push(`${Math.round(f.fps)} fps`);
  parts.push(f.kbps >= 1000 ? `${(f.kbps / 1000).toFixed(1)} Mbps` : `${f.kbps} kbps`);
  return parts.join(' · ');
}
