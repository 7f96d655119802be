import { relative } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { RuleState } from '@soc/core';
import type { SigmaDocument } from '@soc/sigma';
import { newRuleState } from './rule-state.ts';

/**
 * Registers the rules of the project's rule files in the rules index (`RuleState.file`), so
 * the API lists them and analysts can switch them off, give them exceptions or hunt with
 * them, like imported rules. The file stays authoritative for the text: a changed file is a
 * new version (enabled and exceptions kept). A state without `file` (an edit through the
 * API, an import) is never overwritten. Idempotent: processes registering the same files at
 * once write the same documents. Returns how many documents were written.
 */
export async function registerFileRules(
  es: Client,
  index: string,
  documents: SigmaDocument[],
  states: RuleState[],
  root: string,
): Promise<number> {
  const current = new Map(states.map((s) => [s.id, s]));
  const next = new Map<string, RuleState>();
  for (const d of documents) {
    if (d.kind === 'filter' || !d.id) continue;
    // Kept relative to the repository when the file is in it, so paths match across hosts.
    const inRepo = relative(root, d.origin.file);
    const file = inRepo.startsWith('..') ? d.origin.file : inRepo;
    const fresh = newRuleState({ ...d, id: d.id }, { enabled: true, user: 'detection', file });
    const cur = current.get(d.id);
    if (cur && !cur.file) continue;
    if (cur && cur.source === fresh.source && cur.file === file) continue;
    next.set(
      d.id,
      cur ? { ...fresh, enabled: cur.enabled, exceptions: cur.exceptions, version: cur.version + 1 } : fresh,
    );
  }
  if (next.size === 0) return 0;
  const res = await es.bulk({
    operations: [...next.values()].flatMap((s) => [{ index: { _index: index, _id: s.id } }, s]),
    refresh: 'wait_for',
  });
  if (res.errors) {
    const first = res.items.find((it) => it.index?.error)?.index?.error;
    throw new Error(`rules index refused a file rule: ${first?.type}: ${first?.reason}`);
  }
  return next.size;
}
