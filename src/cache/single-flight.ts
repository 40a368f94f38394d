/**
 * Single flight: concurrent callers asking for one key share one load, so a
 * burst of misses makes one query, not one per request.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** The result of `load()` for `key`, or of the load already running for it. */
  run(key: string, load: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running;
    const started = load().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, started);
    return started;
  }

  /** Loads running now. */
  get size(): number {
    return this.#inFlight.size;
  }
}
