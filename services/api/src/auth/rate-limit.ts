/**
 * A fixed-window counter per key (client address on login). In memory, so per API instance:
 * N instances allow N× the rate; the per-account lockout, stored with the user, is the bound
 * that holds across instances.
 */
export class RateLimiter {
  readonly #hits = new Map<string, { windowStart: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly now: () => number = Date.now,
  ) {}

  /** Counts a hit; returns the seconds to wait when over the limit, else 0. */
  hit(key: string): number {
    const t = this.now();
    let e = this.#hits.get(key);
    if (!e || t - e.windowStart >= this.windowMs) {
      e = { windowStart: t, count: 0 };
      this.#hits.set(key, e);
      // Forget old windows so the map cannot grow without bound under a spray of addresses.
      if (this.#hits.size > 10_000) this.#sweep(t);
    }
    e.count++;
    return e.count > this.limit ? Math.ceil((e.windowStart + this.windowMs - t) / 1000) : 0;
  }

  #sweep(t: number): void {
    for (const [k, v] of this.#hits) if (t - v.windowStart >= this.windowMs) this.#hits.delete(k);
  }
}
