/**
 * Spreading a big room over the workers: one router is one worker thread, so
 * once a room has more than `afterPeers` peers, the receive transports of the
 * peers who join after that go on consumer routers of the room on the other
 * workers (the least-loaded first), and each producer they consume is piped
 * there once from the room's router (`pipeToRouter`, over shared memory:
 * both routers are in this process). Producers, the active-speaker observer
 * and recording stay on the room's router; the fan-out to the late peers runs
 * on the other cores.
 */
import type { Router, RouterRtpCodecCapability } from '@tsfu/sfu';
import type { WorkerSlot } from './room.js';

export class RoomSpread {
  private readonly routers = new Map<WorkerSlot, Promise<Router>>();
  /** `${routerId}:${producerId}` → the pipe, made once. */
  private readonly piped = new Map<string, Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly main: Router,
    private readonly mainSlot: WorkerSlot,
    private readonly slots: () => readonly WorkerSlot[],
    readonly afterPeers: number,
    private readonly mediaCodecs: RouterRtpCodecCapability[],
  ) {}

  /** Where the receive transport of the room's `ordinal`-th peer (1-based) goes. */
  async recvHome(ordinal: number): Promise<{ router: Router; slot: WorkerSlot }> {
    const others = this.slots().filter((s) => s !== this.mainSlot && !s.worker.closed);
    if (ordinal <= this.afterPeers || others.length === 0 || this.closed) {
      return { router: this.main, slot: this.mainSlot };
    }
    const slot = others.reduce((best, s) => (s.peers < best.peers ? s : best));
    let router = this.routers.get(slot);
    if (!router) {
      router = slot.worker.createRouter({
        mediaCodecs: this.mediaCodecs,
        appData: { consumerRouterOf: this.main.id },
      });
      this.routers.set(slot, router);
      router.catch(() => this.routers.delete(slot));
    }
    return { router: await router, slot };
  }

  /** Makes the room's producer consumable on `router` (a consumer router): piped once. */
  async ensureConsumable(producerId: string, router: Router): Promise<void> {
    if (router === this.main) return;
    const key = `${router.id}:${producerId}`;
    let pipe = this.piped.get(key);
    if (!pipe) {
      pipe = this.main.pipeToRouter({ producerId, router, tsfuSharedMemory: true });
      this.piped.set(key, pipe);
      pipe.catch(() => this.piped.delete(key));
    }
    await pipe;
  }

  /** The consumer routers now (for stats and tests). */
  async consumerRouters(): Promise<Router[]> {
    return Promise.all(this.routers.values());
  }

  /** Closes the consumer routers (their pipes and transports with them). */
  close(): void {
    this.closed = true;
    for (const r of this.routers.values()) r.then((router) => router.close()).catch(() => {});
    this.routers.clear();
    this.piped.clear();
  }
}
