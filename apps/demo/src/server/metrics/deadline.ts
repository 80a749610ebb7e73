/**
 * One timer per scrape that every stats call races: a slow or stuck worker
 * costs the scrape at most `ms`, its late answers are ignored.
 */
const FAILED: unique symbol = Symbol('failed');

export class Deadline {
  /** Calls that had not answered when the deadline passed. */
  timedOut = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly expired: Promise<undefined>;

  constructor(ms: number) {
    let fire!: () => void;
    this.expired = new Promise<undefined>((resolve) => {
      fire = () => resolve(undefined);
    });
    this.timer = setTimeout(fire, ms);
    this.timer.unref();
  }

  /** The call's result; undefined if it rejected or the deadline came first. */
  async race<T>(call: Promise<T>): Promise<T | undefined> {
    const result = await Promise.race([
      call.then(
        (value) => ({ value }),
        (): typeof FAILED => FAILED,
      ),
      this.expired,
    ]);
    if (result === undefined) {
      this.timedOut++;
      return undefined;
    }
    return result === FAILED ? undefined : result.value;
  }

  /** Stops the timer (the scrape is over). */
  clear(): void {
    clearTimeout(this.timer);
  }
}
