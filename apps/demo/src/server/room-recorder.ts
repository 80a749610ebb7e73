/**
 * "Record this room": every producer of the room, while recording, is
 * consumed into its own PlainTransport (`rtcpMux: false`, toward 127.0.0.1)
 * and written by its own ffmpeg (`-c copy`, no transcoding) into one file per
 * producer — `<recordDir>/<room>-<time>/<name>-<peer>-<source>.webm` (`.mkv`
 * for H264). ffmpeg reads the SDP `plainRtpSdp()` builds from the consumer's
 * parameters; the consumer starts paused and is resumed once ffmpeg has bound
 * its ports, so the first packet it gets is the keyframe the resume asks for.
 * Stopping sends ffmpeg SIGINT (it finishes the file), then SIGKILL if it
 * lingers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Consumer, PlainTransport, Producer, Router, RtpCapabilities } from '@tsfu/sfu';
import { mediaCodecOf, plainRtpSdp } from '@tsfu/sfu/testing';

export interface RecordingConfig {
  /** Where each recording's folder goes. */
  dir: string;
  /** The ffmpeg binary. */
  ffmpeg: string;
}

interface Track {
  transport: PlainTransport;
  consumer?: Consumer;
  ffmpeg?: ChildProcess;
  exited?: Promise<void>;
  /** Checks that the file grows (see `STALL_CHECK_MS`). */
  watchdog?: NodeJS.Timeout;
}

const STOP_GRACE_MS = 5000;
const BIND_WAIT_MS = 5000;
/**
 * ffmpeg's VP8 depacketizer drops every frame after a broken picture sequence (a datagram its socket
 * lost: "Missed a picture, sequence broken") until a keyframe, and asks for none: a camera file then
 * stopped growing for good while the consumer kept sending (seen in test/e2e/demo-record.test.ts on
 * this loaded machine). A video file that did not grow over this period gets a keyframe request.
 */
const STALL_CHECK_MS = 1500;

/** Local UDP ports bound now (Linux /proc/net/udp), or undefined where that file does not exist. */
function boundUdpPorts(): Set<number> | undefined {
  try {
    const text = readFileSync('/proc/net/udp', 'utf8');
    return new Set(
      text
        .split('\n')
        .slice(1)
        .flatMap((l) => {
          const hex = l.trim().split(/\s+/)[1]?.split(':')[1];
          return hex ? [Number.parseInt(hex, 16)] : [];
        }),
    );
  } catch {
    return undefined;
  }
}

/** Until ffmpeg has bound `ports` (bounded; returns at once where /proc is missing). */
async function untilBound(ports: number[], child: ChildProcess): Promise<void> {
  const deadline = Date.now() + BIND_WAIT_MS;
  for (;;) {
    const bound = boundUdpPorts();
    if (!bound || ports.every((p) => bound.has(p)) || child.exitCode !== null || Date.now() > deadline)
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function bindUdp(port: number): Promise<Socket | undefined> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

/** A free even port and the next one on 127.0.0.1 (ffmpeg takes RTCP on RTP + 1), released for ffmpeg. */
async function freePortPair(): Promise<[number, number]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const p = 20_000 + 2 * Math.floor(Math.random() * 20_000);
    const a = await bindUdp(p);
    if (!a) continue;
    const b = await bindUdp(p + 1);
    a.close();
    if (!b) continue;
    b.close();
    return [p, p + 1];
  }
  throw new Error('no free UDP port pair for ffmpeg');
}

/** A name safe in a file name. */
export const fileLabel = (text: string) => text.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'peer';

export class RoomRecorder {
  /** The files being (or that were) written. */
  readonly files: string[] = [];
  private readonly tracks = new Map<string, Track>();
  private stopped = false;

  private constructor(
    private readonly router: Router,
    readonly folder: string,
    private readonly config: RecordingConfig,
    private readonly log: (line: string) => void,
  ) {}

