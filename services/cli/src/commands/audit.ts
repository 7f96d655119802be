import { parseFlags } from '../args.ts';
import { type Command, EXIT, UsageError } from '../usage.ts';

const usage = `Usage: soc audit verify [--json]

  verify   read the whole audit log in order and check every record's hash and its link to
           the previous one; prints the number of records, or the first broken one

Environment: ELASTICSEARCH_URL (or SOC_ELASTICSEARCH__*) and SOC_API__INDEX_PREFIX as for the API.
Exit codes: 0 the chain is intact, 1 it is broken (or Elasticsearch unreachable), 2 usage error.`;

export const auditCommand: Command = {
  name: 'audit',
  summary: 'check the tamper-evident audit log (verify)',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      usage,
    );
    if (values.help) {
      console.log(usage);
      return EXIT.ok;
    }
    if (positionals[0] !== 'verify' || positionals.length > 1)
      throw new UsageError(
        positionals[0] ? `unknown audit command: ${positionals.join(' ')}` : 'missing audit command',
        usage,
      );
    const { apiServiceSchema, verifyChain } = await import('@soc/api');
    const { createElasticsearchClient, loadConfig, socIndices } = await import('@soc/core');
    const { config } = loadConfig(apiServiceSchema);
    const es = createElasticsearchClient(config.elasticsearch);
    try {
      const index = socIndices(config.api.indexPrefix).audit;
      if (!(await es.indices.exists({ index }))) {
        console.log(
          values.json ? JSON.stringify({ ok: true, records: 0 }) : 'audit log: empty (no index yet)',
        );
        return EXIT.ok;
      }
      const r = await verifyChain(es, index);
      if (values.json) console.log(JSON.stringify(r));
      else if (r.ok) console.log(`audit log intact: ${r.records} records`);
      else
        console.log(
          `audit log BROKEN at record ${r.broken!.seq}: ${r.broken!.reason} (${r.records} records read)`,
        );
      return r.ok ? EXIT.ok : EXIT.failure;
    } finally {
      await es.close();
    }
  },
};
