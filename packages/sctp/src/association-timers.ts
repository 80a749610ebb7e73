/**
 * The association's timers (RFC 9260 §14: T1-init/cookie, T2-shutdown,
 * T3-rtx, plus the RE-CONFIG and heartbeat timers), each running on the
 * current RTO. One expiry callback is bound per timer at construction, so
 * starting a timer allocates nothing but the Node timeout.
 */
import type { RtoEstimator } from './rto-estimator.js';

/** What each timer does on expiry; the timer has already been cleared. */
export interface TimerHandlers {
  t1(): void;
  t2(): void;
  t3(): void;
  reconfig(): void;
  heartbeat(): void;
}

export class AssociationTimers {
  private t1: NodeJS.Timeout | undefined;
  private t2: NodeJS.Timeout | undefined;
  private t3: NodeJS.Timeout | undefined;
  private tReconfig: NodeJS.Timeout | undefined;
  private tHeartbeat: NodeJS.Timeout | undefined;
  private readonly onT1 = (): void => {
    this.t1 = undefined;
    this.handlers.t1();
  };
  private readonly onT2 = (): void => {
    this.t2 = undefined;
    this.handlers.t2();
  };
  private readonly onT3 = (): void => {
    this.t3 = undefined;
    this.handlers.t3();
  };
  private readonly onTReconfig = (): void => {
    this.tReconfig = undefined;
    this.handlers.reconfig();
  };
  private readonly onTHeartbeat = (): void => {
    this.tHeartbeat = undefined;
    this.handlers.heartbeat();
  };

  constructor(
    private readonly rto: RtoEstimator,
    private readonly handlers: TimerHandlers,
  ) {}

  startT1(): void {
    this.stopT1();
    this.t1 = setTimeout(this.onT1, this.rto.rto);
  }

  stopT1(): void {
    if (this.t1) clearTimeout(this.t1);
    this.t1 = undefined;
  }

  startT2(): void {
    if (this.t2) clearTimeout(this.t2);
    this.t2 = setTimeout(this.onT2, this.rto.rto);
  }

  get t3Running(): boolean {
    return this.t3 !== undefined;
  }

  restartT3(): void {
    if (this.t3) clearTimeout(this.t3);
    this.t3 = setTimeout(this.onT3, this.rto.rto);
  }

  stopT3(): void {
    if (this.t3) clearTimeout(this.t3);
    this.t3 = undefined;
  }

  startReconfig(): void {
    if (this.tReconfig) clearTimeout(this.tReconfig);
    this.tReconfig = setTimeout(this.onTReconfig, this.rto.rto);
  }

  stopReconfig(): void {
    if (this.tReconfig) clearTimeout(this.tReconfig);
    this.tReconfig = undefined;
  }

  /** Next heartbeat after `intervalMs` + RTO (RFC 9260 §8.3); it does not keep Node alive. */
  startHeartbeat(intervalMs: number): void {
    if (intervalMs <= 0) return;
    if (this.tHeartbeat) clearTimeout(this.tHeartbeat);
    this.tHeartbeat = setTimeout(this.onTHeartbeat, intervalMs + this.rto.rto);
    this.tHeartbeat.unref();
  }

  stopAll(): void {
    for (const t of [this.t1, this.t2, this.t3, this.tReconfig, this.tHeartbeat]) if (t) clearTimeout(t);
    this.t1 = this.t2 = this.t3 = this.tReconfig = this.tHeartbeat = undefined;
  }
}
