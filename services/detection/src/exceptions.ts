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

/** Values at a dotted ECS path, through nested objects and arrays (also literal dotted keys). */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  const walk = (node: unknown, rest: string): void => {
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      for (const n of node) walk(n, rest);
      return;
    }
    if (rest === '') {
      out.push(node);
      return;
    }
    if (typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    // The longest key that is a prefix of the path first: ECS documents may hold dotted keys.
    let i = rest.length;
    while (i > 0) {
      const key = rest.slice(0, i);
      if (key in o) walk(o[key], i === rest.length ? '' : rest.slice(i + 1));
      i = rest.lastIndexOf('.', i - 1);
    }
  };
  walk(doc, path);
  return out;
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
export function exceptionFilterYaml(ruleId: string, logsource: Record<string, unknown>, e: RuleException): string {
  const selection: Record<string, unknown> = { [`${e.field}|cased`]: e.values };
  if (e.organization_id) selection['soc.organization.id|cased'] = e.organization_id;
  return JSON.stringify({
    title: `Exception ${e.id} of ${ruleId}`,
    logsource,
    // a filter's condition selects what is excluded (the filters specification's example)
    filter: { rules: [ruleId], exception: selection, condition: 'exception' },
  });
}
