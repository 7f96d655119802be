/**
 * Resolution of correlation documents against the loaded rules: `rules:` entries name a rule
 * or a correlation by `name` or `id`, aliases name the referenced rules the same way, and a
 * chain of correlations must end in base rules without a cycle. Everything that would make a
 * correlation silently never fire is rejected here, with the document's line.
 */
import type { RuleProblem, SigmaCorrelation, SigmaRule } from '../rule/model.ts';
import { type Comparison, correlationComparison } from './condition.ts';
import { parseTimespan } from './timespan.ts';
import type { CorrelationLimits } from './types.ts';

export type CorrelationType = SigmaCorrelation['doc']['correlation']['type'];

/** One entry of a correlation's `rules:` list, resolved. */
export type Target = { kind: 'rule'; rule: SigmaRule } | { kind: 'correlation'; index: number };

export interface CompiledCorrelation {
  /** Position in `CorrelationSet.compiled`. */
  index: number;
  correlation: SigmaCorrelation;
  /** Stable identity in snapshots: id, else name, else file#document. */
  key: string;
  type: CorrelationType;
  spanMs: number;
  comparison: Comparison;
  /**
   * Tested on every event (the aggregate only grows while the window fills and the comparison
   * only has lower bounds) rather than once when the window closes.
   */
  eager: boolean;
  /** Output names of the group-by fields, as written (aliases included). */
  groupBy: string[];
  targets: Target[];
  /** Per target, per group-by entry: the field to read in that target's events (aliases applied). */
  groupFields: string[][];
  /** Per target: the condition.field name(s) to read (aliases applied); [] for count types. */
  valueFields: string[][];
  /** Output name of condition.field (value_percentile adds it to the group). */
  valueName: string | undefined;
  /** Whether this correlation's own matches are emitted (not consumed silently by an outer one). */
  output: boolean;
}

export interface CorrelationSet {
  compiled: CompiledCorrelation[];
  problems: RuleProblem[];
  warnings: string[];
  /** Base rules some correlation consumes without `generate: true`: their own matches are not output. */
  silenced: Set<SigmaRule>;
}

type Doc = SigmaRule | SigmaCorrelation;
const GROWING = new Set<CorrelationType>([
  'event_count',
  'value_count',
  'value_sum',
  'temporal',
  'temporal_ordered',
]);
const SINGLE_FIELD = new Set<CorrelationType>(['value_sum', 'value_avg', 'value_percentile', 'value_median']);

const label = (d: Doc) => d.name ?? d.id ?? d.title;
const keyOf = (c: SigmaCorrelation) => c.id ?? c.name ?? `${c.origin.file}#${c.origin.document}`;

