import { existsSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Logger, socIndices } from '@soc/core';
import { names } from '@soc/ingest';
import { parseSigmaFile, type SigmaCorrelation, type SigmaRule } from '@soc/sigma';
import type { DetectionConfig } from './config.ts';
import type { ExceptionMatcher } from './exceptions.ts';
import { type RetroHuntResult, retroHunt } from './retro.ts';
import { planCorrelationHunt, retroHuntCorrelation } from './retro-correlation.ts';
import { retroAlertPublisher } from './retro-lib.ts';
import { references } from './retro-resolve.ts';
import { RuleSource } from './rule-source.ts';
import { pipelineFor, ruleKey } from './ruleset.ts';
import { AlertStore, ensureAlertIndices } from './store.ts';

type Doc = SigmaRule | SigmaCorrelation;

/**
 * The document a Sigma file is hunted as: its correlation that no other correlation of the
 * file refers to (the chained rule of a file holding its inner count too), else its first rule.
 */
function fileTarget(docs: Doc[]): Doc | undefined {
  const corr = docs.filter((d): d is SigmaCorrelation => d.kind === 'correlation');
  const used = new Set(corr.flatMap(references));
  return (
    corr.find((c) => !used.has(c.id ?? '') && !used.has(c.name ?? '')) ??
    docs.find((d): d is SigmaRule => d.kind === 'rule')
  );
}

/**
 * `soc rules hunt RULE --from --to`: RULE is a Sigma file, or the id or exact title of a loaded
 * rule or correlation (the project's files and the rules index, as detection loads them). A
 * correlation's references resolve among the loaded rules (and the file's own documents).
 * With a NATS connection the alerts are also published, as the stream publishes them.
 */
export async function huntCommand(
  es: Client,
  c: DetectionConfig,
  logger: Logger,
  rule: string,
  range: { from: Date; to: Date },
  progress: (done: number, total: number) => void,
  nats?: NatsConnection,
): Promise<RetroHuntResult & { rule: Doc }> {
  const ix = socIndices(c.indices.prefix);
  await ensureAlertIndices(es, ix);
  const pipeline = pipelineFor(c.rules.pipeline);
  const rs = (await new RuleSource(es, ix.rules, c.rules.paths, pipeline, logger).poll(true))!;
  let found: Doc | undefined;
  let fileDocs: Doc[] = [];
  if (existsSync(rule)) {
    fileDocs = parseSigmaFile(rule).documents.filter((d): d is Doc => d.kind !== 'filter');
    found = fileTarget(fileDocs);
  } else found = [...rs.rules, ...rs.correlations].find((r) => ruleKey(r) === rule || r.title === rule);
  if (!found) throw new Error(`no rule ${rule}: give a Sigma file, or the id or title of a loaded rule`);
  const fromFile = fileDocs.length > 0;
  const version = fromFile ? 1 : rs.version(found);
  const store = new AlertStore(es, ix, c.maxEventIds);
  const events = names(c.indices.prefix).eventsAlias;
  const publish = nats ? await retroAlertPublisher(nats, c.alerts.subjectPrefix) : undefined;
  const common = { events, ...range, version, progress, publish };
  if (found.kind === 'correlation') {
    // the file's documents first: a file's chain resolves within the file, as on the stream
    const own = new Set(fileDocs.map(ruleKey));
    const keep = (d: Doc) => !own.has(ruleKey(d));
    const plan = planCorrelationHunt(
      found,
      {
        rules: [...fileDocs.filter((d) => d.kind === 'rule'), ...rs.rules.filter(keep)],
        correlations: [...fileDocs.filter((d) => d.kind === 'correlation'), ...rs.correlations.filter(keep)],
        exceptions: (r) => rs.exceptions.get(ruleKey(r)),
        version: (d) => rs.version(d),
      },
      pipeline,
    );
    if ('error' in plan) throw new Error(plan.error);
    const r = await retroHuntCorrelation(es, store, plan, pipeline, common);
    return { ...r, rule: found };
  }
  // the rule's exceptions suppress on history exactly as on the stream
  const exceptions: ExceptionMatcher | undefined = fromFile ? undefined : rs.exceptions.get(ruleKey(found));
  const r = await retroHunt(es, store, found, pipeline, {
    ...common,
    windowMs: c.groupWindowS * 1000,
    exceptions,
  });
  return { ...r, rule: found };
}
