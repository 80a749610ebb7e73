/**
 * Lifecycles, close cascades, events, errors and dump shapes of Worker,
 * WebRtcServer, Router and WebRtcTransport (threads are real: the built
 * `dist/` entry scripts run under worker_threads).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DtlsCertificate } from '@tsfu/dtls';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerClosedError } from '../errors.js';
import { createWorker, observer, type Worker } from '../index.js';

/** A well-formed remote sha-256 fingerprint (connect() checks the format). */
const REMOTE_SHA256 = Array.from({ length: 32 }, () => 'AA').join(':');

const workers: Worker[] = [];
afterAll(() => {
  for (const w of workers) w.close();
});

async function newWorker(): Promise<Worker> {
  const w = await createWorker({ logLevel: 'warn', appData: { n: 1 } });
  workers.push(w);
  return w;
}

const opus = [{ kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 }];

describe('createWorker', () => {
  it.each([
    ['bad logLevel', { logLevel: 'loud' }],
    ['logTags not an array', { logTags: 'ice' }],
    ['appData not an object', { appData: 'x' }],
    ['certificate without key', { dtlsCertificateFile: '/tmp/x.pem' }],
  ])('rejects %s with TypeError', async (_name, settings) => {
    await expect(createWorker(settings as never)).rejects.toBeInstanceOf(TypeError);
  });

  it('rejects unreadable certificate files', async () => {
    await expect(
      createWorker({ dtlsCertificateFile: '/nonexistent/c.pem', dtlsPrivateKeyFile: '/nonexistent/k.pem' }),
    ).rejects.toThrow(/wrong settings/);
  });

  it('uses dtlsCertificateFile/dtlsPrivateKeyFile: the transport fingerprints are that certificate', async () => {
    const cert = await DtlsCertificate.generate();
    const dir = mkdtempSync(join(tmpdir(), 'tsfu-sfu-'));
    try {
      writeFileSync(join(dir, 'cert.pem'), cert.certificatePem);
      writeFileSync(join(dir, 'key.pem'), cert.privateKeyPem);
      const w = await createWorker({
        dtlsCertificateFile: join(dir, 'cert.pem'),
        dtlsPrivateKeyFile: join(dir, 'key.pem'),
      });
      workers.push(w);
      const router = await w.createRouter();
      const t = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] });
      const sha256 = cert.fingerprints().find((f) => f.algorithm === 'sha-256');
      expect(t.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256')?.value).toBe(
        sha256?.value.toUpperCase(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('workers without certificate files share one generated certificate; files give a worker its own', async () => {
    const sha256 = async (w: Worker) => {
      const router = await w.createRouter();
      const t = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] });
      return t.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256')?.value;
    };
    const [a, b] = [await newWorker(), await newWorker()];
    expect(await sha256(a)).toMatch(/^[0-9A-F:]{95}$/);
    expect(await sha256(b)).toBe(await sha256(a));
  });

  it.each([
    ['rtcMinPort above rtcMaxPort', { rtcMinPort: 1000, rtcMaxPort: 999 }],
    ['rtcMaxPort above 65535', { rtcMinPort: 1000, rtcMaxPort: 65536 }],
    ['a fractional rtcMinPort', { rtcMinPort: 1000.5 }],
  ])('rejects %s with TypeError (as mediasoup-worker)', async (_name, settings) => {
    await expect(createWorker(settings)).rejects.toBeInstanceOf(TypeError);
  });

  it('binds a listen info without port or portRange in rtcMinPort..rtcMaxPort', async () => {
    const w = await createWorker({ rtcMinPort: 47100, rtcMaxPort: 47199 });
    workers.push(w);
    const router = await w.createRouter();
    const t = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    expect(t.iceCandidates[0].port).toBeGreaterThanOrEqual(47100);
    expect(t.iceCandidates[0].port).toBeLessThanOrEqual(47199);
  });

  it('emits newworker; pid is process.pid; dump and resource usage have mediasoup shapes', async () => {
    const seen: Worker[] = [];
    const onNew = (w: Worker) => seen.push(w);
    observer.on('newworker', onNew);
    const w = await newWorker();
    observer.off('newworker', onNew);
    expect(seen).toEqual([w]);
    expect(w.pid).toBe(process.pid);
    expect(w.closed).toBe(false);
    expect(w.died).toBe(false);
    expect(w.subprocessClosed).toBe(false);
    expect(w.appData).toEqual({ n: 1 });
    const dump = await w.dump();
    expect(dump).toMatchObject({ pid: process.pid, webRtcServerIds: [], routerIds: [] });
    expect(dump.channelMessageHandlers).toEqual({
      channelRequestHandlers: [],
      channelNotificationHandlers: [],
    });
    const ru = await w.getResourceUsage();
    expect(Object.keys(ru)).toHaveLength(16);
    expect(ru.ru_utime).toBeGreaterThan(0);
    await w.updateSettings({ logLevel: 'debug', logTags: ['ice'] });
    await expect(w.updateSettings({ logLevel: 'x' as never })).rejects.toBeInstanceOf(TypeError);
  });
});

