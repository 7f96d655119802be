/**
 * Routing: which pipeline sources a rule's logsource stands for, and which sources an event
 * belongs to. A rule is a candidate for an event when the two share a source.
 *
 * Events are routed through an index: the (at most three) fields that most entries test —
 * Channel and EventID for Windows — pick the few entries an event can belong to, and that
 * pick is cached per combination of their values (nested maps keyed by the raw values, so
 * the steady state neither normalises nor builds strings). Only the other conditions (e.g.
 * Sysmon's EventType) are then checked per event.
 */
import { type Accessor, accessor } from './accessor.ts';
import {
  ANY_SOURCE,
  type Condition,
  type Logsource,
  normalise,
  type Pipeline,
  type SourceId,
} from './types.ts';

const LOGSOURCE_KEYS = ['category', 'product', 'service'] as const;

/**
 * The pipeline sources a rule with this logsource stands for; [] when the pipeline knows no
 * such source. Every key the rule sets must be one the entry serves (case-insensitive); keys
 * the rule leaves out are free, so `{product: windows}` is served by every windows entry.
 * With no pipeline, every rule stands for `ANY_SOURCE`.
 */
export function sourcesFor(p: Pipeline | undefined, ls: Logsource): readonly SourceId[] {
  if (!p) return ANY;
  const wanted = LOGSOURCE_KEYS.map((k) =>
    typeof ls[k] === 'string' && ls[k] !== '' ? ls[k].toLowerCase() : undefined,
  );
  const key = wanted.join('\u0000');
  const cache = state(p).byLogsource;
  let ids = cache.get(key);
  if (!ids) {
    ids = Object.freeze(
      p.sources
        .filter((s) =>
          LOGSOURCE_KEYS.every((k, i) => wanted[i] === undefined || s.logsource[k]?.includes(wanted[i]!)),
        )
        .map((s) => s.id),
    );
    cache.set(key, ids);
  }
  return ids;
}

/** The sources an event belongs to: those whose conditions all hold. */
export function sourcesOfEvent(p: Pipeline | undefined, event: unknown): ReadonlySet<SourceId> {
  if (!p) return ANY_SET;
  const bucket = bucketFor(state(p), event);
  const { residual } = bucket;
  if (residual.length === 0) return bucket.always;
  // Which residual entries hold, as a bit mask (a string of 0/1 beyond 30 entries): the
  // resulting set is cached per mask, so routing allocates nothing in the steady state.
  let mask: number | string = residual.length > 30 ? '' : 0;
  for (let i = 0; i < residual.length; i++) {
    const ok = allHold(residual[i]!.conditions, event);
    if (typeof mask === 'string') mask += ok ? '1' : '0';
    else if (ok) mask |= 1 << i;
  }
  let set = bucket.byMask.get(mask);
  if (!set) {
    const out = new Set(bucket.always);
    for (let i = 0; i < residual.length; i++) {
      if (typeof mask === 'string' ? mask[i] === '1' : mask & (1 << i)) out.add(residual[i]!.id);
    }
    set = out;
    if (bucket.byMask.size >= MAX_MASKS) bucket.byMask.clear();
    bucket.byMask.set(mask, set);
  }
  return set;
}

/** Whether one pipeline condition holds for an event. */
export function holds(c: Condition, event: unknown): boolean {
  return compileCondition(c).test(event);
}

const ANY: readonly SourceId[] = Object.freeze([ANY_SOURCE]);
const ANY_SET: ReadonlySet<SourceId> = new Set([ANY_SOURCE]);
/** Index keys of a field the event lacks, or has with no scalar value. */
const ABSENT = Symbol('absent');
const PRESENT = Symbol('present');
/** More distinct index keys than this and the cache starts over (bounds memory on hostile input). */
const MAX_BUCKETS = 10_000;
const MAX_MASKS = 1_000;

interface CompiledCondition {
  readonly test: (event: unknown) => boolean;
}

interface Residual {
  readonly id: SourceId;
  readonly conditions: readonly CompiledCondition[];
}

