import type { CorrelationMatch } from '@soc/sigma';
import { correlationHit, type Hit } from './alert.ts';
import { ruleKey } from './ruleset.ts';

/**
 * Turns correlation matches into alert hits, the same way for the stream (`Correlator`) and
 * for a retro-hunt (`retroHuntCorrelation`), so both compute the same alert ids and fields.
 * Remembers the event time of recent observations for `first_seen` (bounded: the oldest is
 * forgotten first), because a match names its events but not their times.
 */
export class CorrelationHits {
  readonly #times = new Map<string, number>();

  constructor(
    /** The rules index version of a correlation (`alert.rule.version`). */
    private readonly version: (match: CorrelationMatch) => number,
    private readonly maxTimes = 100_000,
  ) {}

  /** Call for every observation fed to the engine, before its matches are turned into hits. */
  remember(id: string, t: number): void {
    this.#times.set(id, t);
    if (this.#times.size > this.maxTimes) this.#times.delete(this.#times.keys().next().value!);
  }

  /**
   * The hit of a match completed by the observation `currentId`: the alert's copy of the event
   * is that event when it is part of the match, else the group's values.
   */
  hit(match: CorrelationMatch, currentId: string, currentDoc: Record<string, unknown>): Hit {
    const c = match.correlation;
    const ids = match.events.map(String);
    const times = ids.map((id) => this.#times.get(id)).filter((t): t is number => t !== undefined);
    const info = {
      key: ruleKey(c),
      title: c.title,
      level: c.level,
      tags: (c.doc as { tags?: string[] }).tags ?? [],
      version: this.version(match),
    };
    const doc = ids.includes(currentId) ? currentDoc : nest(match.group);
    return correlationHit(
      info,
      match.group,
      ids,
      { first: times.length ? Math.min(...times) : match.time, last: match.time },
      doc,
    );
  }
}

/** `{ 'source.ip': x }` → `{ source: { ip: x } }`, so a correlation's group reads like an event. */
export function nest(group: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(group)) {
    const parts = k.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) {
      node[p] ??= {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = v;
  }
  return out;
}
