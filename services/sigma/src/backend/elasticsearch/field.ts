/**
 * One `field|modifiers: values` entry of a detection (or a keyword list) as a query, with the
 * semantics of the engine's matcher (../../detection/values.ts): the same modifier parsing,
 * the same value patterns, the same treatment of numbers, booleans and null. A Sigma field
 * stands for several event paths (pipeline renames); it matches when any path does.
 */
import {
  type Anchor,
  CidrMatcher,
  type ComparisonOp,
  compileRegex,
  type ModifierPlan,
  parseIPv6,
  parseModifiers,
} from '../../detection/modifiers.ts';
import {
  type CompileOptions,
  type FieldCondition,
  stringValuePatterns,
  transformsStrings,
} from '../../detection/values.ts';
import { parseDecimal } from '../../detection/wildcard.ts';
import { allOf, anyOf, exists, MATCH_NONE, not, type Query, range, regexp, term } from './dsl.ts';
import { unsupported } from './errors.ts';
import { fieldKind, KEYWORDS_FIELD, stringField } from './mapping.ts';
import { luceneRegexp } from './regex.ts';
import { hasCase, numberOnKeyword, patternQuery } from './strings.ts';

/** Sigma field name → event paths (the pipeline's resolver for the source). */
export type Paths = (field: string) => readonly string[];

type Scalar = string | number | boolean;

/** Compiles one field condition. The rule must already have compiled in the engine (validated). */
export function fieldQuery(cond: FieldCondition, paths: Paths, opts: CompileOptions = {}): Query {
  const field = cond.field === '' ? undefined : cond.field;
  const plan = parseModifiers(field, cond.modifiers);
  const targets = field === undefined ? [KEYWORDS_FIELD] : [...paths(field)];
  const q = inner(plan, field, cond.modifiers, cond.values, targets, opts);
  return plan.neq ? not(q) : q;
}

function inner(
  plan: ModifierPlan,
  field: string | undefined,
  modifiers: readonly string[],
  values: unknown[],
  targets: string[],
  opts: CompileOptions,
): Query {
  if (values.some((v) => v === null || v === undefined)) {
    // Missing on every path (the contract: no null values are written).
    return not(anyOf(targets.map((p) => exists(stringField(p)))));
  }
  const scalars = values as Scalar[];
  /** One query per value group: OR within, AND across with `all`. */
  const combine = (perValue: Query[]): Query => (plan.all ? allOf(perValue) : anyOf(perValue));
  switch (plan.kind) {
    case 'exists': {
      const v = scalars[0];
      const want = typeof v === 'boolean' ? v : String(v).toLowerCase() === 'true';
      const q = anyOf(targets.map((p) => exists(stringField(p))));
      return want ? q : not(q);
    }
    case 'fieldref':
      return unsupported(
        'fieldref',
        `'fieldref' compares two fields of one document, which the Query DSL can do only with a script; the backend runs no scripts (in '${plan.label}')`,
      );
    case 'time':
      return unsupported(
        'time-modifier',
        `'${plan.timePart}' compares a part of a timestamp as written, which needs a script (in '${plan.label}')`,
      );
    case 'cidr':
      return combine(scalars.map((v) => anyOf(targets.map((p) => cidrQuery(p, String(v), plan.label)))));
    case 'compare':
      return combine(
        scalars.map((v) => anyOf(targets.map((p) => compareQuery(p, plan.compare!, v, plan.label)))),
      );
    case 're': {
      const lucene = scalars.map((v) =>
        luceneRegexp(compileRegex(String(v), plan.reFlags, plan.anchor, plan.label)),
      );
      return combine(lucene.map((src) => anyOf(targets.map((p) => regexp(stringField(p), src)))));
    }
    case 'string':
      return combine(scalars.map((v) => stringQuery(plan, field, modifiers, v, targets, opts)));
  }
}

