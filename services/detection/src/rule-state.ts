import type { RuleState } from '@soc/core';
import type { SigmaCorrelation, SigmaRule } from '@soc/sigma';
import { stringify } from 'yaml';

/** A rule's state document as first written: its own YAML, metadata for lists and filters. */
export function newRuleState(
  d: (SigmaRule | SigmaCorrelation) & { id: string },
  opts: { enabled: boolean; user: string; file?: string; now?: Date },
): RuleState {
  const doc = d.doc as { tags?: string[]; status?: string; logsource?: Record<string, string> };
  return {
    id: d.id,
    title: d.title,
    level: d.level ?? 'medium',
    status: doc.status,
    tags: doc.tags ?? [],
    logsource: Object.fromEntries(
      Object.entries(doc.logsource ?? {}).filter(([, v]) => typeof v === 'string'),
    ),
    source: stringify(d.doc),
    ...(opts.file ? { file: opts.file } : {}),
    enabled: opts.enabled,
    exceptions: [],
    version: 1,
    updated_by: opts.user,
    updated_at: (opts.now ?? new Date()).toISOString(),
  };
}
