import type { Client } from '@elastic/elasticsearch';
import { type RuleState, ruleStateSchema, type SocIndices } from '@soc/core';
import { formatProblem, listRuleFiles, type Pipeline, parseSigmaFile, SigmaEngine } from '@soc/sigma';
import { newRuleState } from './rule-state.ts';
import { ensureAlertIndices } from './store.ts';

export interface ImportSummary {
  files: number;
  /** Rules and correlations written for the first time. */
  added: number;
  /** Already in the index with another source: a new version. */
  updated: number;
  unchanged: number;
  /** Documents without an id (the rules index is keyed by it). */
  withoutId: number;
  /** Rejected by the parser or compiler: `file:line: reason`. */
  rejected: string[];
  /** Loaded, but no source of the pipeline serves their logsource: they will never fire. */
  noSource: number;
}

/**
 * `soc rules import PATH`: a folder of Sigma rules (a SigmaHQ pack) into the rules index, one
 * document per rule with its own YAML, so detection loads them on its next reload. Idempotent:
 * a rule already there with the same source is left alone (version, enabled, exceptions kept);
 * a changed source is a new version. New rules start `enabled` unless told otherwise.
 */
export async function importRules(
  es: Client,
  ix: SocIndices,
  paths: string[],
  opts: {
    pipeline: Pipeline;
    enabled: boolean;
    user: string;
    progress?: (done: number, total: number) => void;
  },
): Promise<ImportSummary> {
  await ensureAlertIndices(es, ix);
  const files = listRuleFiles(paths);
  const summary: ImportSummary = {
    files: files.length,
    added: 0,
    updated: 0,
    unchanged: 0,
    withoutId: 0,
    rejected: [],
    noSource: 0,
  };
  const check = new SigmaEngine({ pipeline: opts.pipeline });
  const CHUNK = 200;
  for (let i = 0; i < files.length; i += CHUNK) {
    const states: RuleState[] = [];
    for (const f of files.slice(i, i + CHUNK)) {
      const r = parseSigmaFile(f);
      summary.rejected.push(...r.problems.map(formatProblem));
      for (const d of r.documents) {
        if (d.kind === 'filter') continue;
        if (!d.id) {
          summary.withoutId++;
          continue;
        }
        if (d.kind === 'rule') {
          const status = check.add(d);
          if (status.state === 'rejected') {
            summary.rejected.push(`${f}: ${status.reason}`);
            continue;
          }
          if (status.state === 'no-source') summary.noSource++;
        }
        states.push(newRuleState({ ...d, id: d.id }, { enabled: opts.enabled, user: opts.user }));
      }
    }
    if (states.length) await write(es, ix.rules, states, summary);
    opts.progress?.(Math.min(i + CHUNK, files.length), files.length);
  }
  await es.indices.refresh({ index: ix.rules });
  return summary;
}

async function write(es: Client, index: string, states: RuleState[], summary: ImportSummary): Promise<void> {
  const existing = await es.mget<RuleState>({ index, ids: states.map((s) => s.id) });
  const ops: object[] = [];
  existing.docs.forEach((d, k) => {
    const next = states[k]!;
    const found = 'found' in d && d.found ? ruleStateSchema.safeParse(d._source) : undefined;
    if (found?.success) {
      const cur = found.data;
      if (cur.source === next.source) {
        summary.unchanged++;
        return;
      }
      summary.updated++;
      ops.push(
        { index: { _index: index, _id: next.id } },
        { ...next, enabled: cur.enabled, exceptions: cur.exceptions, version: cur.version + 1 },
      );
    } else {
      summary.added++;
      ops.push({ index: { _index: index, _id: next.id } }, next);
    }
  });
  if (!ops.length) return;
  const res = await es.bulk({ operations: ops });
  if (res.errors) {
    const first = res.items.find((it) => it.index?.error)?.index?.error;
    throw new Error(`rules index refused documents: ${first?.type}: ${first?.reason}`);
  }
}