interface Bucket {
  /** Sources whose conditions are settled by the index values alone. */
  readonly always: ReadonlySet<SourceId>;
  /** Sources that still need their other conditions checked on each event. */
  readonly residual: readonly Residual[];
  readonly byMask: Map<number | string, ReadonlySet<SourceId>>;
}

/** What an entry asks of one index field: some exact values, presence, absence, or nothing. */
type Accept = ReadonlySet<string> | 'present' | 'absent' | undefined;

interface IndexedEntry {
  readonly id: SourceId;
  /** Per index field. */
  readonly accepts: readonly Accept[];
  readonly residual: readonly CompiledCondition[];
}

/** One index field's values in an event (normalised), for building a bucket. */
interface IndexValues {
  readonly vals: readonly string[];
  readonly present: boolean;
}

type Level = Map<unknown, Level | Bucket>;

interface State {
  readonly byLogsource: Map<string, readonly SourceId[]>;
  /** Accessors of each index field's paths. */
  readonly index: readonly (readonly Accessor[])[];
  readonly entries: readonly IndexedEntry[];
  readonly buckets: Level;
  bucketCount: number;
}

const states = new WeakMap<Pipeline, State>();

function state(p: Pipeline): State {
  let st = states.get(p);
  if (!st) {
    st = buildState(p);
    states.set(p, st);
  }
  return st;
}

function allHold(conditions: readonly CompiledCondition[], event: unknown): boolean {
  for (const c of conditions) if (!c.test(event)) return false;
  return true;
}

const compiled = new WeakMap<Condition, CompiledCondition>();
const conditionScratch: unknown[] = [];

function compileCondition(c: Condition): CompiledCondition {
  let cc = compiled.get(c);
  if (cc) return cc;
  const accessors = c.paths.map(accessor);
  if (c.kind === 'exists') {
    const want = c.exists;
    cc = { test: (event) => accessors.some((a) => a.exists(event)) === want };
  } else {
    const { exact, globs } = c;
    cc = {
      test: (event) => {
        const values = conditionScratch;
        values.length = 0;
        for (const a of accessors) a.values(event, values);
        for (const v of values) {
          const n = normalise(v);
          if (n === undefined) continue;
          if (exact.has(n)) return true;
          for (const g of globs) if (g.test(n)) return true;
        }
        return false;
      },
    };
  }
  compiled.set(c, cc);
  return cc;
}

/** Exact values (no wildcard) and presence tests can be answered from the index. */
function accept(c: Condition): Accept {
  if (c.kind === 'exists') return c.exists ? 'present' : 'absent';
  return c.globs.length === 0 ? c.exact : undefined;
}

const MAX_INDEX_FIELDS = 5;

/**
 * Picks the index fields greedily: each time the field that settles the most entries, an
 * entry counting for less the more earlier picks already narrow it (it is then checked on the
 * events of few buckets only). Every index field costs a lookup on every event, so a field
 * must settle the equivalent of one un-narrowed entry to be picked: for Windows this gives
 * Channel, EventID and Provider_Name (file_access has no channel), but not Sysmon's EventType.
 */
function chooseIndex(p: Pipeline): string[] {
  const chosen: string[] = [];
  while (chosen.length < MAX_INDEX_FIELDS) {
    const score = new Map<string, number>();
    for (const s of p.sources) {
      const narrowedBy = s.conditions.filter(
        (c) => chosen.includes(c.field) && accept(c) !== undefined,
      ).length;
      for (const c of s.conditions) {
        if (chosen.includes(c.field) || accept(c) === undefined) continue;
        score.set(c.field, (score.get(c.field) ?? 0) + 0.5 ** narrowedBy);
      }
    }
    let best: string | undefined;
    let bestScore = 0;
    for (const [field, n] of score) {
      if (n > bestScore) {
        best = field;
        bestScore = n;
      }
    }
    if (best === undefined || bestScore < 1) break;
    chosen.push(best);
  }
  return chosen;
}

function pathsOf(p: Pipeline, field: string): readonly string[] {
  for (const s of p.sources) for (const c of s.conditions) if (c.field === field) return c.paths;
  return [field];
}

