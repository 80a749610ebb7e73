/**
 * The page: a join form, then the room — a grid of tiles (you first), the
 * controls (mic, camera, screen, leave) and the server panel. Media and
 * signalling live in RoomClient; this file only draws.
 */
import type { MediaSource, ServerStats } from '../signalling/protocol.js';
import { ChatPanel } from './chat-panel.js';
import { type RemoteTrack, RoomClient } from './room-client.js';
import { type ByteSample, formatFigures, readFigures } from './rtc-figures.js';
import { Tile } from './tile.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const joinForm = $<HTMLFormElement>('join-form');
const roomInput = $<HTMLInputElement>('room-input');
const nameInput = $<HTMLInputElement>('name-input');
const joinError = $<HTMLParagraphElement>('join-error');
const lobby = $<HTMLElement>('lobby');
const roomView = $<HTMLElement>('room');
const roomTitle = $<HTMLElement>('room-title');
const grid = $<HTMLElement>('grid');
const micButton = $<HTMLButtonElement>('mic-button');
const camButton = $<HTMLButtonElement>('cam-button');
const screenButton = $<HTMLButtonElement>('screen-button');
const recordButton = $<HTMLButtonElement>('record-button');
const leaveButton = $<HTMLButtonElement>('leave-button');
const panel = $<HTMLElement>('server-panel');
const toast = $<HTMLElement>('toast');
const chat = new ChatPanel($<HTMLElement>('chat-panel'), (text) => client?.sendChat(text) ?? false);

const params = new URLSearchParams(location.search);
roomInput.value = params.get('room') ?? 'lobby';
nameInput.value =
  params.get('name') ??
  localStorage.getItem('tsfu-demo-name') ??
  `Guest ${Math.floor(100 + Math.random() * 900)}`;

let client: RoomClient | undefined;
const tiles = new Map<string, Tile>(); // `${peerId}:${kind}`
const names = new Map<string, string>();
const samples = new Map<Tile, ByteSample>();
let statsTimer: number | undefined;
let myName = '';
/** The room's dominant speaker, as the server last said: its main tile is highlighted. */
let speakerPeerId: string | null = null;
/** Cluster mode: the nodes' page URLs (from the last join) and the one this page is joined through. */
let clusterNodes: string[] = [];
let currentNode = new URL('/', location.href).href;

function tileFor(peerId: string, kind: 'main' | 'screen', local = false): Tile {
  const key = `${peerId}:${kind}`;
  let tile = tiles.get(key);
  if (!tile) {
    tile = new Tile(peerId, kind, local ? myName : (names.get(peerId) ?? peerId), local);
    tile.setSpeaking(kind === 'main' && peerId === speakerPeerId);
    if (local && kind === 'main') grid.prepend(tile.el);
    tiles.set(key, tile);
    if (!tile.el.parentElement) grid.append(tile.el);
    layoutGrid();
  }
  return tile;
}

function removeTile(peerId: string, kind: 'main' | 'screen'): void {
  const key = `${peerId}:${kind}`;
  const tile = tiles.get(key);
  if (!tile) return;
  tile.setVideoTrack(undefined);
  tile.setAudioTrack(undefined);
  tile.el.remove();
  tiles.delete(key);
  samples.delete(tile);
  layoutGrid();
}

/** Moves the highlight to the speaker's main tile (yours too), or clears it. */
function showSpeaker(peerId: string | null): void {
  speakerPeerId = peerId;
  for (const tile of tiles.values()) tile.setSpeaking(tile.kind === 'main' && tile.peerId === peerId);
}

/** Columns for n tiles: 1, 2, 2, 2, 3, 3, … so tiles stay large. */
function layoutGrid(): void {
  const n = Math.max(1, tiles.size);
  grid.style.setProperty('--cols', String(n === 1 ? 1 : n <= 4 ? 2 : n <= 9 ? 3 : 4));
}

