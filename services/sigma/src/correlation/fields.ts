/**
 * Reading group-by and condition fields. A base rule's event is read through the pipeline
 * exactly as its detection reads it (the same source renames and prefixes), so `group-by:
 * [User]` means the same field the rule's own `User:` selection tests. A chained
 * correlation's "event" is an inner match, read from the inner match's group.
 */
import {
  fieldResolver,
  type Pipeline,
  type SourceId,
  sourcesFor,
  sourcesOfEvent,
  valuesAt,
} from '../pipeline/index.ts';
import type { SigmaRule } from '../rule/model.ts';
import type { FieldReader, Scalar } from './types.ts';

/**
 * A reader for events matched by rules under `pipeline` (none: field names as written). An
 * event can belong to several of a rule's sources; the first one in which the field has a
 * value is used.
 */
export function pipelineFieldReader(pipeline: Pipeline | undefined): FieldReader {
  if (!pipeline) return (_rule, event, field) => valuesAt(event, fieldResolver(undefined, undefined)(field));
  const ruleSources = new WeakMap<SigmaRule, ReadonlySet<SourceId>>();
  return (rule, event, field) => {
    let mine = ruleSources.get(rule);
    if (!mine) {
      mine = new Set(sourcesFor(pipeline, rule.logsource));
      ruleSources.set(rule, mine);
    }
    for (const source of sourcesOfEvent(pipeline, event)) {
      if (!mine.has(source)) continue;
      const values = valuesAt(event, fieldResolver(pipeline, source)(field));
      if (values.length > 0) return values;
    }
    // Not routed through the rule's sources (e.g. fed directly): global renames only.
    return valuesAt(event, fieldResolver(pipeline, undefined)(field));
  };
}

/** The scalar values of a field, without duplicates; objects and nulls cannot name a group. */
export function scalars(values: readonly unknown[]): Scalar[] {
  const out: Scalar[] = [];
  for (const v of values) {
    if (
      (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) &&
      !out.includes(v)
    )
      out.push(v);
  }
  return out;
}

/**
 * Every combination of the group-by fields' values (an event whose `IpAddress` holds two
 * addresses counts in both groups), at most `max` of them; [] when a field has no value.
 */
export function combinations(perField: readonly Scalar[][], max: number): Scalar[][] {
  let out: Scalar[][] = [[]];
  for (const values of perField) {
    if (values.length === 0) return [];
    const next: Scalar[][] = [];
    for (const prefix of out) for (const v of values) if (next.length < max) next.push([...prefix, v]);
    out = next;
  }
  return out;
}

/** A number from a number or a numeric string (`"1024"`, `" 2.5e3 "`); undefined otherwise. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
