import { compileDetection, PredicateCache } from './detection/compile.ts';
import { type EventView, type Predicate, SigmaError } from './detection/types.ts';
import type { CompileOptions } from './detection/values.ts';
import { allStrings } from './event/access.ts';
import {
  existsAt,
  fieldResolver,
  type Pipeline,
  type SourceId,
  sourcesFor,
  sourcesOfEvent,
  valuesAt,
} from './pipeline/index.ts';
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
}

export interface EngineOptions {
  /** Without a pipeline the logsource is ignored, field names are used as written and every event is a candidate. */
  pipeline?: Pipeline;
  compile?: CompileOptions;
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
  readonly #resolvers = new Map<SourceId | undefined, (field: string) => readonly string[]>();
  readonly #filters: SigmaFilter[] = [];
  /** Per-event stamp so a rule reached through two sources is evaluated once. */
  #seen = new Uint32Array(0);
  #epoch = 0;

  constructor(readonly options: EngineOptions = {}) {}

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
    const sources = pipeline ? sourcesFor(pipeline, rule.logsource) : [];
    let predicate: Predicate;
    try {
      predicate = compileDetection(rule.detection, this.cache, this.options.compile).predicate;
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
    const compiled: CompiledRule = { index: this.#compiled.length, rule, predicate };
    this.#compiled.push(compiled);
    if (this.#seen.length < this.#compiled.length) {
      const grown = new Uint32Array(Math.max(64, this.#compiled.length * 2));
      grown.set(this.#seen);
      this.#seen = grown;
    }
    for (const s of sources) {
      const list = this.#bySource.get(s) ?? [];
      list.push(compiled);
      this.#bySource.set(s, list);
    }
    return { rule, state: 'active' };
  }

  #filtersFor(rule: SigmaRule): SigmaFilter[] {
    return this.#filters.filter((f) => {
      const names = Array.isArray(f.doc.filter.rules) ? f.doc.filter.rules : [f.doc.filter.rules];
      return names.some((n) => n === rule.id || (rule.name !== undefined && n === rule.name));
    });
  }

  get activeRules(): number {
    return this.#compiled.length;
  }

  #resolver(source: SourceId | undefined): (field: string) => readonly string[] {
    let r = this.#resolvers.get(source);
    if (!r) {
      const pipeline = this.options.pipeline;
      const raw = pipeline ? fieldResolver(pipeline, source) : (f: string) => [f];
      const memo = new Map<string, readonly string[]>();
      r = (field) => {
        let paths = memo.get(field);
        if (!paths) {
          paths = raw(field);
          memo.set(field, paths);
        }
        return paths;
      };
      this.#resolvers.set(source, r);
    }
    return r;
  }

  #view(event: unknown, source: SourceId | undefined): EventView {
    const resolve = this.#resolver(source);
    const values = new Map<string, unknown[]>();
    let strings: string[] | undefined;
    return {
      get(field) {
        let v = values.get(field);
        if (v === undefined) {
          const paths = resolve(field);
          v = valuesAt(event, paths);
          values.set(field, v);
        }
        return v;
      },
      exists: (field) => existsAt(event, resolve(field)),
      strings: () => {
        strings ??= allStrings(event);
        return strings;
      },
    };
  }

  /** The rules that match this event, each once, in the order they were added. */
  match(event: unknown): SigmaRule[] {
    const pipeline = this.options.pipeline;
    const out: CompiledRule[] = [];
    if (!pipeline) {
      const view = this.#view(event, undefined);
      for (const c of this.#compiled) if (c.predicate(view)) out.push(c);
      return out.map((c) => c.rule);
    }
    const epoch = ++this.#epoch;
    if (epoch === 0xffffffff) {
      this.#seen.fill(0);
      this.#epoch = 1;
    }
    for (const source of sourcesOfEvent(pipeline, event)) {
      const rules = this.#bySource.get(source);
      if (!rules) continue;
      const view = this.#view(event, source);
      for (const c of rules) {
        if (this.#seen[c.index] === this.#epoch) continue;
        this.#seen[c.index] = this.#epoch;
        if (c.predicate(view)) out.push(c);
      }
    }
    if (out.length > 1) out.sort((a, b) => a.index - b.index);
    return out.map((c) => c.rule);
  }
}
