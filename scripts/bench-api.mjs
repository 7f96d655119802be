// `npm run bench:api`: the API load benchmark of issue 7 (services/api/bench/run.ts), printed
// as Markdown for BENCHMARKS.md. Needs the stack: `npx soc stack up` (or ELASTICSEARCH_URL/NATS_URL).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureInstalled, ROOT } from './bootstrap.mjs';

ensureInstalled();
const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'services', 'api', 'bench', 'run.ts')], {
  cwd: ROOT,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
