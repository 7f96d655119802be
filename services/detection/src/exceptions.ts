import type { RuleException } from '@soc/core';

/**
 * Per-organisation exceptions of one rule (the rules index's `exceptions`): an event whose
 * ECS field equals one of the values — exactly, case-sensitively, as the rule-state contract
 * says — raises no alert for that rule. Evaluated here rather than through
 * `SigmaEngine.addFilter` because Sigma matching is case-insensitive and an exception must
 * not silence more than the analyst wrote; `exceptionFilterYaml` gives the equivalent Sigma
 * filter for export.
 */
export type ExceptionMatcher = (doc: unknown) => RuleException | undefined;

const SPLIT = new Map<string, string[]>();

/**
 * Values at a dotted ECS path, through nested objects and arrays. Hot (every event, for
 * exceptions and threat-intel fields): a plain walk on the split path, no closures; a literal
 * dotted key (`"user.name": …`, which ingest never writes) is tried only where the walk fails.
 */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  let parts = SPLIT.get(path);
  if (!parts) {
    parts = path.split('.');
    if (SPLIT.size < 10_000) SPLIT.set(path, parts);
  }
  const out: unknown[] = [];
  collect(doc, parts, 0, out);
  return out;
}

function collect(node: unknown, parts: string[], i: number, out: unknown[]): void {
  if (node === null || node === undefined) return;
  if (Array.isArray(node)) {
    for (const n of node) collect(n, parts, i, out);
    return;
  }
  if (i === parts.length) {
    out.push(node);
    return;
  }
  if (typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  const next = o[parts[i]!];
  if (next !== undefined) {
    collect(next, parts, i + 1, out);
    return;
  }
  // literal dotted keys (`a.b` as one key at this level), only where the plain walk failed
  let key = parts[i]!;
  for (let k = i + 1; k < parts.length; k++) {
    key += `.${parts[k]}`;
    if (key in o) collect(o[key], parts, k + 1, out);
  }
}

export function compileExceptions(list: readonly RuleException[]): ExceptionMatcher {
  const compiled = list.map((e) => ({ e, values: new Set(e.values) }));
  return (doc) => {
    for (const { e, values } of compiled) {
      if (
        e.organization_id !== undefined &&
        !valuesAtPath(doc, 'soc.organization.id').includes(e.organization_id)
      )
        continue;
      if (valuesAtPath(doc, e.field).some((v) => values.has(typeof v === 'string' ? v : String(v)))) return e;
    }
    return undefined;
  };
}

/** The Sigma filter (meta-filter document) that says the same, for export to other tools. */
export function exceptionFilterYaml(
  ruleId: string,
  logsource: Record<string, unknown>,
  e: RuleException,
): string {
  const selection: Record<string, unknown> = { [`${e.field}|cased`]: e.values };
  if (e.organization_id) selection['soc.organization.id|cased'] = e.organization_id;
  return JSON.stringify({
    title: `Exception ${e.id} of ${ruleId}`,
    logsource,
    // a filter's condition selects what is excluded (the filters specification's example)
    filter: { rules: [ruleId], exception: selection, condition: 'exception' },
  });
}