  /** Makes the recording's folder. */
  static async start(
    router: Router,
    roomId: string,
    config: RecordingConfig,
    log: (line: string) => void,
  ): Promise<RoomRecorder> {
    const folder = join(config.dir, `${roomId}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    await mkdir(folder, { recursive: true });
    return new RoomRecorder(router, folder, config, log);
  }

  /** Starts recording one producer into `<label>.webm` (or `.mkv`); a failure is logged, not thrown. */
  async add(producer: Producer, label: string): Promise<void> {
    if (this.stopped || producer.closed || this.tracks.has(producer.id)) return;
    try {
      await this.record(producer, label);
    } catch (error) {
      this.log(`record: ${label} failed: ${error instanceof Error ? error.message : error}`);
      await this.stopTrack(producer.id);
    }
  }

  /** Stops every ffmpeg (each finishes its file) and closes the transports; the files written. */
  async stop(): Promise<string[]> {
    this.stopped = true;
    await Promise.all([...this.tracks.keys()].map((id) => this.stopTrack(id)));
    return this.files;
  }

  private async record(producer: Producer, label: string): Promise<void> {
    const transport = await this.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
    });
    const track: Track = { transport };
    this.tracks.set(producer.id, track);
    const [port, rtcpPort] = await freePortPair();
    if (!this.tracks.has(producer.id)) return; // stopped meanwhile: the transport is closed
    await transport.connect({ ip: '127.0.0.1', port, rtcpPort });
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: withoutFeedbackFromReceiver(this.router.rtpCapabilities),
      paused: true,
    });
    track.consumer = consumer;
    consumer.on('producerclose', () => void this.stopTrack(producer.id));
    if (!this.tracks.has(producer.id)) return;
    const ext = /h264/i.test(mediaCodecOf(consumer.rtpParameters).mimeType) ? 'mkv' : 'webm';
    const file = join(this.folder, `${label}.${ext}`);
    const sdp = join(this.folder, `${label}.sdp`);
    const stream = { kind: consumer.kind, rtpParameters: consumer.rtpParameters, port, rtcpPort };
    await writeFile(sdp, plainRtpSdp({ ip: '127.0.0.1', streams: [stream], name: label }));
    if (!this.tracks.has(producer.id)) return;
    const ffmpeg = spawn(
      this.config.ffmpeg,
      [
        ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
        ...['-protocol_whitelist', 'file,udp,rtp', '-i', sdp, '-map', '0', '-c', 'copy'],
        // A cluster a second, written out at once: the file grows as it records (and survives a crash).
        ...['-cluster_time_limit', '1000', '-flush_packets', '1', '-y', file],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let errors = '';
    ffmpeg.stderr?.on('data', (chunk: Buffer) => {
      errors = (errors + chunk.toString('utf8')).slice(-2000);
    });
    track.ffmpeg = ffmpeg;
    track.exited = new Promise((resolve) => {
      ffmpeg.on('error', (err) => {
        errors += err.message;
        resolve();
      });
      ffmpeg.on('exit', (code, signal) => {
        if (code !== 0 && signal === null)
          this.log(`record: ffmpeg for ${label} exited ${code}: ${errors.trim()}`);
        resolve();
      });
    });
    this.files.push(file);
    await untilBound([port, rtcpPort], ffmpeg);
    if (this.tracks.has(producer.id) && !consumer.closed) await consumer.resume();
    if (consumer.kind === 'video' && this.tracks.has(producer.id)) {
      let lastSize = -1;
      track.watchdog = setInterval(() => {
        let size = 0;
        try {
          size = statSync(file).size;
        } catch {
          // not written yet
        }
        if (size === lastSize && !consumer.closed && !consumer.paused)
          void consumer.requestKeyFrame().catch(() => {});
        lastSize = size;
      }, STALL_CHECK_MS);
    }
  }

  private async stopTrack(producerId: string): Promise<void> {
    const track = this.tracks.get(producerId);
    if (!track) return;
    this.tracks.delete(producerId);
    clearInterval(track.watchdog);
    const { ffmpeg, exited } = track;
    if (!ffmpeg || !exited || ffmpeg.exitCode !== null || ffmpeg.signalCode !== null) {
      track.transport.close();
      return;
    }
    // SIGINT first, the transport after: ffmpeg finishes the file (cues, duration) as it stops.
    ffmpeg.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), STOP_GRACE_MS);
    });
    if ((await Promise.race([exited, late])) === 'late') ffmpeg.kill('SIGKILL');
    clearTimeout(timer);
    await exited;
    track.transport.close();
  }
}

/**
 * The router's capabilities as ffmpeg receives: no transport-cc or REMB (ffmpeg sends neither), so the
 * transport estimates nothing and the consumer stays on the top layer, not on what an initial estimate
 * that never moves allows (a layer switch mid-file for nothing).
 */
function withoutFeedbackFromReceiver(caps: RtpCapabilities): RtpCapabilities {
  const bwe = (type: string) => type === 'transport-cc' || type === 'goog-remb';
  return {
    ...caps,
    codecs: caps.codecs?.map((c) => ({ ...c, rtcpFeedback: c.rtcpFeedback?.filter((fb) => !bwe(fb.type)) })),
    headerExtensions: caps.headerExtensions?.filter(
      (e) => e.uri !== 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    ),
  };
}