function showToast(text: string): void {
  toast.textContent = text;
  toast.classList.add('show');
  setTimeout(() => toast.classList.remove('show'), 5000);
}

function renderPanel(s: ServerStats): void {
  const rows = [
    ['rooms', s.rooms],
    ['peers', s.peers],
    ['producers', s.producers],
    ['consumers', s.consumers],
  ]
    .map(([k, v]) => `<div class="kv"><span>${k}</span><b>${v}</b></div>`)
    .join('');
  const workers = s.workers
    .map(
      (w, i) =>
        `<div class="worker"><span>worker ${i}</span><span>${w.routers} room${w.routers === 1 ? '' : 's'}, ${w.peers} peer${w.peers === 1 ? '' : 's'}</span><span class="cpu"><i style="width:${Math.min(100, w.cpuPercent)}%"></i></span><b>${w.cpuPercent.toFixed(1)}%</b></div>`,
    )
    .join('');
  panel.innerHTML = `<h2>Server</h2>${rows}<h3>Workers · CPU</h3>${workers}<p class="muted">CPU: getResourceUsage(), process-wide (workers are threads) · up ${formatUptime(s.uptimeSeconds)}</p>`;
}

function formatUptime(s: number): string {
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m ${s % 60}s`
      : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function syncButtons(): void {
  if (!client) return;
  const mic = client.hasProducer('mic');
  const cam = client.hasProducer('webcam');
  micButton.disabled = !mic;
  camButton.disabled = !cam;
  micButton.classList.toggle('off', mic && client.isPaused('mic'));
  camButton.classList.toggle('off', cam && client.isPaused('webcam'));
  micButton.textContent = mic && client.isPaused('mic') ? 'Unmute' : 'Mute';
  camButton.textContent = cam && client.isPaused('webcam') ? 'Start video' : 'Stop video';
  screenButton.textContent = client.hasProducer('screen') ? 'Stop sharing' : 'Share screen';
  screenButton.classList.toggle('on', client.hasProducer('screen'));
  recordButton.hidden = !client.recordingAvailable;
  recordButton.textContent = client.recording ? 'Stop recording' : 'Record room';
  recordButton.classList.toggle('on', client.recording);
  document.body.dataset.recording = client.recording ? 'on' : 'off';
}

async function updateStats(): Promise<void> {
  if (!client) return;
  for (const tile of tiles.values()) {
    let report: RTCStatsReport | undefined;
    try {
      report = tile.local
        ? await client.producerStats(tile.kind === 'screen' ? 'screen' : 'webcam')
        : tile.videoConsumerId
          ? await client.consumerStats(tile.videoConsumerId)
          : undefined;
    } catch (error) {
      // The producer or consumer closed between two refreshes: the tile shows no stats.
      console.debug('stats unavailable:', error);
      report = undefined;
    }
    if (!report) {
      tile.setStats('');
      continue;
    }
    const { figures, sample } = readFigures(report, tile.local ? 'outbound' : 'inbound', samples.get(tile));
    samples.set(tile, sample);
    let text = formatFigures(figures);
    if (tile.local && figures.activeLayers !== undefined)
      text += ` · ${figures.activeLayers} layer${figures.activeLayers === 1 ? '' : 's'} out`;
    if (!tile.local && tile.layer?.spatial !== undefined)
      text += ` · layer S${tile.layer.spatial}T${tile.layer.temporal ?? 0}`;
    tile.setStats(text);
  }
}

/** `L3T3` → 3 spatial layers (the SFU turns a simulcast producer into spatial layers of one encoding). */
function spatialLayersOf(scalabilityMode: string | undefined): number {
  const m = /^L(\d+)T\d+/.exec(scalabilityMode ?? '');
  return m ? Number(m[1]) : 1;
}

function sourceTile(peerId: string, source: MediaSource): Tile {
  return tileFor(peerId, source === 'screen' ? 'screen' : 'main');
}

/** `ws(s)://host:port/ws` of a node's page URL. */
function socketUrlOf(pageUrl: string): string {
  const u = new URL('ws', pageUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.href;
}

/**
 * Cluster mode: the node this page was joined through is gone (its socket
 * closed without a goodbye): join the same room through another live node,
 * then the same one last (it may be back). A few rounds, then give up.
 */
async function rejoinThroughAnotherNode(roomId: string, displayName: string, failed: string): Promise<void> {
  document.body.dataset.state = 'reconnecting';
  const host = (u: string) => new URL(u).host;
  const candidates = [...clusterNodes.filter((u) => host(u) !== host(failed)), failed];
  for (let round = 0; round < 5; round++) {
    for (const node of candidates) {
      if (await join(roomId, displayName, node)) {
        document.body.dataset.reconnects = String(Number(document.body.dataset.reconnects ?? 0) + 1);
        showToast(`Reconnected through ${new URL(node).host}`);
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1000 * (round + 1)));
  }
  joinError.textContent = 'Disconnected: no node of the cluster answers';
}

/** Joins (through `node`, a page URL, in cluster mode); true once in the room. */
async function join(roomId: string, displayName: string, node?: string): Promise<boolean> {
  localStorage.setItem('tsfu-demo-name', displayName);
  names.clear();
  chat.clear();
  myName = displayName;
  const c = new RoomClient({
    peerJoined(peerId, name) {
      names.set(peerId, name);
      tileFor(peerId, 'main');
    },
    peerLeft(peerId) {
      removeTile(peerId, 'main');
      removeTile(peerId, 'screen');
    },
    trackAdded(t: RemoteTrack) {
      const tile = sourceTile(t.peerId, t.source);
      if (t.consumer.kind === 'audio') {
        tile.audioConsumerId = t.consumer.id;
        tile.setAudioTrack(t.consumer.track);
        tile.setMuted('mic', t.producerPaused);
      } else {
        tile.videoConsumerId = t.consumer.id;
        tile.setVideoTrack(t.consumer.track);
        tile.setMuted('cam', t.producerPaused);
        tile.setSpatialLayers(spatialLayersOf(t.consumer.rtpParameters.encodings?.[0]?.scalabilityMode));
        tile.onLayerPick = (spatialLayer) => {
          c.setPreferredLayers(t.consumer.id, spatialLayer).catch((e: Error) =>
            showToast(`Quality: ${e.message}`),
          );
        };
      }
    },
    trackRemoved(t: RemoteTrack) {
      if (t.source === 'screen') {
        removeTile(t.peerId, 'screen');
        return;
      }
      const tile = tiles.get(`${t.peerId}:main`);
      if (!tile) return;
      if (t.consumer.kind === 'audio' && tile.audioConsumerId === t.consumer.id) {
        tile.audioConsumerId = undefined;
        tile.setAudioTrack(undefined);
      }
      if (t.consumer.kind === 'video' && tile.videoConsumerId === t.consumer.id) {
        tile.videoConsumerId = undefined;
        tile.setVideoTrack(undefined);
      }
    },
    producerPausedChanged(peerId, source, paused) {
      if (source === 'screen') return;
      sourceTile(peerId, source).setMuted(source === 'mic' ? 'mic' : 'cam', paused);
    },
    layersChanged(consumerId, spatial, temporal) {
      for (const tile of tiles.values()) {
        if (tile.videoConsumerId === consumerId) tile.layer = { spatial, temporal };
      }
    },
    localTrack(source, track) {
      const me = c.peerId;
      if (source === 'mic') return;
      if (source === 'screen') {
        if (track) tileFor(me, 'screen', true).setVideoTrack(track);
        else removeTile(me, 'screen');
      } else {
        tileFor(me, 'main', true).setVideoTrack(track);
      }
      syncButtons();
    },
    activeSpeakerChanged: showSpeaker,
    serverStats: renderPanel,
    chatMessage(peerId, text) {
      chat.add(names.get(peerId) ?? peerId, text);
    },
    recordingChanged(recording, by) {
      const who = by === c.peerId ? 'You' : (names.get(by) ?? by);
      showToast(`${who} ${recording ? 'started' : 'stopped'} recording this room`);
      syncButtons();
    },
    closed(reason) {
      clearInterval(statsTimer);
      speakerPeerId = null;
      for (const key of [...tiles.keys()]) {
        const [peerId, kind] = key.split(':') as [string, 'main' | 'screen'];
        removeTile(peerId, kind);
      }
      client = undefined;
      roomView.hidden = true;
      lobby.hidden = false;
      document.body.dataset.state = 'lobby';
      if (reason !== 'left') joinError.textContent = `Disconnected: ${reason}`;
      // Joined through a cluster node that went away: try the others.
      if (reason !== 'left' && joined && clusterNodes.length > 1) {
        setTimeout(() => void rejoinThroughAnotherNode(roomId, displayName, node ?? currentNode), 0);
      }
    },
    warning: showToast,
  });
  client = c;
  roomTitle.textContent = roomId;
  lobby.hidden = true;
  roomView.hidden = false;
  document.body.dataset.state = 'joining';
  history.replaceState(null, '', `?room=${encodeURIComponent(roomId)}`);
  let joined = false;
  try {
    await c.join(roomId, displayName, node ? socketUrlOf(node) : undefined);
    joined = true;
    currentNode = node ?? new URL('/', location.href).href;
    if (c.nodes.length > 0) clusterNodes = c.nodes;
    document.body.dataset.node = new URL(currentNode).host;
    // Without a camera there is no local track: show the initials tile anyway.
    tileFor(c.peerId, 'main', true);
    document.body.dataset.state = 'joined';
    syncButtons();
    statsTimer = window.setInterval(() => void updateStats(), 1000);
    return true;
  } catch (error) {
    joinError.textContent = `Could not join: ${(error as Error).message}`;
    await c.leave();
    return false;
  }
}

joinForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  joinError.textContent = '';
  const roomId = roomInput.value.trim();
  const displayName = nameInput.value.trim();
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(roomId)) {
    joinError.textContent = 'Room names use letters, digits, - and _ (up to 64).';
    return;
  }
  if (!displayName || displayName.length > 40) {
    joinError.textContent = 'Enter a display name (up to 40 characters).';
    return;
  }
  void join(roomId, displayName);
});

