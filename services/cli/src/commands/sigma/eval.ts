import {
  formatProblem,
  loadPipeline,
  parseJsonValues,
  parseSigmaFile,
  SigmaEngine,
  type SigmaFilter,
  type SigmaRule,
} from '@soc/sigma';
import { parseFlags } from '../../args.ts';
import { EXIT, UsageError } from '../../usage.ts';
import { readInput, ruleFiles, usage } from './shared.ts';

export async function evaluate(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { rules: { type: 'string', multiple: true }, pipeline: { type: 'string', multiple: true } },
    usage,
  );
  if (!values.rules?.length) throw new UsageError('eval needs --rules PATH', usage);
  if (positionals.length > 1)
    throw new UsageError(`eval takes one EVENTS file, got ${positionals.length}`, usage);
  if ((values.pipeline?.length ?? 0) > 1)
    throw new UsageError('only one --pipeline is supported for now', usage);
  const pipeline = values.pipeline?.[0] ? loadPipeline(values.pipeline[0]) : undefined;
  const engine = new SigmaEngine({ pipeline });
  const rules: SigmaRule[] = [];
  let failed = false;
  for (const file of ruleFiles(values.rules)) {
    const loaded = parseSigmaFile(file);
    for (const p of loaded.problems) {
      console.error(formatProblem(p));
      failed = true;
    }
    for (const d of loaded.documents) if (d.kind === 'filter') engine.addFilter(d as SigmaFilter);
    for (const d of loaded.documents) if (d.kind === 'rule') rules.push(d);
  }
  for (const r of rules) {
    const status = engine.add(r);
    if (status.state !== 'active') console.error(`${r.origin.file}: ${status.state}: ${status.reason}`);
    if (status.state === 'rejected') failed = true;
  }
  let n = 0;
  const out: string[] = [];
  for (const event of parseJsonValues(await readInput(positionals[0]))) {
    for (const rule of engine.match(event)) {
      out.push(JSON.stringify({ rule: { id: rule.id, title: rule.title, level: rule.level }, event: n }));
      if (out.length >= 1000) process.stdout.write(`${out.splice(0).join('\n')}\n`);
    }
    n++;
  }
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
  return failed ? EXIT.failure : EXIT.ok;
}
