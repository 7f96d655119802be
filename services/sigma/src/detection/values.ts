/**
 * Compiles one `field|modifiers: value(s)` entry of a detection map (or a keyword list) into
 * a predicate over events. Everything is decided at compile time: literals are lowercased
 * once, exact values go into a Set, wildcard values become startsWith / endsWith / includes /
 * ordered indexOf checks, and only `?` or many windash positions need an (escaped, anchored)
 * RegExp. The per-event work allocates nothing but the lowercased copy of a string value.
 */
import {
  type Anchor,
  applyEncoding,
  CidrMatcher,
  type ComparisonOp,
  compareNumbers,
  compileRegex,
  type EncodedValue,
  type ModifierPlan,
  parseModifiers,
  RegexMatcher,
  TIME_RANGES,
  type TimePart,
  timestampPart,
  toNumber,
} from './modifiers.ts';
import { regexLiteral } from './regex-literal.ts';
import { type EventView, type Predicate, SigmaError } from './types.ts';
import {
  anchorPattern,
  countDashes,
  expandDashes,
  hasWildcard,
  insertPlaceholders,
  markWindash,
  normalize,
  type Part,
  type Pattern,
  parseDecimal,
  parseSigmaString,
  STAR,
  StringMatcher,
  substitutePlaceholders,
} from './wildcard.ts';

export interface FieldCondition {
  /** undefined = keyword search (match any string value of the event). */
  field: string | undefined;
  /** As written after the field, e.g. `['contains', 'all']` or `['base64offset', 'contains']`. */
  modifiers: string[];
  /** The YAML value(s): a scalar becomes `[scalar]`; strings, numbers, booleans, null. */
  values: unknown[];
}

export interface CompileOptions {
  /**
   * For `|expand`: `'%name%'` → values (each a Sigma string: wildcards allowed; an empty list
   * matches nothing). A placeholder missing here rejects the rule.
   */
  placeholders?: Record<string, string[]>;
  /**
   * What a placeholder missing from `placeholders` becomes: rejected (default), or `*` —
   * for checking that a rule is valid before an operator has configured its values.
   */
  unknownPlaceholders?: 'reject' | 'wildcard';
}

/** Windash positions up to which a value is expanded into plain literals (5^2 = 25 variants). */
const WINDASH_EXPAND_MAX = 2;
/** Windash positions allowed before an encoding modifier, which needs every variant spelled out. */
const WINDASH_ENCODE_MAX = 4;
/**
 * Values one field condition may list. SigmaHQ's longest list holds 4,432 hashes; a list of
 * millions is an attack on compile time and memory, not a rule.
 */
export const MAX_VALUES = 50_000;
/** Limit on the values one rule value may expand into (placeholders × windash). */
const EXPANSION_LIMIT = 10_000;

/** A value to compare, as given in the rule. */
type Scalar = string | number | boolean;

interface Ctx {
  plan: ModifierPlan;
  field: string | undefined;
  modifiers: readonly string[];
  opts: CompileOptions;
}

function fail(plan: ModifierPlan, msg: string): never {
  throw new SigmaError(`${msg} (in '${plan.label}')`);
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));

// ---------------------------------------------------------------------------------------
// Entry points

/**
 * Compiles one field condition into a predicate. Throws SigmaError (naming the modifier or
 * value at fault) on an unknown modifier, a bad combination, an invalid or dangerous regex,
 * a bad CIDR, a non-numeric comparison value, an unknown placeholder, and the like.
 */
export function compileFieldCondition(cond: FieldCondition, opts: CompileOptions = {}): Predicate {
  const field = cond.field === '' ? undefined : cond.field;
  const plan = parseModifiers(field, cond.modifiers);
  const values = cond.values;
  if (!Array.isArray(values) || values.length === 0) fail(plan, 'no value to compare');
  if (values.length > MAX_VALUES)
    fail(plan, `too many values (${values.length}); at most ${MAX_VALUES} in one field condition`);
  if (plan.all && values.length < 2) {
    fail(plan, "'all' needs a list of at least two values (the spec does not allow it on a single value)");
  }
  const ctx: Ctx = { plan, field, modifiers: cond.modifiers, opts };
  const predicate = compileInner(ctx, values);
  if (!plan.neq) return predicate;
  return (e) => !predicate(e);
}

/**
 * Literal substrings every match must contain (lowercased when case-insensitive), for
 * pre-filtering; `[]` when none can be derived. Each literal is a substring of the matched
 * *string* value: values that could also match an event number or boolean through its string
 * form (`4688`, `true`) yield none, so a filter over the event's string values is safe.
 * Placeholders count as `*`. Never throws.
 */
