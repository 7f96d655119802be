/** Per-input counters the heartbeat reports; plain maps, updated on the hot path without allocation. */
export class InputCounters {
  readonly read = new Map<string, number>();
  readonly sent = new Map<string, number>();
  /** Publishes JetStream recognised as already stored (a replay after a restart or a lost ack). */
  readonly duplicates = new Map<string, number>();

  add(map: Map<string, number>, input: string, n = 1): void {
    map.set(input, (map.get(input) ?? 0) + n);
  }
}
