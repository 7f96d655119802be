import { randomBytes } from 'node:crypto';
import type { RuleException } from '@soc/core';
import {
  formatProblem,
  loadPipeline,
  type Pipeline,
  parseSigmaText,
  SigmaEngine,
  type SigmaRule,
} from '@soc/sigma';
import type { FieldError } from '../../http/problem.ts';

export const MAX_RULE_BYTES = 256 * 1024;
export const PIPELINES = ['ecs', 'windows', 'none'] as const;
export type PipelineName = (typeof PIPELINES)[number];

const pipelines = new Map<string, Pipeline>();
function pipelineOf(name: PipelineName): Pipeline | undefined {
  if (name === 'none') return undefined;
  let p = pipelines.get(name);
  if (!p) {
    p = loadPipeline(name);
    pipelines.set(name, p);
  }
  return p;
}

/**
 * One Sigma rule from YAML text, compiled by the project's engine (@soc/sigma) the way
 * detection will compile it: a rule the engine rejects is rejected here, with its line.
 */
export function compileRule(
  source: string,
  pipeline: PipelineName = 'none',
): { rule: SigmaRule; engine: SigmaEngine; state: string; reason?: string } | { errors: FieldError[] } {
  const file = `rule-${randomBytes(4).toString('hex')}.yml`;
  const loaded = parseSigmaText(source, file);
  if (loaded.problems.length)
    return {
      errors: loaded.problems
        .slice(0, 20)
        .map((p) => ({ field: 'body.source', message: formatProblem(p).replace(`${file}:`, 'line ') })),
    };
  const rules = loaded.documents.filter((d): d is SigmaRule => d.kind === 'rule');
  if (rules.length !== 1 || loaded.documents.length !== 1)
    return {
      errors: [
        {
          field: 'body.source',
          message: 'exactly one Sigma rule (no collections, filters or correlations) per rule document',
        },
      ],
    };
  const engine = new SigmaEngine({ pipeline: pipelineOf(pipeline) });
  const status = engine.add(rules[0]!);
  if (status.state === 'rejected')
    return {
      errors: [
        { field: `body.source${status.path ? `.${status.path}` : ''}`, message: status.reason ?? 'rejected' },
      ],
    };
  return {
    rule: rules[0]!,
    engine,
    state: status.state,
    ...(status.reason ? { reason: status.reason } : {}),
  };
}

function valuesAt(event: unknown, path: string): unknown[] {
  // ECS documents are nested; dotted keys are accepted too.
  let nodes: unknown[] = [event];
  for (const part of path.split('.')) {
    nodes = nodes.flatMap((n) => {
      if (n && typeof n === 'object' && !Array.isArray(n)) {
        const v = (n as Record<string, unknown>)[part];
        return Array.isArray(v) ? v : v === undefined ? [] : [v];
      }
      return [];
    });
  }
  const flat = (event as Record<string, unknown> | null)?.[path];
  return flat === undefined ? nodes : [...nodes, ...(Array.isArray(flat) ? flat : [flat])];
}

/** The first exception that suppresses an alert for this event, if any. */
export function suppressedBy(
  event: unknown,
  exceptions: RuleException[],
  orgId?: string,
): RuleException | undefined {
  return exceptions.find(
    (e) =>
      (!e.organization_id || e.organization_id === orgId) &&
      valuesAt(event, e.field).some((v) => e.values.includes(String(v))),
  );
}