function buildState(p: Pipeline): State {
  const indexFields = chooseIndex(p);
  const entries = p.sources.map((s): IndexedEntry => {
    const accepts: Accept[] = [];
    const residual: CompiledCondition[] = [];
    for (const field of indexFields) {
      const c = s.conditions.find((c) => c.field === field && accept(c) !== undefined);
      accepts.push(c && accept(c));
    }
    for (const c of s.conditions) {
      if (!indexFields.includes(c.field) || accept(c) === undefined) residual.push(compileCondition(c));
    }
    return { id: s.id, accepts, residual };
  });
  return {
    byLogsource: new Map(),
    index: indexFields.map((field) => pathsOf(p, field).map(accessor)),
    entries,
    buckets: new Map(),
    bucketCount: 0,
  };
}

const scratch: unknown[] = [];
const NOTHING = Symbol('nothing');

function isScalar(v: unknown): boolean {
  const t = typeof v;
  return t === 'string' || t === 'boolean' || t === 'bigint' || (t === 'number' && Number.isFinite(v));
}

/**
 * The cache key of one index field in an event: its raw value when it has exactly one (the
 * common case, and no normalising), else its sorted normalised values as JSON, else whether
 * the field is present at all. Composite keys start with NUL, and so are kept apart from raw
 * values (a raw string starting with NUL is keyed as a composite).
 */
function indexKey(event: unknown, accessors: readonly Accessor[]): unknown {
  scratch.length = 0;
  for (const a of accessors) a.values(event, scratch);
  let key: unknown = NOTHING;
  let distinct = 0;
  for (const v of scratch) {
    if (!isScalar(v)) continue;
    if (distinct === 0) {
      key = v;
      distinct = 1;
    } else if (v !== key) {
      distinct = 2;
      break;
    }
  }
  if (distinct === 0) return accessors.some((a) => a.exists(event)) ? PRESENT : ABSENT;
  if (distinct === 1 && !(typeof key === 'string' && key.charCodeAt(0) === 0)) return key;
  return `\u0000${JSON.stringify(normalisedValues(scratch).sort())}`;
}

function normalisedValues(values: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const n = normalise(v);
    if (n !== undefined && !out.includes(n)) out.push(n);
  }
  return out;
}

function indexValues(event: unknown, accessors: readonly Accessor[]): IndexValues {
  const values: unknown[] = [];
  for (const a of accessors) a.values(event, values);
  const vals = normalisedValues(values);
  return { vals, present: vals.length > 0 || accessors.some((a) => a.exists(event)) };
}

function bucketFor(st: State, event: unknown): Bucket {
  let level = st.buckets;
  const n = st.index.length;
  // No index fields: one bucket for every event.
  let key: unknown = ABSENT;
  for (let i = 0; i < n; i++) {
    key = indexKey(event, st.index[i]!);
    if (i === n - 1) break;
    let next = level.get(key) as Level | undefined;
    if (!next) {
      next = new Map();
      level.set(key, next);
    }
    level = next;
  }
  const found = level.get(key) as Bucket | undefined;
  if (found) return found;
  if (st.bucketCount >= MAX_BUCKETS) {
    st.buckets.clear();
    st.bucketCount = 0;
    return bucketFor(st, event);
  }
  const bucket = buildBucket(
    st,
    st.index.map((accessors) => indexValues(event, accessors)),
  );
  level.set(key, bucket);
  st.bucketCount++;
  return bucket;
}

function admits(a: Accept, { vals, present }: IndexValues): boolean {
  if (a === undefined) return true;
  if (a === 'present') return present;
  if (a === 'absent') return !present;
  return vals.some((v) => a.has(v));
}

function buildBucket(st: State, values: readonly IndexValues[]): Bucket {
  const always = new Set<SourceId>();
  const residual: Residual[] = [];
  for (const e of st.entries) {
    if (!e.accepts.every((a, i) => admits(a, values[i]!))) continue;
    if (e.residual.length === 0) always.add(e.id);
    else residual.push({ id: e.id, conditions: e.residual });
  }
  return { always, residual, byMask: new Map() };
}