export function requiredLiterals(cond: FieldCondition): string[] {
  try {
    const field = cond.field === '' ? undefined : cond.field;
    const plan = parseModifiers(field, cond.modifiers);
    if (plan.kind !== 'string' || plan.neq || cond.values.length === 0) return [];
    const per = cond.values.map((v) => literalsOfValue(v, plan));
    if (plan.all) return [...new Set(per.flat())];
    const [first, ...rest] = per;
    return (first ?? []).filter((l) => rest.every((r) => r.includes(l)));
  } catch {
    return [];
  }
}

/**
 * A necessary condition of a field test, for the engine's pre-filter: the test can only hold
 * when the (lowercased) value of `field` — any string of the event for a keyword — contains
 * `literal` (lowercased). Several atoms: at least one must hold.
 */
export interface TriggerAtom {
  field: string | undefined;
  literal: string;
  /**
   * Set for a numeric rule value: the field must hold this number, or a string that parses
   * to it (looked up, not scanned for; `literal` is then only its text, for costing).
   */
  number?: number;
}

/**
 * The pre-filter atoms of one field test, or null when none can be derived (numbers,
 * regexes, negations, values without a literal such as `*` or '') and the test must be
 * evaluated on every event. Built from the very patterns the matcher compiles, so every
 * value the matcher accepts contains one of the literals. Never throws.
 */
export function fieldTrigger(cond: FieldCondition, opts: CompileOptions = {}): TriggerAtom[] | null {
  try {
    const field = cond.field === '' ? undefined : cond.field;
    const plan = parseModifiers(field, cond.modifiers);
    const values = cond.values;
    if (plan.neq || values.length === 0) return null;
    if (plan.kind === 're') return regexTrigger(field, values, plan);
    if (plan.kind !== 'string') return null;
    const anchor: Anchor = field === undefined && plan.anchor === 'exact' ? 'contains' : plan.anchor;
    const ctx: Ctx = { plan, field, modifiers: cond.modifiers, opts };
    const perValue = values.map((v): TriggerAtom[] | null => {
      // A plain number equals event numbers and strings parsing to it: an exact-number atom.
      if (typeof v === 'number' && field !== undefined && !transformsStrings(plan))
        return [{ field, literal: String(v), number: v }];
      if (typeof v !== 'string') return null;
      const lits = valuePatterns(ctx, v, anchor).map((p) => longestLiteral(p, plan.cased));
      return lits.includes('') ? null : [...new Set(lits)].map((literal) => ({ field, literal }));
    });
    if (plan.all) {
      const usable = perValue.filter((l): l is TriggerAtom[] => l !== null);
      return usable.length === 0 ? null : cheapestTrigger(usable);
    }
    if (perValue.some((l) => l === null)) return null;
    return (perValue as TriggerAtom[][]).flat();
  } catch {
    return null;
  }
}

function regexTrigger(
  field: string | undefined,
  values: unknown[],
  plan: ModifierPlan,
): TriggerAtom[] | null {
  const lits = values.map((v) => regexLiteral(String(v), plan.reFlags));
  const atoms = (l: string) => [{ field, literal: l }];
  if (plan.all) {
    const usable = lits.filter((l) => l !== '').map(atoms);
    return usable.length === 0 ? null : cheapestTrigger(usable);
  }
  if (lits.includes('')) return null;
  return [...new Set(lits)].map((literal) => ({ field, literal }));
}

/** The longest literal run of a pattern, lowercased; '' when there is none to rely on. */
function longestLiteral(p: Pattern, cased: boolean): string {
  let best = '';
  for (const part of p) if (part.k === 'lit' && part.s.length > best.length) best = part.s;
  // A cased non-ASCII literal may lowercase differently in context (final sigma): no filter.
  if (cased && /[^ -~]/.test(best)) return '';
  return best.toLowerCase();
}

/** Of several sufficient triggers (any one is necessary), the one expected to fire least. */
export function cheapestTrigger(options: TriggerAtom[][]): TriggerAtom[] {
  let best = options[0]!;
  let bestCost = triggerCost(best);
  for (const t of options.slice(1)) {
    const c = triggerCost(t);
    if (c < bestCost) {
      best = t;
      bestCost = c;
    }
  }
  return best;
}