describe('object lifecycles and cascades', () => {
  it('worker.close(): routers and servers get workerclose, transports routerclose, observers close, calls reject', async () => {
    const w = await newWorker();
    const events: string[] = [];
    w.observer.on('newrouter', () => events.push('newrouter'));
    w.observer.on('newwebrtcserver', () => events.push('newwebrtcserver'));
    const server = await w.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }],
    });
    const router = await w.createRouter({ mediaCodecs: opus });
    router.observer.on('newtransport', () => events.push('newtransport'));
    server.observer.on('webrtctransporthandled', () => events.push('handled'));
    const t = await router.createWebRtcTransport({ webRtcServer: server });
    expect(events).toEqual(['newwebrtcserver', 'newrouter', 'newtransport', 'handled']);
    expect((await w.dump()).routerIds).toEqual([router.id]);
    expect((await w.dump()).webRtcServerIds).toEqual([server.id]);
    expect((await router.dump()).transportIds).toEqual([t.id]);
    server.on('workerclose', () => events.push('server workerclose'));
    server.observer.on('close', () => events.push('server observer close'));
    router.on('workerclose', () => events.push('router workerclose'));
    router.observer.on('close', () => events.push('router observer close'));
    t.on('routerclose', () => events.push('transport routerclose'));
    t.observer.on('close', () => events.push('transport observer close'));
    w.observer.on('close', () => events.push('worker observer close'));
    const subprocessClosed = new Promise<void>((r) => w.once('subprocessclose', r));
    w.close();
    expect(events.slice(4)).toEqual([
      'transport routerclose',
      'transport observer close',
      'router workerclose',
      'router observer close',
      'server workerclose',
      'server observer close',
      'worker observer close',
    ]);
    expect([w.closed, router.closed, server.closed, t.closed]).toEqual([true, true, true, true]);
    expect(t.iceState).toBe('closed');
    expect(t.dtlsState).toBe('closed');
    await expect(w.dump()).rejects.toBeInstanceOf(WorkerClosedError);
    await expect(w.createRouter()).rejects.toBeInstanceOf(WorkerClosedError);
    await subprocessClosed;
    expect(w.subprocessClosed).toBe(true);
    expect(w.died).toBe(false);
  });

  it('webRtcServer.close(): transports emit listenserverclose and leave the router', async () => {
    const w = await newWorker();
    const server = await w.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }],
    });
    const router = await w.createRouter({ mediaCodecs: opus });
    const t = await router.createWebRtcTransport({ webRtcServer: server });
    const events: string[] = [];
    t.on('listenserverclose', () => events.push('listenserverclose'));
    t.observer.on('close', () => events.push('transport observer close'));
    server.observer.on('webrtctransportunhandled', () => events.push('unhandled'));
    server.observer.on('close', () => events.push('server observer close'));
    server.close();
    expect(events).toEqual([
      'listenserverclose',
      'transport observer close',
      'unhandled',
      'server observer close',
    ]);
    expect(router.transportsForTesting.size).toBe(0);
    expect(w.webRtcServersForTesting.size).toBe(0);
    expect(router.closed).toBe(false);
    await expect(router.createWebRtcTransport({ webRtcServer: server })).rejects.toThrow(/closed/);
  });

  it('router.close(): the WebRtcServer forgets the closed transports (mediasoup 3.27.1 keeps them)', async () => {
    // Found by the hardening probe: one long-lived server and a router per room grew ~11.6 KB a room.
    const w = await newWorker();
    const server = await w.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }],
    });
    const unhandled: string[] = [];
    server.observer.on('webrtctransportunhandled', (t) => unhandled.push(t.id));
    for (let room = 0; room < 3; room++) {
      const router = await w.createRouter({ mediaCodecs: opus });
      const ids = [];
      for (let i = 0; i < 2; i++) ids.push((await router.createWebRtcTransport({ webRtcServer: server })).id);
      expect(server.webRtcTransportsForTesting.size).toBe(2);
      router.close();
      expect(server.webRtcTransportsForTesting.size).toBe(0);
      expect(unhandled.slice(-2)).toEqual(ids);
    }
    expect((await server.dump()).webRtcTransportIds).toEqual([]);
  });

  it('router.close(): transports emit routerclose; dump rejects after', async () => {
    const w = await newWorker();
    const router = await w.createRouter({ mediaCodecs: opus });
    const t = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const events: string[] = [];
    t.on('routerclose', () => events.push('routerclose'));
    router.observer.on('close', () => events.push('router observer close'));
    router.close();
    expect(events).toEqual(['routerclose', 'router observer close']);
    expect(w.routersForTesting.size).toBe(0);
    await expect(router.dump()).rejects.toThrow(/closed/);
    await expect(t.dump()).rejects.toThrow(/closed/);
    expect((await w.dump()).routerIds).toEqual([]);
  });

  it('transport.close() leaves the router; router dump drops it', async () => {
    const w = await newWorker();
    const router = await w.createRouter({ mediaCodecs: opus });
    const t = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'], enableTcp: true });
    expect(t.iceCandidates.map((c) => c.protocol)).toEqual(['udp', 'tcp']);
    const closes: string[] = [];
    t.observer.on('close', () => closes.push('close'));
    t.close();
    t.close();
    expect(closes).toEqual(['close']);
    expect((await router.dump()).transportIds).toEqual([]);
  });
});

