import { resolve } from 'node:path';
import { parseFlags } from '../args.ts';
import { type Command, EXIT, UsageError } from '../usage.ts';

const usage = `Usage: soc rules import [--disabled] [--pipeline NAME] PATH...

  import   load a folder (or files) of Sigma rules — a SigmaHQ pack — into the rules index;
           the detection service picks them up on its next reload (no restart). Idempotent:
           rules already imported with the same YAML are left as they are (enabled state,
           exceptions, version); a changed rule becomes a new version.

  --disabled          import new rules disabled (enable them one by one from the API)
  --pipeline NAME     the logsource pipeline used to report rules that can never fire (default ecs)

Progress goes to standard error; the summary to standard output.
Environment: ELASTICSEARCH_URL (or SOC_ELASTICSEARCH__*) and SOC_DETECTION__INDICES__PREFIX.
Exit codes: 0 imported (rejected rules are listed, not fatal), 1 failure, 2 usage error.`;

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'manage detection rules: import a folder of Sigma rules',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { disabled: { type: 'boolean' }, pipeline: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      usage,
    );
    if (values.help) {
      console.log(usage);
      return EXIT.ok;
    }
    const [sub, ...paths] = positionals;
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