export function resolveCorrelations(
  correlations: readonly SigmaCorrelation[],
  rules: readonly SigmaRule[],
  limits: CorrelationLimits,
): CorrelationSet {
  const docs: Doc[] = [...rules, ...correlations];
  const problems: RuleProblem[] = [];
  const warnings: string[] = [];
  const compiled: CompiledCorrelation[] = [];
  const done = new Map<SigmaCorrelation, CompiledCorrelation | null>();
  const visiting = new Set<SigmaCorrelation>();
  const consumers = new Map<Doc, boolean[]>();

  const reject = (c: SigmaCorrelation, message: string, path = 'correlation'): null => {
    problems.push({ file: c.origin.file, line: c.origin.line, document: c.origin.document, path, message });
    done.set(c, null);
    return null;
  };

  /** The one document `ref` names: same-file documents win over others with the same name. */
  const lookup = (c: SigmaCorrelation, ref: string): Doc | string => {
    const all = docs.filter((d) => d !== c && (d.id === ref || d.name === ref));
    const local = all.filter((d) => d.origin.file === c.origin.file);
    const found = local.length > 0 ? local : all;
    if (found.length === 0) return `refers to ${JSON.stringify(ref)}, which is no loaded rule's name or id`;
    if (found.length > 1) return `${JSON.stringify(ref)} names ${found.length} rules; names must be unique`;
    return found[0]!;
  };

  const compile = (c: SigmaCorrelation): CompiledCorrelation | null => {
    if (done.has(c)) return done.get(c)!;
    if (visiting.has(c)) return reject(c, 'correlations refer to each other in a cycle', 'correlation.rules');
    visiting.add(c);
    try {
      return build(c);
    } finally {
      visiting.delete(c);
    }
  };

  const build = (c: SigmaCorrelation): CompiledCorrelation | null => {
    const body = c.doc.correlation;
    const refs = Array.isArray(body.rules) ? body.rules : [body.rules];
    const resolved: Doc[] = [];
    for (const ref of refs) {
      const d = lookup(c, ref);
      if (typeof d === 'string') return reject(c, d, 'correlation.rules');
      if (resolved.includes(d))
        return reject(c, `${JSON.stringify(ref)} is referred to twice`, 'correlation.rules');
      resolved.push(d);
    }
    const targets: Target[] = [];
    for (const d of resolved) {
      if (d.kind === 'rule') {
        targets.push({ kind: 'rule', rule: d });
        continue;
      }
      const inner = compile(d);
      if (!inner)
        return done.has(c)
          ? null
          : reject(c, `refers to rejected correlation ${label(d)}`, 'correlation.rules');
      targets.push({ kind: 'correlation', index: inner.index });
    }
    let spanMs: number;
    let comparison: Comparison;
    try {
      spanMs = parseTimespan(body.timespan);
      comparison = correlationComparison(c, targets.length);
    } catch (err) {
      return reject(c, (err as Error).message);
    }
    const aliases = body.aliases ?? {};
    const aliasByTarget = new Map<string, Map<number, string>>();
    for (const [alias, perRule] of Object.entries(aliases)) {
      const m = new Map<number, string>();
      for (const [ref, field] of Object.entries(perRule)) {
        const at = resolved.findIndex((d) => d.name === ref || d.id === ref);
        if (at < 0)
          return reject(
            c,
            `alias ${alias} names ${JSON.stringify(ref)}, which is not among the correlated rules`,
            `correlation.aliases.${alias}`,
          );
        m.set(at, field);
      }
      aliasByTarget.set(alias, m);
    }
    const fieldFor = (name: string, t: number) => aliasByTarget.get(name)?.get(t) ?? name;
    const groupBy = body['group-by'] ?? [];
    const rawValue = body.condition?.field;
    const valueNames = rawValue === undefined ? [] : Array.isArray(rawValue) ? rawValue : [rawValue];
    if (SINGLE_FIELD.has(body.type) && valueNames.length !== 1)
      return reject(
        c,
        `a ${body.type} correlation needs exactly one condition.field`,
        'correlation.condition.field',
      );
    const uses = body.type === 'event_count' || body.type === 'temporal' || body.type === 'temporal_ordered';
    const groupFields = targets.map((_, t) => groupBy.map((g) => fieldFor(g, t)));
    const valueFields = targets.map((_, t) => (uses ? [] : valueNames.map((v) => fieldFor(v, t))));
    // A chained correlation only knows its inner matches' groups: a field outside them never has a value.
    for (const [t, target] of targets.entries()) {
      if (target.kind !== 'correlation') continue;
      const inner = compiled[target.index]!;
      const known = [
        ...inner.groupBy,
        ...(inner.type === 'value_percentile' && inner.valueName ? [inner.valueName] : []),
      ];
      for (const f of [...groupFields[t]!, ...valueFields[t]!])
        if (!known.includes(f))
          return reject(
            c,
            `field ${f} is not a group-by field of the correlation ${label(inner.correlation)} it reads`,
            'correlation.group-by',
          );
    }
    const eager = comparison.lowerOnly && GROWING.has(body.type);
    if (eager && body.type === 'event_count' && comparison.minimum > limits.maxEventsPerGroup)
      warnings.push(
        `${c.origin.file}: ${c.title}: needs ${comparison.minimum} events but a group holds at most ${limits.maxEventsPerGroup}`,
      );
    const generate = c.doc.generate ?? body.generate ?? false;
    for (const d of resolved) consumers.set(d, [...(consumers.get(d) ?? []), generate]);
    const cc: CompiledCorrelation = {
      index: compiled.length,
      correlation: c,
      key: keyOf(c),
      type: body.type,
      spanMs,
      comparison,
      eager,
      groupBy,
      targets,
      groupFields,
      valueFields,
      valueName: valueNames.length === 1 ? valueNames[0] : undefined,
      output: true,
    };
    compiled.push(cc);
    done.set(c, cc);
    return cc;
  };

  for (const c of correlations) compile(c);
  // The specification's default: referenced rules serve the correlation only, unless one of the
  // correlations that use them says `generate: true`.
  const emits = (d: Doc) => consumers.get(d)?.some(Boolean) ?? true;
  for (const cc of compiled) cc.output = emits(cc.correlation);
  const silenced = new Set(rules.filter((r) => !emits(r)));
  return { compiled, problems, warnings, silenced };
}
