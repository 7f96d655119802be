import type { CorrelationMatch } from '@soc/sigma';
import { correlationHit, type Hit } from './alert.ts';
import { ruleKey } from './ruleset.ts';

/**
 * Turns correlation matches into alert hits, the same way for the stream (`Correlator`) and
 * for a retro-hunt (`retroHuntCorrelation`), so both compute the same alert ids and fields.
 * Remembers the event time and the `soc.*` enrichment of recent observations (bounded: the
 * oldest is forgotten first), because a match names its events but not their times, and an
 * alert completed without one of its events in hand (a window closing) still belongs to the
 * organisation its events share (see `commonSoc`).
 */
export class CorrelationHits {
  readonly #seen = new Map<string, { t: number; soc: unknown }>();

  constructor(
    /** The rules index version of a correlation (`alert.rule.version`). */
    private readonly version: (match: CorrelationMatch) => number,
    private readonly maxTimes = 100_000,
  ) {}

  /** Call for every observation fed to the engine, before its matches are turned into hits. */
  remember(id: string, t: number, doc?: Record<string, unknown>): void {
    this.#seen.set(id, { t, soc: doc?.soc });
    if (this.#seen.size > this.maxTimes) this.#seen.delete(this.#seen.keys().next().value!);
  }

  /**
   * The hit of a match completed by the observation `currentId`: the alert's copy of the event
   * is that event when it is part of the match, else the group's values.
   */
  hit(match: CorrelationMatch, currentId: string, currentDoc: Record<string, unknown>): Hit {
    const c = match.correlation;
    const ids = match.events.map(String);
    const seen = ids.map((id) => this.#seen.get(id)).filter((x) => x !== undefined);
    const times = seen.map((x) => x.t);
    const info = {
      key: ruleKey(c),
      title: c.title,
      level: c.level,
      tags: (c.doc as { tags?: string[] }).tags ?? [],
      version: this.version(match),
    };
    let doc = currentDoc;
    if (!ids.includes(currentId)) {
      doc = nest(match.group);
      const soc = seen.length === ids.length ? commonSoc(seen.map((x) => x.soc)) : undefined;
      if (soc !== undefined && doc.soc === undefined) doc.soc = soc;
    }
    return correlationHit(
      info,
      match.group,
      ids,
      { first: times.length ? Math.min(...times) : match.time, last: match.time },
      doc,
    );
  }
}

type Soc = {
  organization?: { id?: unknown };
  system?: { id?: unknown };
  security_level?: unknown;
  [k: string]: unknown;
};

/**
 * The enrichment an alert may carry for events it holds: their organisation when they all have
 * the same one, and their system and level when those are shared too. Events of several
 * organisations (a group by source address spans agencies), or one not enriched, leave the
 * alert without an owner rather than give it to one of them.
 */
function commonSoc(socs: unknown[]): Soc | undefined {
  const all = socs as (Soc | undefined)[];
  const org = all[0]?.organization?.id;
  if (org === undefined || !all.every((s) => s?.organization?.id === org)) return undefined;
  const newest = all[all.length - 1]!;
  const sys = newest.system?.id;
  if (sys !== undefined && all.every((s) => s?.system?.id === sys)) return newest;
  const { system: _s, security_level: _l, ...orgOnly } = newest;
  return orgOnly;
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
