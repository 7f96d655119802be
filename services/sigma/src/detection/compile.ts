import { type ConditionNode, parseCondition, resolveCondition } from './condition.ts';
import { type Predicate, SigmaError } from './types.ts';
import { type CompileOptions, compileFieldCondition, type FieldCondition } from './values.ts';

/**
 * Shares compiled field tests between rules: thousands of SigmaHQ rules repeat the same
 * `Image|endswith: '\powershell.exe'`, and each distinct test is compiled once.
 */
export class PredicateCache {
  readonly #byKey = new Map<string, Predicate>();
  hits = 0;

  get(cond: FieldCondition, opts: CompileOptions | undefined): Predicate {
    const key = JSON.stringify([cond.field ?? null, cond.modifiers, cond.values]);
    const found = this.#byKey.get(key);
    if (found) {
      this.hits++;
      return found;
    }
    const compiled = compileFieldCondition(cond, opts);
    this.#byKey.set(key, compiled);
    return compiled;
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

/** A map of field tests: all must hold (AND). */
function compileMap(
  map: Record<string, unknown>,
  path: string,
  cache: PredicateCache,
  opts?: CompileOptions,
): Predicate {
  const tests = Object.entries(map).map(([key, value]) => {
    const { field, modifiers } = splitKey(key);
    try {
      return cache.get({ field, modifiers, values: asList(value) }, opts);
    } catch (err) {
      if (err instanceof SigmaError) throw new SigmaError(err.message, `${path}.${key}`);
      throw err;
    }
  });
  if (tests.length === 0) throw new SigmaError('an empty map matches nothing meaningful', path);
  return tests.length === 1 ? tests[0]! : all(tests);
}

/** One search identifier: a map, a list of maps (OR), or a list of keywords. */
export function compileSearch(
  value: unknown,
  path: string,
  cache: PredicateCache,
  opts?: CompileOptions,
): Predicate {
  if (isMapping(value)) return compileMap(value, path, cache, opts);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new SigmaError('an empty list matches nothing', path);
    if (value.every(isMapping)) {
      const maps = value.map((m, i) => compileMap(m, `${path}[${i}]`, cache, opts));
      return maps.length === 1 ? maps[0]! : any(maps);
    }
    if (value.some(isMapping))
      throw new SigmaError('a list must hold either maps or plain values, not both', path);
    return cache.get({ field: undefined, modifiers: [], values: value }, opts);
  }
  if (value === null || value === undefined) throw new SigmaError('a search identifier needs a value', path);
  return cache.get({ field: undefined, modifiers: [], values: [value] }, opts);
}

function compileNode(node: ConditionNode, searches: Map<string, Predicate>): Predicate {
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
      const inner = compileNode(node.operand, searches);
      return (e) => !inner(e);
    }
    case 'and':
      return all(node.operands.map((n) => compileNode(n, searches)));
    case 'or':
      return any(node.operands.map((n) => compileNode(n, searches)));
    case 'of':
      throw new SigmaError('internal: unresolved "of" in condition', 'detection.condition');
  }
}

export interface CompiledDetection {
  predicate: Predicate;
  identifiers: string[];
}

/** Compiles a rule's `detection` section into one predicate. Throws SigmaError with the offending path. */
export function compileDetection(
  detection: Record<string, unknown>,
  cache: PredicateCache,
  opts?: CompileOptions,
): CompiledDetection {
  const identifiers = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
  const searches = new Map<string, Predicate>();
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
  return { predicate: compiled.length === 1 ? compiled[0]! : any(compiled), identifiers };
}
