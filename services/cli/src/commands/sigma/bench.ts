import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type BenchResult, loadPipeline, parseSigmaFile, runBench, type SigmaRule } from '@soc/sigma';
import { parseFlags } from '../../args.ts';
import { EXIT, UsageError } from '../../usage.ts';
import { ruleFiles, usage } from './shared.ts';

const DEFAULT_CORPUS = resolve(import.meta.dirname, '../../../../../../shared/sigmahq');

/** Every `.json` file under the corpus's regression_data: the samples to vary. */
function sampleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.json')) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

function summary(r: BenchResult, label: string): string {
  const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
  return [
    `${label}: ${r.activeRules} active rules of ${r.rules}, ${r.events} events varied from ${r.samples} samples`,
    `  compile ${r.compileMs} ms; heap after compile ${r.heapAfterCompileMb} MB; peak RSS ${r.peakRssMb} MB`,
    `  ${k(r.eventsPerSecond)} events/s overall, ${k(r.medianBatchEventsPerSecond)} median batch, ${k(r.eventsPerCpuSecond)} per CPU-second`,
    `  ${r.evaluationsPerEvent} full rule evaluations per event after the pre-filter; ${r.matches} matches`,
  ].join('\n');
}

/**
 * `soc sigma bench`: the engine on the Windows part of the SigmaHQ corpus (or --rules) over
 * realistic Sysmon/Security events varied from the corpus's regression samples.
 */
export async function bench(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      rules: { type: 'string', multiple: true },
      pipeline: { type: 'string' },
      events: { type: 'string' },
      limit: { type: 'string' },
      'no-prefilter': { type: 'boolean' },
      format: { type: 'string' },
    },
    usage,
  );
  const count = (name: string, v: string | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer`, usage);
    return n;
  };
  const events = count('events', values.events, 1_000_000);
  const limit = count('limit', values.limit, Number.MAX_SAFE_INTEGER);
  const corpus = resolve(process.env.SIGMA_CORPUS ?? DEFAULT_CORPUS);
  const samplesDir = join(corpus, 'regression_data');
  if (!existsSync(samplesDir)) {
    console.error(
      `soc sigma bench: no sample events at ${samplesDir}; set SIGMA_CORPUS to the SigmaHQ corpus`,
    );
    return EXIT.prerequisite;
  }
  const rulePaths =
    values.rules ??
    readdirSync(corpus)
      .filter((d) => d.startsWith('rules'))
      .map((d) => join(corpus, d));
  const rules: SigmaRule[] = [];
  for (const f of ruleFiles(rulePaths))
    for (const d of parseSigmaFile(f).documents)
      if (d.kind === 'rule' && (values.rules || d.logsource.product === 'windows')) rules.push(d);
  const pipeline = loadPipeline(values.pipeline ?? 'windows');
  const result = runBench({
    rules: rules.slice(0, limit),
    pipeline,
    sampleFiles: sampleFiles(samplesDir),
    events,
    prefilter: !values['no-prefilter'],
    progress: (done, total) => {
      if (process.stderr.isTTY && done % 100_000 === 0) process.stderr.write(`\r${done}/${total} events`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (values.format === 'json') console.log(JSON.stringify(result));
  else console.log(summary(result, values.rules ? 'rules' : `SigmaHQ Windows rules (${pipeline.name})`));
  return EXIT.ok;
}