/** One Sigma string (or number / boolean) value on every target path. */
function stringQuery(
  plan: ModifierPlan,
  field: string | undefined,
  modifiers: readonly string[],
  v: Scalar,
  targets: string[],
  opts: CompileOptions,
): Query {
  const ci = !plan.cased;
  if (field !== undefined && !transformsStrings(plan) && typeof v !== 'string') {
    return anyOf(targets.map((p) => (typeof v === 'number' ? numberQuery(p, v) : booleanQuery(p, v, ci))));
  }
  const anchor: Anchor = field === undefined && plan.anchor === 'exact' ? 'contains' : plan.anchor;
  const patterns = stringValuePatterns(plan, field, modifiers, String(v), anchor, opts);
  if (ci)
    for (const p of patterns) for (const part of p) if (part.k === 'lit') checkFolding(part.s, plan.label);
  return anyOf(targets.flatMap((path) => patterns.map((p) => patternQuery(stringField(path), p, ci))));
}

/**
 * Lucene folds case one code point at a time, JavaScript's toLowerCase by full Unicode rules;
 * they part ways on the few letters whose lowercase is longer (İ → i̇) or depends on context
 * (final sigma). A literal with such a letter cannot be matched case-insensitively exactly.
 */
function checkFolding(s: string, label: string): void {
  for (const c of s) {
    if (c.charCodeAt(0) < 0x80 || !hasCase(c)) continue;
    if (
      c.toLowerCase().length !== c.length ||
      c.toUpperCase().length !== c.length ||
      c === 'Σ' ||
      c === 'ς' ||
      c === 'σ'
    ) {
      unsupported(
        'case-folding',
        `case-insensitive '${c}' folds differently in Lucene and JavaScript (in '${label}')`,
      );
    }
  }
}

function numberQuery(path: string, n: number): Query {
  const kind = fieldKind(path);
  if (kind === 'long') return Number.isInteger(n) ? term(path, n) : MATCH_NONE;
  return anyOf(numberOnKeyword(stringField(path), n));
}

function booleanQuery(path: string, b: boolean, ci: boolean): Query {
  // A boolean equals the event boolean (indexed as `true`/`false`) and the string, folded unless cased.
  return fieldKind(path) === 'long' ? MATCH_NONE : term(stringField(path), b ? 'true' : 'false', ci);
}

function cidrQuery(path: string, cidr: string, label: string): Query {
  if (fieldKind(path) !== 'ip') {
    return unsupported(
      'cidr-on-text-field',
      `'cidr' on ${path}, which the mapping contract keeps as keyword (not ip) (in '${label}')`,
    );
  }
  new CidrMatcher().add(cidr, label); // validates as the engine does
  return term(path, esCidr(cidr.trim()));
}

/**
 * The engine's networks in the form Elasticsearch accepts: a bare address gets its full prefix,
 * and an IPv4-mapped IPv6 network (refused as ambiguous) becomes the IPv4 network it stands for.
 */
export function esCidr(cidr: string): string {
  const [addr = '', prefixText] = cidr.split('/');
  const v6 = addr.includes(':') ? parseIPv6(addr) : undefined;
  if (!v6) return `${addr}/${prefixText ?? 32}`;
  const prefix = prefixText === undefined ? 128 : Number(prefixText);
  const masked = v6.map((g, i) => {
    const bits = Math.min(16, Math.max(0, prefix - i * 16));
    return g & ((0xffff << (16 - bits)) & 0xffff);
  });
  if (prefix >= 96 && masked.slice(0, 5).every((g) => g === 0) && masked[5] === 0xffff) {
    const [hi = 0, lo = 0] = masked.slice(6);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}/${prefix - 96}`;
  }
  return `${masked.map((g) => g.toString(16)).join(':')}/${prefix}`;
}

function compareQuery(path: string, op: ComparisonOp, v: Scalar, label: string): Query {
  const n = typeof v === 'number' ? v : parseDecimal(String(v).trim());
  if (n === undefined) throw new Error(`internal: '${op}' value ${String(v)} was not validated`);
  if (fieldKind(path) !== 'long') {
    return unsupported(
      'compare-on-text-field',
      `'${op}' on ${path}, which the mapping contract keeps as keyword: a range query would compare text (in '${label}')`,
    );
  }
  return range(path, op, n);
}
