import { resolve } from 'node:path';
import { parseFlags } from '../args.ts';
import { type Command, EXIT, UsageError } from '../usage.ts';

const usage = `Usage: soc rules import [--disabled] [--pipeline NAME] PATH...
       soc rules hunt RULE --from TIME [--to TIME]

  import   load a folder (or files) of Sigma rules — a SigmaHQ pack — into the rules index;
           the detection service picks them up on its next reload (no restart). Idempotent:
           rules already imported with the same YAML are left as they are (enabled state,
           exceptions, version); a changed rule becomes a new version.

  --disabled          import new rules disabled (enable them one by one from the API)
  --pipeline NAME     the logsource pipeline used to report rules that can never fire (default ecs)

  hunt     retro-hunt: run RULE (a Sigma file, or the id or title of a loaded rule) over the
           events of [--from, --to) (ISO 8601; --to defaults to now) in Elasticsearch, through
           the same pipeline as the stream; matches become alerts marked retro (their own ids:
           a hunt never grows a live alert; running it again counts nothing twice)

Progress goes to standard error; the summary to standard output.
Environment: ELASTICSEARCH_URL (or SOC_ELASTICSEARCH__*) and SOC_DETECTION__INDICES__PREFIX.
Exit codes: 0 imported (rejected rules are listed, not fatal), 1 failure, 2 usage error.`;

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'manage detection rules: import a folder of Sigma rules, retro-hunt one over history',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        disabled: { type: 'boolean' },
        pipeline: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      usage,
    );
    if (values.help) {
      console.log(usage);
      return EXIT.ok;
    }
    const [sub, ...paths] = positionals;
    if (sub === 'hunt') return hunt(paths, values.from, values.to);
    if (sub !== 'import')
      throw new UsageError(sub ? `unknown rules command: ${sub}` : 'missing rules command', usage);
    if (!paths.length) throw new UsageError('import needs a PATH', usage);
    // Loaded on demand: other commands should not carry detection's imports.
    const { detectionServiceSchema, importRules } = await import('@soc/detection');
    const { createElasticsearchClient, loadConfig, socIndices } = await import('@soc/core');
    const { loadPipeline } = await import('@soc/sigma');
    const { config } = loadConfig(detectionServiceSchema);
    const es = createElasticsearchClient(config.elasticsearch);
    try {
      const started = Date.now();
      const s = await importRules(
        es,
        socIndices(config.detection.indices.prefix),
        paths.map((p) => resolve(p)),
        {
          pipeline: loadPipeline(values.pipeline ?? 'ecs'),
          enabled: !values.disabled,
          user: 'soc rules import',
          progress: (done, total) =>
            process.stderr.write(
              `\rimporting: ${done}/${total} files (${Math.round((done / Math.max(total, 1)) * 100)} %)`,
            ),
        },
      );
      process.stderr.write('\n');
      console.log(
        `${s.files} files in ${((Date.now() - started) / 1000).toFixed(1)} s: ${s.added} added, ${s.updated} updated (new version), ${s.unchanged} unchanged, ${s.rejected.length} rejected, ${s.withoutId} without an id (skipped), ${s.noSource} with no ${values.pipeline ?? 'ecs'} source (loaded, cannot fire)`,
      );
      for (const r of s.rejected.slice(0, 50)) console.log(`  rejected: ${r}`);
      if (s.rejected.length > 50) console.log(`  … and ${s.rejected.length - 50} more`);
      return EXIT.ok;
    } finally {
      await es.close();
    }
  },
};

async function hunt(
  args: string[],
  fromText: string | undefined,
  toText: string | undefined,
): Promise<number> {
  if (args.length !== 1) throw new UsageError('hunt needs exactly one RULE', usage);
  const from = new Date(fromText ?? '');
  const to = toText ? new Date(toText) : new Date();
  if (Number.isNaN(from.getTime())) throw new UsageError('--from must be an ISO 8601 time', usage);
  if (Number.isNaN(to.getTime()) || to <= from)
    throw new UsageError('--to must be an ISO 8601 time after --from', usage);
  const { detectionServiceSchema, huntCommand } = await import('@soc/detection');
  const { connectNats, createElasticsearchClient, createLogger, loadConfig } = await import('@soc/core');
  const { config } = loadConfig(detectionServiceSchema);
  const es = createElasticsearchClient(config.elasticsearch);
  // Retro alerts are published like live ones when NATS is there; the alerts index is the
  // truth, so a hunt without NATS still runs (and says so).
  const nats = await connectNats(config.nats, { name: 'soc-rules-hunt', timeoutMs: 3_000 }).catch((err) => {
    console.error(
      `soc rules hunt: NATS unreachable (${(err as Error).message}): alerts are written, not published`,
    );
    return undefined;
  });
  try {
    const started = Date.now();
    const r = await huntCommand(
      es,
      config.detection,
      createLogger({ service: 'soc-rules', level: 'warn', pretty: false }),
      args[0]!,
      { from, to },
      (done, total) =>
        process.stderr.write(
          `\rhunting: ${done}/${total} events (${total ? Math.round((done / total) * 100) : 100} %)`,
        ),
      nats,
    );
    process.stderr.write('\n');
    console.log(
      `${r.rule.title}: ${r.total} ${r.rule.kind === 'correlation' ? 'events of the rules it correlates (look-back included)' : 'matching events'} in [${from.toISOString()}, ${to.toISOString()}), ${r.alerts} retro alerts${nats ? ' (published)' : ''}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return EXIT.ok;
  } catch (err) {
    console.error(`soc rules hunt: ${(err as Error).message}`);
    return EXIT.failure;
  } finally {
    await nats?.drain();
    await es.close();
  }
}
