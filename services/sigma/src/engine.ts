import { compileDetection, PredicateCache, type Trigger } from './detection/compile.ts';
import { type Predicate, SigmaError } from './detection/types.ts';
import type { CompileOptions } from './detection/values.ts';
import { stringsExclusion } from './event/access.ts';
import { EventScope, ScopedView } from './event/view.ts';
import { fieldResolver, type Pipeline, type SourceId, sourcesFor, sourcesOfEvent } from './pipeline/index.ts';
import type { AhoCorasick } from './prefilter/aho-corasick.ts';
import { KeywordIndex } from './prefilter/keyword-index.ts';
import { SourceIndex } from './prefilter/source-index.ts';
import type { SigmaFilter, SigmaRule } from './rule/model.ts';

export type RuleState = 'active' | 'no-source' | 'rejected';

export interface RuleStatus {
  rule: SigmaRule;
  state: RuleState;
  /** Why a rule is not active: the compile error (with its path) or the missing source. */
  reason?: string;
  /** Where in the rule a compile error is, e.g. `detection.selection.Image|endswith`. */
  path?: string;
}

interface CompiledRule {
  index: number;
  rule: SigmaRule;
  predicate: Predicate;
  /** Pre-filter literals; null = evaluate on every event of its sources. */
  trigger: Trigger;
}

export interface EngineOptions {
  /** Without a pipeline the logsource is ignored, field names are used as written and every event is a candidate. */
  pipeline?: Pipeline;
  compile?: CompileOptions;
  /**
   * Pre-filter events on the rules' literals (default true). Off, every rule of an event's
   * sources is evaluated in full: the reference the pre-filter is tested against.
   */
  prefilter?: boolean;
}

/**
 * Compiles rules once and evaluates events against them. With a pipeline, each event is
 * evaluated only against the rules of the logsources it belongs to, with that source's
 * field names; identical field tests are shared across rules.
 */
export class SigmaEngine {
  readonly cache = new PredicateCache();
  readonly statuses: RuleStatus[] = [];
  readonly #compiled: CompiledRule[] = [];
  readonly #bySource = new Map<SourceId, CompiledRule[]>();
  readonly #views = new Map<SourceId | undefined, ScopedView>();
  readonly #scope: EventScope;
  readonly #filters: SigmaFilter[] = [];
  /** Built on the first event of a source after rules change. */
  readonly #indexes = new Map<SourceId, SourceIndex>();
  #keywords: KeywordIndex | undefined;
  readonly #automata = new Map<string, AhoCorasick>();
  /** Stamps per rule: `#matched` per event (a rule reported once), `#candidate` per (event, source). */
  #matched: Uint32Array = new Uint32Array(0);
  #candidate: Uint32Array = new Uint32Array(0);
  #eventStamp = 0;
  #sourceStamp = 0;
  readonly #candidates: number[] = [];
  /** Events matched and full rule evaluations they needed: the pre-filter's selectivity. */
  readonly counters = { events: 0, evaluations: 0 };
  /** Adds a rule to this (event, source)'s candidates once, unless it already matched. */
  readonly #mark = (i: number): void => {
    if (this.#candidate[i] === this.#sourceStamp || this.#matched[i] === this.#eventStamp) return;
    this.#candidate[i] = this.#sourceStamp;
    this.#candidates.push(i);
  };

  constructor(readonly options: EngineOptions = {}) {
    this.#scope = new EventScope(stringsExclusion(options.pipeline?.keywordExclude ?? []));
  }

  /** Filters must be added before the rules they name. */
  addFilter(filter: SigmaFilter): void {
    this.#filters.push(filter);
  }

  add(rule: SigmaRule): RuleStatus {
    const status = this.#add(rule);
    this.statuses.push(status);
    return status;
  }