describe('createWebRtcTransport', () => {
  it('has mediasoup parameters: iceRole, ice-lite credentials, all fingerprints, role auto; dump shape', async () => {
    const w = await newWorker();
    const router = await w.createRouter({ mediaCodecs: opus });
    const t = await router.createWebRtcTransport({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', announcedAddress: '203.0.113.9' }],
      enableSctp: true,
      numSctpStreams: { OS: 16, MIS: 32 },
      maxSctpMessageSize: 1000,
      appData: { room: 'a' },
    });
    expect(t.type).toBe('webrtc');
    expect(t.iceRole).toBe('controlled');
    expect(t.iceParameters.iceLite).toBe(true);
    expect(t.iceParameters.usernameFragment).toHaveLength(16);
    expect(t.iceParameters.password).toHaveLength(32);
    expect(t.iceCandidates[0]).toMatchObject({ address: '203.0.113.9', protocol: 'udp', type: 'host' });
    expect(t.dtlsParameters.role).toBe('auto');
    expect(t.dtlsParameters.fingerprints.map((f) => f.algorithm)).toEqual([
      'sha-1',
      'sha-224',
      'sha-256',
      'sha-384',
      'sha-512',
    ]);
    expect(t.dtlsParameters.fingerprints[2].value).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(t.iceState).toBe('new');
    expect(t.dtlsState).toBe('new');
    expect(t.iceSelectedTuple).toBeUndefined();
    expect(t.appData).toEqual({ room: 'a' });
    expect(t.numSctpStreams).toEqual({ OS: 16, MIS: 32 });
    expect(t.sctpParameters).toMatchObject({
      OS: 16,
      MIS: 32,
      maxSendMessageSize: 1000,
      maxReceiveMessageSize: 1000,
    });
    expect(t.sctpState).toBe('new');
    const dump = await t.dump();
    expect(dump).toMatchObject({
      id: t.id,
      iceRole: 'controlled',
      iceState: 'new',
      dtlsState: 'new',
      producerIds: [],
      consumerIds: [],
      maxSendMessageSize: 1000,
      iceParameters: t.iceParameters,
      iceCandidates: t.iceCandidates,
      dtlsParameters: t.dtlsParameters,
    });
    const [stats] = await t.getStats();
    expect(stats).toMatchObject({
      type: 'webrtc-transport',
      transportId: t.id,
      iceRole: 'controlled',
      bytesReceived: 0,
    });
    expect(stats.tsfuCounters.srtpAuthFailures).toBe(0);
    await t.setMaxIncomingBitrate(1_000_000);
    expect((await t.getStats())[0].maxIncomingBitrate).toBe(1_000_000);
    await t.connect({
      dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: REMOTE_SHA256 }] },
    });
    await expect(
      t.connect({
        dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: REMOTE_SHA256 }] },
      }),
    ).rejects.toThrow(/already called/);
    await expect(t.connect({} as never)).rejects.toBeInstanceOf(TypeError);
  });

  it.each([
    ['nothing to listen on', {}],
    ['both webRtcServer and listenInfos', { webRtcServer: { id: 'x', closed: false }, listenInfos: [] }],
    ['appData not an object', { listenIps: ['127.0.0.1'], appData: 3 }],
    // Was accepted (hardening probe): 1e10 s overflowed the consent timer into a 1 ms spin.
    ['iceConsentTimeout beyond 255 s', { listenIps: ['127.0.0.1'], iceConsentTimeout: 1e10 }],
    ['iceConsentTimeout not a number', { listenIps: ['127.0.0.1'], iceConsentTimeout: '30' }],
  ])('rejects %s with TypeError', async (_n, options) => {
    const w = await newWorker();
    const router = await w.createRouter();
    await expect(router.createWebRtcTransport(options as never)).rejects.toBeInstanceOf(TypeError);
  });

  it('a second transport cannot take a port another transport listens on', async () => {
    const w = await newWorker();
    const router = await w.createRouter();
    const t = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const port = t.iceCandidates[0].port;
    await expect(
      router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }] }),
    ).rejects.toThrow(/EADDRINUSE|in use/);
  });
});

