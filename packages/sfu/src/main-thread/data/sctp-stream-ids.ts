/**
 * The SCTP stream ids a transport gives its data consumers (mediasoup's
 * getNextSctpStreamId): round robin over 0..MIS-1, an id free again once its
 * data consumer closes.
 */
export class SctpStreamIds {
  readonly #used: Uint8Array;
  #next = 0;

  constructor(numStreams: number) {
    this.#used = new Uint8Array(numStreams);
  }

  take(): number {
    const n = this.#used.length;
    for (let i = 0; i < n; i++) {
      const id = (this.#next + i) % n;
      if (!this.#used[id]) {
        this.#used[id] = 1;
        this.#next = id + 1;
        return id;
      }
    }
    throw new Error('no sctpStreamId available');
  }

  release(id: number): void {
    if (id >= 0 && id < this.#used.length) this.#used[id] = 0;
  }
}