/** Short literals occur in most values: an atom's cost falls with the square of its length. */
export function triggerCost(t: TriggerAtom[]): number {
  let c = 0;
  for (const a of t) {
    // An exact number is about as selective as a six-character literal.
    const len = a.number === undefined ? a.literal.length : 6;
    c += 1 / (len * len);
  }
  return c;
}

// ---------------------------------------------------------------------------------------
// Dispatch by kind

function compileInner(ctx: Ctx, values: unknown[]): Predicate {
  const { plan, field } = ctx;
  if (values.some((v) => v === null || v === undefined)) return compileNull(ctx, values);
  for (const v of values) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      fail(plan, `unsupported value ${JSON.stringify(v)}: a value must be a string, number, boolean or null`);
    }
  }
  const scalars = values as Scalar[];
  switch (plan.kind) {
    case 'exists':
      return compileExists(ctx, scalars);
    case 'fieldref':
      return compileFieldref(ctx, scalars);
    case 'cidr': {
      const m = new CidrMatcher();
      for (const v of scalars) {
        if (typeof v !== 'string') fail(plan, `'cidr' needs a network string, got ${show(v)}`);
        m.add(v as string, plan.label);
      }
      return fieldPredicate(field!, [m]);
    }
    case 'compare':
    case 'time':
      return compileNumeric(ctx, scalars);
    case 're': {
      const regexes = scalars.map((v) => compileRegex(String(v), plan.reFlags, plan.anchor, plan.label));
      const groups = plan.all ? regexes.map((r) => new RegexMatcher([r])) : [new RegexMatcher(regexes)];
      return field === undefined ? keywordPredicate(groups, false) : fieldPredicate(field, groups);
    }
    case 'string':
      return compileStrings(ctx, scalars);
  }
}

interface ValueTester {
  test(v: unknown): boolean;
}

/** Any value of the field passes each tester (one tester = OR of values; several = `all`). */
function fieldPredicate(field: string, groups: ValueTester[]): Predicate {
  if (groups.length === 1) {
    const m = groups[0]!;
    return (e) => {
      const vals = e.get(field);
      for (let i = 0; i < vals.length; i++) if (m.test(vals[i])) return true;
      return false;
    };
  }
  return (e) => {
    const vals = e.get(field);
    for (const m of groups) {
      let hit = false;
      for (let i = 0; i < vals.length; i++) {
        if (m.test(vals[i])) {
          hit = true;
          break;
        }
      }
      if (!hit) return false;
    }
    return true;
  };
}

/** The lowercased copies of an event's strings, shared by the keyword tests of one event. */
const loweredStrings = new WeakMap<string[], string[]>();

function lowered(strings: string[]): string[] {
  let out = loweredStrings.get(strings);
  if (!out) {
    out = strings.map((s) => s.toLowerCase());
    loweredStrings.set(strings, out);
  }
  return out;
}

