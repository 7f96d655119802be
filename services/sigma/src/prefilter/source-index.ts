/**
 * The pre-filter of one logsource: which of its rules an event can possibly match. Each rule
 * brings a trigger — literals one of which every event it matches contains in a given field
 * (see `fieldTrigger`) — or none. Per field, one Aho–Corasick automaton holds every rule's
 * literals, so an event costs one scan per triggered field value, whatever the number of
 * rules; only the rules whose literal was seen, plus the rules without a trigger, are then
 * evaluated in full. A trigger is a necessary condition only: the full predicate decides.
 * Keyword triggers are scanned for by the engine's `KeywordIndex`, once per event.
 */
import type { Trigger } from '../detection/compile.ts';
import type { EventView } from '../detection/types.ts';
import { parseDecimal } from '../detection/wildcard.ts';
import { AhoCorasick } from './aho-corasick.ts';

interface FieldScan {
  field: string;
  ac: AhoCorasick | undefined;
  /** Per literal (automaton pattern id), the rules it triggers. */
  rulesOf: number[][];
  /** Exact numbers the field may hold, and the rules each triggers. */
  numbers: Map<number, number[]> | undefined;
}

export interface IndexedRule {
  index: number;
  trigger: Trigger;
}

export class SourceIndex {
  /** Rules without a trigger: evaluated on every event of the source. */
  readonly always: readonly number[];
  readonly #scans: FieldScan[];
  /** Scratch: literal ids found in the current value scan. */
  readonly #found: number[] = [];
  /** Rules of this source with keyword triggers (by rule index), which the engine scans for. */
  readonly #keywordRule: Uint8Array;
  readonly hasKeywords: boolean;

  /**
   * `automata` is shared between the sources of one engine: sources with the same rules on a
   * field (Sysmon 1 and Security 4688 for process_creation) share one automaton.
   */
  constructor(rules: readonly IndexedRule[], automata = new Map<string, AhoCorasick>()) {
    const always: number[] = [];
    const byField = new Map<string, { lits: Map<string, number[]>; nums: Map<number, number[]> }>();
    this.#keywordRule = new Uint8Array(rules.reduce((m, r) => Math.max(m, r.index + 1), 0));
    let keywords = false;
    const add = <K>(m: Map<K, number[]>, k: K, rule: number) => {
      const list = m.get(k);
      if (!list) m.set(k, [rule]);
      else if (list[list.length - 1] !== rule) list.push(rule);
    };
    for (const r of rules) {
      if (r.trigger === null) {
        always.push(r.index);
        continue;
      }
      for (const { field, literal, number } of r.trigger) {
        if (field === undefined) {
          this.#keywordRule[r.index] = 1;
          keywords = true;
          continue;
        }
        let f = byField.get(field);
        if (!f) {
          f = { lits: new Map(), nums: new Map() };
          byField.set(field, f);
        }
        if (number === undefined) add(f.lits, literal, r.index);
        else add(f.nums, number, r.index);
      }
    }
    this.always = always;
    this.hasKeywords = keywords;
    this.#scans = [...byField].map(([field, { lits, nums }]) => ({
      field,
      ac: lits.size ? shared(automata, [...lits.keys()]) : undefined,
      rulesOf: [...lits.values()],
      numbers: nums.size ? nums : undefined,
    }));
  }

  /**
   * Calls `mark(ruleIndex)` for each rule the event may match (a rule may be marked more
   * than once; the caller dedupes).
   */
  candidates(
    view: EventView,
    mark: (ruleIndex: number) => void,
    keywordHits: readonly number[] | undefined,
  ): void {
    for (const r of this.always) mark(r);
    if (keywordHits) for (const r of keywordHits) if (this.#keywordRule[r] === 1) mark(r);
    const found = this.#found;
    for (const scan of this.#scans) {
      found.length = 0;
      const ac = scan.ac;
      const values = view.get(scan.field);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (scan.numbers) {
          const rules = scan.numbers.get(numberOf(v) as number);
          if (rules) for (let j = 0; j < rules.length; j++) mark(rules[j]!);
        }
        if (ac) {
          const text = typeof v === 'string' ? v : scalarText(v);
          if (text !== undefined) ac.scan(text, found);
        }
      }
      for (let i = 0; i < found.length; i++) {
        const rules = scan.rulesOf[found[i]!]!;
        for (let j = 0; j < rules.length; j++) mark(rules[j]!);
      }
    }
  }

  /** For reports: rules always evaluated, fields scanned, table memory. */
  get stats(): { always: number; fields: number; literals: number; bytes: number } {
    let literals = 0;
    let bytes = 0;
    for (const s of this.#scans) {
      literals += (s.ac?.patterns.length ?? 0) + (s.numbers?.size ?? 0);
      bytes += s.ac?.bytes ?? 0;
    }
    return { always: this.always.length, fields: this.#scans.length, literals, bytes };
  }
}

function shared(automata: Map<string, AhoCorasick>, literals: string[]): AhoCorasick {
  const key = literals.join('\u0000');
  let ac = automata.get(key);
  if (!ac) {
    ac = new AhoCorasick(literals);
    automata.set(key, ac);
  }
  return ac;
}

/** The number a numeric rule value compares equal to: an event number, or a decimal string's. */
function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseDecimal(v);
  if (typeof v === 'bigint') return parseDecimal(String(v));
  return undefined;
}

/** The text a string matcher would test for a non-string value; undefined for objects and null. */
function scalarText(v: unknown): string | undefined {
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v).toLowerCase();
    default:
      return undefined;
  }
}