micButton.addEventListener('click', () => {
  if (!client) return;
  void client.setPaused('mic', !client.isPaused('mic')).finally(() => {
    tiles.get(`${client?.peerId}:main`)?.setMuted('mic', client?.isPaused('mic') ?? false);
    syncButtons();
  });
});

camButton.addEventListener('click', () => {
  if (!client) return;
  void client.setPaused('webcam', !client.isPaused('webcam')).finally(() => {
    tiles.get(`${client?.peerId}:main`)?.setMuted('cam', client?.isPaused('webcam') ?? false);
    syncButtons();
  });
});

screenButton.addEventListener('click', () => {
  if (!client) return;
  const c = client;
  const action = c.hasProducer('screen') ? c.stopScreenShare() : c.startScreenShare();
  action.catch((error: Error) => showToast(`Screen sharing: ${error.message}`)).finally(syncButtons);
});

recordButton.addEventListener('click', () => {
  if (!client) return;
  recordButton.disabled = true;
  client
    .setRecording(!client.recording)
    .catch((error: Error) => showToast(`Recording: ${error.message}`))
    .finally(() => {
      recordButton.disabled = false;
      syncButtons();
    });
});

leaveButton.addEventListener('click', () => void client?.leave());
window.addEventListener('pagehide', () => void client?.leave());

document.body.dataset.state = 'lobby';