  #add(rule: SigmaRule): RuleStatus {
    const pipeline = this.options.pipeline;
    const sources = sourcesFor(pipeline, rule.logsource);
    let predicate: Predicate;
    let trigger: Trigger;
    try {
      ({ predicate, trigger } = compileDetection(rule.detection, this.cache, this.options.compile));
      for (const filter of this.#filtersFor(rule)) {
        const { filter: body } = filter.doc;
        const { rules: _rules, ...detection } = body;
        const excluded = compileDetection(detection, this.cache, this.options.compile).predicate;
        const base = predicate;
        predicate = (e) => base(e) && !excluded(e);
      }
    } catch (err) {
      if (!(err instanceof SigmaError)) throw err;
      return {
        rule,
        state: 'rejected',
        reason: err.path ? `${err.path}: ${err.message}` : err.message,
        path: err.path,
      };
    }
    if (pipeline && sources.length === 0) {
      const ls = Object.entries(rule.logsource)
        .filter(([k]) => k !== 'definition')
        .map(([k, v]) => `${k}: ${String(v)}`)
        .join(', ');
      return {
        rule,
        state: 'no-source',
        reason: `pipeline ${pipeline.name} has no source for logsource {${ls}}`,
      };
    }
    const compiled: CompiledRule = { index: this.#compiled.length, rule, predicate, trigger };
    this.#compiled.push(compiled);
    if (this.#matched.length < this.#compiled.length) {
      const size = Math.max(64, this.#compiled.length * 2);
      this.#matched = grow(this.#matched, size);
      this.#candidate = grow(this.#candidate, size);
    }
    this.#indexes.clear();
    this.#automata.clear();
    this.#keywords = undefined;
    for (const s of sources) {
      const list = this.#bySource.get(s) ?? [];
      list.push(compiled);
      this.#bySource.set(s, list);
    }
    return { rule, state: 'active' };
  }

  /**
   * The filters naming this rule (by id or name) whose logsource the rule's satisfies: each
   * key the filter sets must be the rule's (case-insensitive), so a filter written for
   * Windows process creation never silently narrows a Linux rule that shares its name.
   */
  #filtersFor(rule: SigmaRule): SigmaFilter[] {
    return this.#filters.filter((f) => {
      const names = Array.isArray(f.doc.filter.rules) ? f.doc.filter.rules : [f.doc.filter.rules];
      if (!names.some((n) => n === rule.id || (rule.name !== undefined && n === rule.name))) return false;
      return (['category', 'product', 'service'] as const).every((k) => {
        const want = f.logsource[k];
        return (
          typeof want !== 'string' || want.toLowerCase() === String(rule.logsource[k] ?? '').toLowerCase()
        );
      });
    });
  }

  get activeRules(): number {
    return this.#compiled.length;
  }

  /** One view per resolver: sources with the same field mapping share it (and its values). */
  #viewFor(source: SourceId | undefined): ScopedView {
    let view = this.#views.get(source);
    if (!view) {
      const pipeline = this.options.pipeline;
      const resolve = fieldResolver(pipeline, source);
      view =
        [...this.#views.values()].find((v) => v.resolve === resolve) ?? new ScopedView(this.#scope, resolve);
      this.#views.set(source, view);
    }
    return view;
  }

  #index(source: SourceId): SourceIndex | undefined {
    let index = this.#indexes.get(source);
    if (!index) {
      const rules = this.#bySource.get(source);
      if (!rules) return undefined;
      index = new SourceIndex(
        this.#prefilterOff ? rules.map((r) => ({ index: r.index, trigger: null })) : rules,
      );
      this.#indexes.set(source, index);
    }
    return index;
  }

  get #prefilterOff(): boolean {
    return this.options.prefilter === false;
  }

  #keywordIndex(): KeywordIndex {
    this.#keywords ??= new KeywordIndex(this.#prefilterOff ? [] : this.#compiled);
    return this.#keywords;
  }

  /** Pre-filter figures per source, for benchmarks and diagnostics. */
  prefilterStats(): { source: SourceId; rules: number; always: number; literals: number; bytes: number }[] {
    return [...this.#bySource].map(([source, rules]) => ({
      source,
      rules: rules.length,
      ...this.#index(source)!.stats,
    }));
  }

  /**
   * The rules that match this event, each once, in the order they were added. A rule that
   * stands for several sources the event belongs to matches when it matches under any of
   * their field mappings.
   */
  match(event: unknown): SigmaRule[] {
    const pipeline = this.options.pipeline;
    if (++this.#eventStamp === 0xffffffff) this.#resetStamps();
    this.counters.events++;
    const out: CompiledRule[] = [];
    this.#scope.reset(event);
    let keywordHits: readonly number[] | undefined;
    for (const source of sourcesOfEvent(pipeline, event)) {
      const index = this.#index(source);
      if (!index) continue;
      if (++this.#sourceStamp === 0xffffffff) this.#resetStamps();
      const view = this.#viewFor(pipeline ? source : undefined);
      if (index.hasKeywords) keywordHits ??= this.#keywordIndex().hits(view);
      const candidates = this.#candidates;
      candidates.length = 0;
      index.candidates(view, this.#mark, keywordHits);
      this.counters.evaluations += candidates.length;
      for (const i of candidates) {
        const c = this.#compiled[i]!;
        if (c.predicate(view)) {
          this.#matched[i] = this.#eventStamp;
          out.push(c);
        }
      }
    }
    this.#scope.reset(undefined);
    if (out.length > 1) out.sort((a, b) => a.index - b.index);
    return out.map((c) => c.rule);
  }

  #resetStamps(): void {
    this.#matched.fill(0);
    this.#candidate.fill(0);
    this.#eventStamp = 1;
    this.#sourceStamp = 1;
  }
}

function grow(a: Uint32Array, size: number): Uint32Array {
  const out = new Uint32Array(size);
  out.set(a);
  return out;
}
