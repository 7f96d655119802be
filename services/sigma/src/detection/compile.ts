import { type ConditionNode, parseCondition, resolveCondition } from './condition.ts';
import { type Predicate, SigmaError } from './types.ts';
import {
  type CompileOptions,
  cheapestTrigger,
  compileFieldCondition,
  type FieldCondition,
  fieldTrigger,
  type TriggerAtom,
} from './values.ts';

/** A necessary condition for the engine's pre-filter (see {@link fieldTrigger}); null = none. */
export type Trigger = TriggerAtom[] | null;

/** All of the parts must hold: any one part's trigger is necessary; take the cheapest. */
export function andTrigger(parts: Trigger[]): Trigger {
  const usable = parts.filter((t): t is TriggerAtom[] => t !== null);
  return usable.length === 0 ? null : cheapestTrigger(usable);
}

/** One of the parts must hold: only the union of all their triggers is necessary. */
export function orTrigger(parts: Trigger[]): Trigger {
  if (parts.length === 0 || parts.some((t) => t === null)) return null;
  const seen = new Set<string>();
  const out: TriggerAtom[] = [];
  for (const a of (parts as TriggerAtom[][]).flat()) {
    const k = `${a.field ?? ''}\u0000${a.number === undefined ? 's' : 'n'}${a.literal}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(a);
    }
  }
  return out;
}

/**
 * Shares compiled field tests between rules: thousands of SigmaHQ rules repeat the same
 * `Image|endswith: '\powershell.exe'`, and each distinct test is compiled once.
 */
export class PredicateCache {
  readonly #byKey = new Map<string, { predicate: Predicate; trigger: Trigger }>();
  hits = 0;

  get(cond: FieldCondition, opts: CompileOptions | undefined): Predicate {
    return this.entry(cond, opts).predicate;
  }

  /** The compiled test and its pre-filter trigger. */
  entry(cond: FieldCondition, opts: CompileOptions | undefined): { predicate: Predicate; trigger: Trigger } {
    const key = JSON.stringify([cond.field ?? null, cond.modifiers, cond.values]);
    const found = this.#byKey.get(key);
    if (found) {
      this.hits++;
      return found;
    }
    const entry = { predicate: compileFieldCondition(cond, opts), trigger: fieldTrigger(cond, opts) };
    this.#byKey.set(key, entry);
    return entry;
  }

  get size(): number {
    return this.#byKey.size;
  }
}

const all =
  (ps: Predicate[]): Predicate =>
  (e) => {
    for (const p of ps) if (!p(e)) return false;
    return true;
  };
const any =
  (ps: Predicate[]): Predicate =>
  (e) => {
    for (const p of ps) if (p(e)) return true;
    return false;
  };

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
const isMapping = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function splitKey(key: string): { field: string | undefined; modifiers: string[] } {
  const [field, ...modifiers] = key.split('|');
  return { field: field === '' ? undefined : field, modifiers };
}

/** A compiled piece of detection and its pre-filter trigger. */
interface Compiled {
  predicate: Predicate;
  trigger: Trigger;
}

const allOf = (parts: Compiled[]): Compiled =>
  parts.length === 1
    ? parts[0]!
    : { predicate: all(parts.map((p) => p.predicate)), trigger: andTrigger(parts.map((p) => p.trigger)) };
const anyOf = (parts: Compiled[]): Compiled =>
  parts.length === 1
    ? parts[0]!
    : { predicate: any(parts.map((p) => p.predicate)), trigger: orTrigger(parts.map((p) => p.trigger)) };

/** A map of field tests: all must hold (AND). */
function compileMap(
  map: Record<string, unknown>,
  path: string,
  cache: PredicateCache,
  opts?: CompileOptions,
): Compiled {
  const tests = Object.entries(map).map(([key, value]) => {
    const { field, modifiers } = splitKey(key);
    try {
      return cache.entry({ field, modifiers, values: asList(value) }, opts);
    } catch (err) {
      if (err instanceof SigmaError) throw new SigmaError(err.message, `${path}.${key}`);
      throw err;
    }
  });
  if (tests.length === 0) throw new SigmaError('an empty map matches nothing meaningful', path);
  return allOf(tests);
}

/** One search identifier: a map, a list of maps (OR), or a list of keywords. */
function compileSearch(value: unknown, path: string, cache: PredicateCache, opts?: CompileOptions): Compiled {
  if (isMapping(value)) return compileMap(value, path, cache, opts);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new SigmaError('an empty list matches nothing', path);
    if (value.every(isMapping))
      return anyOf(value.map((m, i) => compileMap(m, `${path}[${i}]`, cache, opts)));
    if (value.some(isMapping))
      throw new SigmaError('a list must hold either maps or plain values, not both', path);
    return cache.entry({ field: undefined, modifiers: [], values: value }, opts);
  }
  if (value === null || value === undefined) throw new SigmaError('a search identifier needs a value', path);
  return cache.entry({ field: undefined, modifiers: [], values: [value] }, opts);
}

function compileNode(node: ConditionNode, searches: Map<string, Compiled>): Compiled {
  switch (node.type) {
    case 'ref': {
      const p = searches.get(node.name);
      if (!p)
        throw new SigmaError(
          `condition refers to unknown search identifier ${node.name}`,
          'detection.condition',
        );
      return p;
    }
    case 'not': {
      const inner = compileNode(node.operand, searches).predicate;
      // Nothing is necessary for a negation to hold: no trigger.
      return { predicate: (e) => !inner(e), trigger: null };
    }
    case 'and':
      return allOf(node.operands.map((n) => compileNode(n, searches)));
    case 'or':
      return anyOf(node.operands.map((n) => compileNode(n, searches)));
    case 'of':
      throw new SigmaError('internal: unresolved "of" in condition', 'detection.condition');
  }
}

export interface CompiledDetection {
  predicate: Predicate;
  /** Literals one of which every matching event contains (null: evaluate every event). */
  trigger: Trigger;
  identifiers: string[];
}

/** Compiles a rule's `detection` section into one predicate. Throws SigmaError with the offending path. */
export function compileDetection(
  detection: Record<string, unknown>,
  cache: PredicateCache,
  opts?: CompileOptions,
): CompiledDetection {
  const identifiers = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
  const searches = new Map<string, Compiled>();
  for (const id of identifiers)
    searches.set(id, compileSearch(detection[id], `detection.${id}`, cache, opts));
  const conditions = asList(detection.condition) as string[];
  const compiled = conditions.map((text) => {
    let tree: ConditionNode;
    try {
      tree = resolveCondition(parseCondition(text), identifiers);
    } catch (err) {
      if (err instanceof SigmaError) throw new SigmaError(err.message, 'detection.condition');
      throw err;
    }
    return compileNode(tree, searches);
  });
  const { predicate, trigger } = anyOf(compiled);
  return { predicate, trigger, identifiers };
}
