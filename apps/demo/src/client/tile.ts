/**
 * One participant's box in the grid: video (or initials while there is
 * none), name, muted badges, and a small stats overlay. Remote tiles also
 * hold the participant's audio element.
 */

export type TileKind = 'main' | 'screen';

export class Tile {
  readonly el: HTMLDivElement;
  readonly video: HTMLVideoElement;
  readonly audio: HTMLAudioElement;
  private readonly stats: HTMLDivElement;
  private readonly badges: HTMLDivElement;
  private micOff = false;
  private camOff = false;
  /** Consumer ids shown here (video, audio), for the stats loop. */
  videoConsumerId: string | undefined;
  audioConsumerId: string | undefined;
  /** The last layer the SFU reported for the video consumer. */
  layer: { spatial?: number; temporal?: number } | undefined;
  /** Called with the spatial layer picked on the tile's quality button (highest = best). */
  onLayerPick: ((spatialLayer: number) => void) | undefined;
  private readonly layerButton: HTMLButtonElement;
  private spatialLayers = 1;
  private pickedLayer = 0;

  constructor(
    readonly peerId: string,
    readonly kind: TileKind,
    readonly displayName: string,
    readonly local: boolean,
  ) {
    this.el = document.createElement('div');
    this.el.className = `tile ${local ? 'local' : 'remote'} ${kind}`;
    this.el.dataset.peerId = peerId;
    this.el.dataset.source = kind;
    this.el.dataset.name = displayName;

    const avatar = document.createElement('div');
    avatar.className = 'avatar';
    avatar.textContent = initials(displayName);
    avatar.style.background = colorFor(displayName);

    this.video = document.createElement('video');
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.muted = true; // sound goes through the audio element
    this.video.addEventListener('resize', () =>
      this.el.classList.toggle('has-video', this.video.videoWidth > 0),
    );

    this.audio = document.createElement('audio');
    this.audio.autoplay = true;

    const label = document.createElement('div');
    label.className = 'label';
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent =
      kind === 'screen' ? `${displayName} · screen` : local ? `${displayName} (you)` : displayName;
    this.badges = document.createElement('div');
    this.badges.className = 'badges';
    label.append(name, this.badges);

    this.stats = document.createElement('div');
    this.stats.className = 'stats';

    // Simulcast: which spatial layer this page wants of that camera (the SFU forwards at most that one).
    this.layerButton = document.createElement('button');
    this.layerButton.type = 'button';
    this.layerButton.className = 'layer-button';
    this.layerButton.hidden = true;
    this.layerButton.title = 'Quality you receive (simulcast layer)';
    this.layerButton.addEventListener('click', () => {
      this.pickedLayer = (this.pickedLayer + this.spatialLayers - 1) % this.spatialLayers;
      this.showPickedLayer();
      this.onLayerPick?.(this.pickedLayer);
    });

    this.el.append(avatar, this.video, this.audio, label, this.stats, this.layerButton);
  }

  /** Shows the quality button for a video with `count` spatial layers (hidden for 1). */
  setSpatialLayers(count: number): void {
    this.spatialLayers = count;
    this.pickedLayer = count - 1;
    this.layerButton.hidden = count < 2;
    this.showPickedLayer();
  }

  private showPickedLayer(): void {
    const names = this.spatialLayers === 3 ? ['low', 'medium', 'high'] : ['low', 'high'];
    this.layerButton.textContent = names[this.pickedLayer] ?? `S${this.pickedLayer}`;
    this.layerButton.dataset.layer = String(this.pickedLayer);
  }

  setVideoTrack(track: MediaStreamTrack | undefined): void {
    this.video.srcObject = track ? new MediaStream([track]) : null;
    if (track) void this.video.play().catch((error) => console.debug('video play() refused:', error));
    else {
      this.el.classList.remove('has-video');
      this.setSpatialLayers(1);
    }
  }

  setAudioTrack(track: MediaStreamTrack | undefined): void {
    this.audio.srcObject = track ? new MediaStream([track]) : null;
    if (track) void this.audio.play().catch((error) => console.debug('audio play() refused:', error));
  }

  setMuted(what: 'mic' | 'cam', off: boolean): void {
    if (what === 'mic') this.micOff = off;
    else this.camOff = off;
    this.el.classList.toggle('cam-off', this.camOff);
    this.badges.replaceChildren(
      ...[this.micOff ? 'mic off' : '', this.camOff ? 'cam off' : '']
        .filter(Boolean)
        .map((t) => Object.assign(document.createElement('span'), { className: 'badge', textContent: t })),
    );
  }

  /** The room's dominant speaker is this tile's peer: a highlight around it (`.speaking`). */
  setSpeaking(on: boolean): void {
    this.el.classList.toggle('speaking', on);
  }

  setStats(text: string): void {
    this.stats.textContent = text;
  }
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return ((words[0]?.[0] ?? '?') + (words.length > 1 ? words[words.length - 1][0] : '')).toUpperCase();
}

function colorFor(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h} 45% 38%)`;
}
