/**
 * Keyword triggers of every rule, in one automaton for the whole engine: a keyword matches
 * any string of the event, whatever the source's field mapping, so the event's strings are
 * scanned once per event — not once per source it belongs to — and only when one of its
 * sources has keyword rules.
 */
import type { EventView } from '../detection/types.ts';
import { AhoCorasick } from './aho-corasick.ts';
import type { IndexedRule } from './source-index.ts';

export class KeywordIndex {
  readonly #ac: AhoCorasick | undefined;
  readonly #rulesOf: number[][];
  readonly #found: number[] = [];
  readonly #hits: number[] = [];

  constructor(rules: readonly IndexedRule[]) {
    const lits = new Map<string, number[]>();
    for (const r of rules)
      for (const a of r.trigger ?? []) {
        if (a.field !== undefined) continue;
        const list = lits.get(a.literal);
        if (!list) lits.set(a.literal, [r.index]);
        else if (list[list.length - 1] !== r.index) list.push(r.index);
      }
    this.#ac = lits.size ? new AhoCorasick([...lits.keys()]) : undefined;
    this.#rulesOf = [...lits.values()];
  }

  /** Rules whose keyword literal occurs in some string of the event (may repeat). */
  hits(view: EventView): readonly number[] {
    const hits = this.#hits;
    hits.length = 0;
    const ac = this.#ac;
    if (!ac) return hits;
    const found = this.#found;
    found.length = 0;
    for (const s of view.strings()) ac.scan(s, found);
    for (const id of found) for (const r of this.#rulesOf[id]!) hits.push(r);
    return hits;
  }
}
