import {
  CorrelationEngine,
  type CorrelationMatch,
  eventTime,
  formatProblem,
  loadPipeline,
  mergePipelines,
  parseSigmaFile,
  readJsonItems,
  type SigmaCorrelation,
  SigmaEngine,
  type SigmaFilter,
  type SigmaRule,
} from '@soc/sigma';
import { parseFlags } from '../../args.ts';
import { EXIT, UsageError } from '../../usage.ts';
import { readInput, readPlaceholders, ruleFiles, usage } from './shared.ts';

const ruleOf = (r: SigmaRule | SigmaCorrelation) => ({ id: r.id, title: r.title, level: r.level });

const correlationLine = (m: CorrelationMatch) =>
  JSON.stringify({ rule: ruleOf(m.correlation), group: m.group, events: m.events });

export async function evaluate(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      rules: { type: 'string', multiple: true },
      pipeline: { type: 'string', multiple: true },
      placeholders: { type: 'string' },
    },
    usage,
  );
  if (!values.rules?.length) throw new UsageError('eval needs --rules PATH', usage);
  if (positionals.length > 1)
    throw new UsageError(`eval takes one EVENTS file, got ${positionals.length}`, usage);
  // Several pipelines: each event is routed by whichever pipeline's sources it satisfies.
  const pipeline = values.pipeline?.length ? mergePipelines(values.pipeline.map(loadPipeline)) : undefined;
  const engine = new SigmaEngine({
    pipeline,
    compile: { placeholders: readPlaceholders(values.placeholders) },
  });
  const rules: SigmaRule[] = [];
  const correlations: SigmaCorrelation[] = [];
  let failed = false;
  for (const file of ruleFiles(values.rules)) {
    const loaded = parseSigmaFile(file);
    for (const p of loaded.problems) {
      console.error(formatProblem(p));
      failed = true;
    }
    for (const d of loaded.documents) if (d.kind === 'filter') engine.addFilter(d as SigmaFilter);
    for (const d of loaded.documents) if (d.kind === 'rule') rules.push(d);
    for (const d of loaded.documents) if (d.kind === 'correlation') correlations.push(d);
  }
  for (const r of rules) {
    const status = engine.add(r);
    if (status.state !== 'active') console.error(`${r.origin.file}: ${status.state}: ${status.reason}`);
    if (status.state === 'rejected') failed = true;
  }
  // Correlations consume the base rules' matches in stream order, with each event's time.
  const correlation =
    correlations.length > 0 ? new CorrelationEngine({ correlations, rules, pipeline }) : undefined;
  for (const p of correlation?.problems ?? []) {
    console.error(formatProblem(p));
    failed = true;
  }
  for (const w of correlation?.warnings ?? []) console.error(w);
  let timeless = false;
  let n = 0;
  const out: string[] = [];
  let bad = 0;
  for (const item of readJsonItems(await readInput(positionals[0]))) {
    if ('error' in item) {
      // A bad event is reported and keeps its position, so N still counts input events.
      console.error(`event ${n} (line ${item.line}): not JSON: ${item.error}`);
      bad++;
      n++;
      continue;
    }
    const event = item.value;
    let time: number | undefined | null = null;
    for (const rule of engine.match(event)) {
      if (correlation?.emits(rule) ?? true) out.push(JSON.stringify({ rule: ruleOf(rule), event: n }));
      if (!correlation?.uses(rule)) continue;
      if (time === null) time = eventTime(pipeline, event);
      if (time === undefined && !timeless) {
        timeless = true;
        const where = pipeline?.timeFields.length
          ? `${pipeline.timeFields.join(', ')} or @timestamp`
          : '@timestamp';
        console.error(`event ${n} has no usable time (${where}): correlations ignore events without one`);
      }
      for (const m of correlation.observe({ rule, event, ref: n, time })) out.push(correlationLine(m));
    }
    if (out.length >= 1000) process.stdout.write(`${out.splice(0).join('\n')}\n`);
    n++;
  }
  // End of input completes every window still open.
  for (const m of correlation?.flush() ?? []) out.push(correlationLine(m));
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
  if (bad) console.error(`${bad} of ${n} events could not be read`);
  return failed || bad ? EXIT.failure : EXIT.ok;
}