/** Keyword search: some string of the event passes each tester. */
function keywordPredicate(groups: ValueTester[], lower: boolean): Predicate {
  return (e) => {
    const raw = e.strings();
    const strs = lower ? lowered(raw) : raw;
    for (const m of groups) {
      let hit = false;
      for (let i = 0; i < strs.length; i++) {
        if (m.test(strs[i])) {
          hit = true;
          break;
        }
      }
      if (!hit) return false;
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------
// null, exists, fieldref, numbers

function compileNull(ctx: Ctx, values: unknown[]): Predicate {
  const { plan, field } = ctx;
  if (field === undefined) fail(plan, 'a keyword cannot be null');
  if (values.length > 1) {
    fail(plan, 'null cannot be part of a list of values (spec); put `field: null` in a selection of its own');
  }
  const extra = ctx.modifiers.filter((m) => m !== 'neq');
  if (extra.length > 0) fail(plan, `null cannot be used with the modifier '${extra[0]}'`);
  const f = field!;
  return (e) => {
    const vals = e.get(f);
    if (vals.length === 0) return true;
    for (let i = 0; i < vals.length; i++) if (vals[i] === null || vals[i] === undefined) return true;
    return false;
  };
}

function compileExists(ctx: Ctx, values: Scalar[]): Predicate {
  const { plan } = ctx;
  const field = ctx.field!;
  const v = values[0];
  if (values.length !== 1) fail(plan, "'exists' takes a single value, true or false");
  let want: boolean;
  if (typeof v === 'boolean') want = v;
  else if (typeof v === 'string' && /^(true|false)$/i.test(v)) want = v.toLowerCase() === 'true';
  else return fail(plan, `'exists' takes true or false, got ${show(v)}`);
  return want ? (e) => e.exists(field) : (e) => !e.exists(field);
}

/** A scalar event value as a string for fieldref comparison, or undefined. */
function scalarText(v: unknown, lower: boolean): string | undefined {
  if (typeof v === 'string') return lower ? v.toLowerCase() : v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

function compileFieldref(ctx: Ctx, values: Scalar[]): Predicate {
  const { plan } = ctx;
  const field = ctx.field!;
  const lower = !plan.cased;
  const anchor = plan.anchor;
  const refs = values.map((v) => {
    if (typeof v !== 'string' || v === '') fail(plan, `'fieldref' needs a field name, got ${show(v)}`);
    if (hasWildcard(parseSigmaString(v as string)))
      fail(plan, `a field reference cannot hold wildcards: ${show(v)}`);
    return v as string;
  });
  const related = (a: string, b: string): boolean => {
    switch (anchor) {
      case 'exact':
        return a === b;
      case 'contains':
        return a.includes(b);
      case 'startswith':
        return a.startsWith(b);
      case 'endswith':
        return a.endsWith(b);
    }
  };
  const one = (e: EventView, ref: string): boolean => {
    const mine = e.get(field);
    if (mine.length === 0) return false;
    const theirs = e.get(ref);
    for (const b of theirs) {
      const tb = scalarText(b, lower);
      if (tb === undefined) continue;
      for (const a of mine) {
        const ta = scalarText(a, lower);
        if (ta !== undefined && related(ta, tb)) return true;
      }
    }
    return false;
  };
  if (refs.length === 1) {
    const ref = refs[0]!;
    return (e) => one(e, ref);
  }
  return plan.all ? (e) => refs.every((r) => one(e, r)) : (e) => refs.some((r) => one(e, r));
}

class NumberMatcher {
  constructor(
    readonly op: ComparisonOp | 'eq',
    readonly bounds: number[],
    readonly part: TimePart | undefined,
  ) {}

  test(v: unknown): boolean {
    const n = this.part === undefined ? toNumber(v) : timestampPart(v, this.part);
    if (n === undefined) return false;
    for (const b of this.bounds) if (compareNumbers(n, this.op, b)) return true;
    return false;
  }
}

function compileNumeric(ctx: Ctx, values: Scalar[]): Predicate {
  const { plan } = ctx;
  const part = plan.timePart;
  const bounds = values.map((v) => {
    const n = typeof v === 'number' ? v : typeof v === 'string' ? parseDecimal(v.trim()) : undefined;
    const mod = part ?? plan.compare!;
    if (n === undefined || !Number.isFinite(n)) fail(plan, `'${mod}' needs a number, got ${show(v)}`);
    if (part !== undefined) {
      const [lo, hi] = TIME_RANGES[part];
      if (!Number.isInteger(n) || n! < lo || n! > hi) {
        fail(
          plan,
          `'${part}' needs a whole number${part === 'year' ? '' : ` from ${lo} to ${hi}`}, got ${show(v)}`,
        );
      }
    }
    return n!;
  });
  const op = plan.compare ?? 'eq';
  const groups = plan.all
    ? bounds.map((b) => new NumberMatcher(op, [b], part))
    : [new NumberMatcher(op, bounds, part)];
  return fieldPredicate(ctx.field!, groups);
}

// ---------------------------------------------------------------------------------------
// Sigma strings

/** Modifiers that make a number or boolean a string to transform. */
export function transformsStrings(plan: ModifierPlan): boolean {
  return plan.anchor !== 'exact' || plan.windash || plan.expand || plan.encodings.length > 0;
}

function compileStrings(ctx: Ctx, values: Scalar[]): Predicate {
  const { plan, field } = ctx;
  const keyword = field === undefined;
  const ci = !plan.cased;
  // Keyword search is contains-like unless anchored explicitly.
  const anchor: Anchor = keyword && plan.anchor === 'exact' ? 'contains' : plan.anchor;
  const groups: StringMatcher[] = [];
  let current: StringMatcher | undefined;
  for (const v of values) {
    if (!current || plan.all) {
      current = new StringMatcher(ci);
      groups.push(current);
    }
    if (!keyword && !transformsStrings(plan) && typeof v !== 'string') {
      if (typeof v === 'number') current.addNumber(v);
      else current.addBoolean(v);
      continue;
    }
    for (const p of valuePatterns(ctx, String(v), anchor)) current.addPattern(p);
  }
  if (field !== undefined) return fieldPredicate(field, groups);
  const lower = groups.some((g) => g.needsLowercase);
  const testers: ValueTester[] = groups.map((g) => ({ test: (s: unknown) => g.testLowered(s as string) }));
  return keywordPredicate(testers, lower);
}

/**
 * The final patterns one rule string stands for (placeholders substituted, windash positions
 * expanded or kept, encodings applied, anchored): what the streaming matcher compiles, for
 * other backends (Elasticsearch) to express the same values. Throws SigmaError as compiling does.
 */
export function stringValuePatterns(
  plan: ModifierPlan,
  field: string | undefined,
  modifiers: readonly string[],
  raw: string,
  anchor: Anchor,
  opts: CompileOptions = {},
): Pattern[] {
  return valuePatterns({ plan, field, modifiers, opts }, raw, anchor);
}

/** The final patterns of one rule value: placeholders, windash, encodings, anchoring. */
function valuePatterns(ctx: Ctx, raw: string, anchor: Anchor): Pattern[] {
  const { plan } = ctx;
  let p = parseSigmaString(raw);
  if (plan.expand) p = insertPlaceholders(p);
  if (plan.windash) p = markWindash(p);
  let patterns: Pattern[] = [p];
  if (p.some((part) => part.k === 'ph')) {
    const table = ctx.opts.placeholders;
    const lookup = (name: string): Pattern[] => {
      const vals = table === undefined ? undefined : Object.hasOwn(table, name) ? table[name] : undefined;
      if (!vals && ctx.opts.unknownPlaceholders === 'wildcard') return [[STAR]];
      if (!vals) {
        return fail(
          plan,
          table === undefined
            ? `placeholder %${name}% cannot be expanded: no placeholder values are configured`
            : `unknown placeholder %${name}%`,
        );
      }
      return vals.map((s) => parseSigmaString(String(s)));
    };
    try {
      patterns = substitutePlaceholders(p, lookup, EXPANSION_LIMIT);
    } catch (err) {
      if (err instanceof RangeError) fail(plan, err.message);
      throw err;
    }
  }
  if (plan.windash) {
    const encode = plan.encodings.length > 0;
    const out: Pattern[] = [];
    for (const q of patterns) {
      const n = countDashes(q);
      if (encode && n > WINDASH_ENCODE_MAX) {
        fail(plan, `too many windash positions (${n}) to encode ${show(raw)}; at most ${WINDASH_ENCODE_MAX}`);
      }
      if (n > 0 && (encode || n <= WINDASH_EXPAND_MAX)) out.push(...expandDashes(q));
      else out.push(q);
      if (out.length > EXPANSION_LIMIT)
        fail(plan, `${show(raw)} expands to more than ${EXPANSION_LIMIT} values`);
    }
    patterns = out;
  }
  let encoded: EncodedValue = { patterns, binary: false };
  for (const enc of plan.encodings) encoded = applyEncoding(encoded, enc, plan.label);
  return encoded.patterns.map((q) => anchorPattern(q, anchor));
}

/** The required literals of one rule value (see {@link requiredLiterals}). */
function literalsOfValue(v: unknown, plan: ModifierPlan): string[] {
  if (typeof v !== 'string') return [];
  if (plan.encodings.includes('base64offset')) return [];
  let p: Pattern = parseSigmaString(v);
  if (plan.expand) p = insertPlaceholders(p);
  if (plan.windash) p = markWindash(p);
  // Placeholders may become anything; a windash position is one of several characters.
  p = normalize(p.map((part): Part => (part.k === 'ph' ? STAR : part)));
  if (p.some((part) => part.k === 'dash')) {
    if (plan.encodings.length > 0) return [];
    p = p.map((part): Part => (part.k === 'dash' ? { k: 'one' } : part));
  }
  let patterns = [p];
  if (plan.encodings.length > 0) {
    let encoded: EncodedValue = { patterns, binary: false };
    for (const enc of plan.encodings) encoded = applyEncoding(encoded, enc, plan.label);
    patterns = encoded.patterns;
  }
  if (patterns.length !== 1) return [];
  const lits = patterns[0]!
    .filter((part) => part.k === 'lit')
    .map((part) => (plan.cased ? part.s : part.s.toLowerCase()));
  if (lits.length === 0) return [];
  // Could the value match a number's or boolean's string form? Then a string-only filter is unsafe.
  const folded = lits.map((l) => l.toLowerCase());
  if (folded.every((l) => /^[0-9.e+-]*$/.test(l))) return [];
  if (folded.every((l) => 'true'.includes(l)) || folded.every((l) => 'false'.includes(l))) return [];
  return [...new Set(lits)];
}
