/**
 * A pipeline source's conditions (which events stand for a logsource) as a filter query, with
 * the semantics of ../../pipeline/route.ts: every condition must hold; a `values` condition
 * holds when some value at one of its paths, normalised (numbers and integer-looking strings
 * numerically, other strings case-insensitively), is one of the exact values or matches a
 * `*` glob; an `exists` condition tests whether any path exists.
 */
import type { Condition, PipelineSource } from '../../pipeline/types.ts';
import { allOf, anyOf, exists, not, type Query, regexp, term, wildcard } from './dsl.ts';
import { unsupported } from './errors.ts';
import { fieldKind, stringField } from './mapping.ts';
import { escapeWildcard, hasCase } from './strings.ts';

/** The strings `normalise` reads as numbers (pipeline/types.ts). */
const NUMERIC = /^[+-]?\d{1,15}(\.\d{1,6})?$/;

export function sourceFilter(source: PipelineSource): Query {
  return allOf(source.conditions.map((c) => conditionQuery(c, source.name)));
}

function conditionQuery(c: Condition, source: string): Query {
  if (c.paths.some((p) => p.split('.').includes('*'))) {
    unsupported('pipeline-condition', `source ${source}: a path with a '*' segment (${c.field})`);
  }
  const fields = c.paths.map(stringField);
  if (c.kind === 'exists') {
    const any = anyOf(fields.map(exists));
    return c.exists ? any : not(any);
  }
  const per: Query[] = [];
  for (const path of c.paths) {
    const field = stringField(path);
    const textual = fieldKind(path) !== 'long';
    for (const v of c.exact) {
      per.push(term(field, v, hasCase(v)));
      if (textual && NUMERIC.test(v)) per.push(regexp(field, normalisedNumber(v, source)));
    }
    for (const g of c.globs) per.push(globQuery(field, g, source));
  }
  return anyOf(per);
}

/**
 * The strings `normalise` maps to the canonical number `v`: optional sign, up to 15 integer
 * digits with leading zeros, up to 6 fractional digits with trailing zeros.
 */
function normalisedNumber(v: string, source: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(v);
  const [, minus = '', int = '', frac = ''] = m ?? [];
  if (!m || int.length > 15 || frac.length > 6 || int.length + frac.length > 15) {
    return unsupported(
      'pipeline-condition',
      `source ${source}: the number ${v} is too long to match exactly`,
    );
  }
  const sign = minus ? '\\-' : v === '0' ? '[\\+\\-]?' : '\\+?';
  const intPart = int === '0' ? '0{1,15}' : `0{0,${15 - int.length}}${int}`;
  const fracPart = frac === '' ? '(\\.0{1,6})?' : `\\.${frac}0{0,${6 - frac.length}}`;
  return `${sign}${intPart}${fracPart}`;
}

/**
 * A glob of the pipeline (`*` only, matched against the normalised value). Numeric strings
 * are normalised before matching; a glob that could match one cannot be a plain wildcard.
 */
function globQuery(field: string, g: RegExp, source: string): Query {
  const body = g.source.replace(/^\^/, '').replace(/\$$/, '');
  const parts = body.split('.*').map((s) => s.replace(/\\(.)/g, '$1'));
  if (
    parts
      .join('')
      .split('')
      .every((ch) => /[0-9.+-]/.test(ch))
  ) {
    unsupported('pipeline-condition', `source ${source}: the glob /${body}/ could match a number`);
  }
  return wildcard(field, parts.map(escapeWildcard).join('*'), true);
}