describe('worker death', () => {
  it('a crashing worker emits died and closes its objects; another worker on the same port keeps working', async () => {
    const a = await newWorker();
    const b = await newWorker();
    const sa = await a.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: 0 }] });
    const port = (await sa.dump()).udpSockets[0].port;
    const sb = await b.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }] });
    const ra = await a.createRouter();
    const ta = await ra.createWebRtcTransport({ webRtcServer: sa });
    const events: string[] = [];
    ra.on('workerclose', () => events.push('router workerclose'));
    sa.on('workerclose', () => events.push('server workerclose'));
    ta.on('routerclose', () => events.push('transport routerclose'));
    const died = new Promise<Error>((r) => a.once('died', r));
    const sub = new Promise<void>((r) => a.once('subprocessclose', r));
    await a.crashForTesting();
    const error = await died;
    await sub;
    expect(error.message).toMatch(/crashForTesting/);
    expect([a.died, a.closed, a.subprocessClosed]).toEqual([true, true, true]);
    expect(events).toEqual(['transport routerclose', 'router workerclose', 'server workerclose']);
    await expect(a.dump()).rejects.toBeInstanceOf(WorkerClosedError);
    // The shared port and the other worker still work.
    const rb = await b.createRouter();
    const tb = await rb.createWebRtcTransport({ webRtcServer: sb });
    expect(tb.iceCandidates[0].port).toBe(port);
    expect((await sb.dump()).udpSockets).toEqual([{ ip: '127.0.0.1', port }]);
  });
});
