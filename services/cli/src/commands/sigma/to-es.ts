import { formatProblem, loadPipeline, parseSigmaFile, SigmaError, type SigmaRule } from '@soc/sigma';
import { ruleQuery, UnsupportedError } from '@soc/sigma/elasticsearch';
import { parseFlags } from '../../args.ts';
import { EXIT, UsageError } from '../../usage.ts';
import { usage } from './shared.ts';

/**
 * `soc sigma to-es [--pipeline ecs] RULE`: prints the Elasticsearch query of a rule file. One
 * rule: the query, as indented JSON. A collection: one line per rule,
 * `{"rule":{"id","title"},"query":{...}}`. A rule that cannot be expressed exactly (or is
 * invalid) is reported on stderr with the reason, and the exit status is 1.
 */
export async function toEs(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { pipeline: { type: 'string' } }, usage);
  if (positionals.length !== 1) throw new UsageError('to-es takes one RULE file', usage);
  const file = positionals[0]!;
  const pipeline = loadPipeline(values.pipeline ?? 'ecs');
  const loaded = parseSigmaFile(file);
  let failed = false;
  for (const p of loaded.problems) {
    console.error(formatProblem(p));
    failed = true;
  }
  const rules = loaded.documents.filter((d): d is SigmaRule => d.kind === 'rule');
  if (rules.length === 0 && !failed) {
    console.error(`${file}: no detection rule in the file`);
    return EXIT.failure;
  }
  for (const rule of rules) {
    try {
      const query = ruleQuery(rule, pipeline);
      if (rules.length === 1) console.log(JSON.stringify(query, null, 2));
      else console.log(JSON.stringify({ rule: { id: rule.id, title: rule.title }, query }));
    } catch (err) {
      if (!(err instanceof UnsupportedError) && !(err instanceof SigmaError)) throw err;
      const where = err.path ? `${err.path}: ` : '';
      const kind =
        err instanceof UnsupportedError ? `cannot be expressed in Elasticsearch (${err.reason})` : 'rejected';
      console.error(`${file}: ${rule.title}: ${kind}: ${where}${err.message}`);
      failed = true;
    }
  }
  return failed ? EXIT.failure : EXIT.ok;
}
