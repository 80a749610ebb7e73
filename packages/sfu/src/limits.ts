/**
 * The limits a production operator tunes (README "Limits"): their defaults
 * and the validation of the `tsfu`-prefixed options that set them.
 */
import type { TransportListenInfo } from './types/transport.js';
import type { WorkerSettings } from './types/worker.js';

export const LIMIT_DEFAULTS = {
  /** Open TCP connections per TCP listening socket. */
  maxTcpConnections: 1024,
  /** Unclaimed TCP connections (no valid ICE check yet) per source IP per listening socket. */
  maxPendingTcpConnectionsPerIp: 16,
  /** An unclaimed TCP connection is closed after this long. */
  tcpAuthTimeoutMs: 10_000,
  /** A TCP connection that brought no STUN Binding Request for a known ufrag is closed after this long. */
  tcpFirstFrameTimeoutMs: 2_000,
  /** Validated ICE tuples per transport (mediasoup keeps 8). */
  maxIceTuplesPerTransport: 8,
  /** Packets a worker holds for tuples whose bind answer it has not read yet. */
  maxParkedPackets: 64,
  /** WebRtcTransports per worker (no cap by default, as mediasoup). */
  maxTransports: Number.POSITIVE_INFINITY,
  /**
   * SO_RCVBUF asked for a WebRtcServer's UDP socket when its listenInfo sets no
   * `recvBufferSize` (mediasoup leaves the OS default, ~208 KiB on Linux: ~90
   * datagrams of 1200 B, 5–10 ms of a 20k pps flood). Linux caps it at
   * `net.core.rmem_max` and accounts twice what it grants. bench/README "Flood".
   */
  sharedUdpRecvBufferSize: 4 * 1024 * 1024,
  /**
   * SO_RCVBUF asked for each `tsfuConnectedUdp` peer socket when the listenInfo sets no
   * `recvBufferSize`. The OS default (~208 KiB: 92 datagrams of 1200 B) covers only ~27 ms of a
   * 3,400 pps producer: a worker stall longer than that (GC, a busy core) lost 12–15 % of a 3 s
   * round at 80 % load, while the I/O thread's 4 MiB shared socket lost nothing. bench/README.
   */
  connectedUdpRecvBufferSize: 1024 * 1024,
} as const;

/**
 * mediasoup's `rtcMinPort`/`rtcMaxPort` defaults: the ports a listen info
 * without `port` or `portRange` binds from.
 */
export const RTC_PORT_RANGE_DEFAULT = { min: 10000, max: 59999 } as const;

/** `rtcMinPort`/`rtcMaxPort` (TypeError: not a port, or reversed), as mediasoup-worker's settings. */
export function validateRtcPortRange(settings: WorkerSettings): void {
  const { rtcMinPort = RTC_PORT_RANGE_DEFAULT.min, rtcMaxPort = RTC_PORT_RANGE_DEFAULT.max } = settings;
  checkInteger('rtcMinPort', rtcMinPort, 0, 65535);
  checkInteger('rtcMaxPort', rtcMaxPort, 0, 65535);
  if (rtcMaxPort < rtcMinPort) throw new TypeError('rtcMaxPort cannot be less than rtcMinPort');
}

/** Throws TypeError unless `value` is undefined or an integer in [min, max]. */
function checkInteger(name: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max}`);
  }
}

const TCP_LIMIT_OPTIONS = [
  'tsfuMaxTcpConnections',
  'tsfuMaxPendingTcpConnectionsPerIp',
  'tsfuTcpAuthTimeoutMs',
  'tsfuTcpFirstFrameTimeoutMs',
] as const;

/** The TCP limits of a listenInfo (TypeError on bad values, or on a UDP listenInfo). */
export function validateListenInfoLimits(info: TransportListenInfo): void {
  if (info.protocol !== 'tcp') {
    for (const name of TCP_LIMIT_OPTIONS) {
      if (info[name] !== undefined) throw new TypeError(`${name} applies to tcp listenInfos only`);
    }
    return;
  }
  checkInteger('tsfuMaxTcpConnections', info.tsfuMaxTcpConnections, 1, 1_000_000);
  checkInteger('tsfuMaxPendingTcpConnectionsPerIp', info.tsfuMaxPendingTcpConnectionsPerIp, 1, 1_000_000);
  checkInteger('tsfuTcpAuthTimeoutMs', info.tsfuTcpAuthTimeoutMs, 1, 3_600_000);
  checkInteger('tsfuTcpFirstFrameTimeoutMs', info.tsfuTcpFirstFrameTimeoutMs, 1, 3_600_000);
}

/** The limits among `createWorker()` settings (TypeError on bad values). */
export function validateWorkerLimits(settings: WorkerSettings): void {
  checkInteger('tsfuMaxIceTuplesPerTransport', settings.tsfuMaxIceTuplesPerTransport, 1, 64);
  checkInteger('tsfuMaxParkedPackets', settings.tsfuMaxParkedPackets, 0, 65_536);
  checkInteger('tsfuMaxTransports', settings.tsfuMaxTransports, 1, 1_000_000);
}
