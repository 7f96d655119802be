import { existsSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import { type Logger, socIndices } from '@soc/core';
import { names } from '@soc/ingest';
import { parseSigmaFile, type SigmaRule } from '@soc/sigma';
import type { DetectionConfig } from './config.ts';
import type { ExceptionMatcher } from './exceptions.ts';
import { type RetroHuntResult, retroHunt } from './retro.ts';
import { RuleSource } from './rule-source.ts';
import { pipelineFor, ruleKey } from './ruleset.ts';
import { AlertStore, ensureAlertIndices } from './store.ts';

/**
 * `soc rules hunt RULE --from --to`: RULE is a Sigma file, or the id or exact title of a loaded
 * rule (the project's files and the rules index, as detection loads them).
 */
export async function huntCommand(
  es: Client,
  c: DetectionConfig,
  logger: Logger,
  rule: string,
  range: { from: Date; to: Date },
  progress: (done: number, total: number) => void,
): Promise<RetroHuntResult & { rule: SigmaRule }> {
  const ix = socIndices(c.indices.prefix);
  await ensureAlertIndices(es, ix);
  const pipeline = pipelineFor(c.rules.pipeline);
  let found: SigmaRule | undefined;
  let version = 1;
  let exceptions: ExceptionMatcher | undefined;
  if (existsSync(rule)) {
    found = parseSigmaFile(rule).documents.find((d): d is SigmaRule => d.kind === 'rule');
  } else {
    const rs = (await new RuleSource(es, ix.rules, c.rules.paths, pipeline, logger).poll(true))!;
    found = rs.rules.find((r) => ruleKey(r) === rule || r.title === rule);
    if (found) {
      version = rs.version(found);
      // the rule's exceptions suppress on history exactly as on the stream
      exceptions = rs.exceptions.get(ruleKey(found));
    }
  }
  if (!found) throw new Error(`no rule ${rule}: give a Sigma file, or the id or title of a loaded rule`);
  const store = new AlertStore(es, ix, c.maxEventIds);
  const events = names(c.indices.prefix).eventsAlias;
  const r = await retroHunt(es, store, found, pipeline, {
    events,
    ...range,
    windowMs: c.groupWindowS * 1000,
    version,
    exceptions,
    progress,
  });
  return { ...r, rule: found };
}
