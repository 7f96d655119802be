// `npm run bench:detection`: detection latency (event published → alert searchable) at
// 1,000 and 5,000 events/s with the SigmaHQ Windows pack loaded; Markdown rows for
// BENCHMARKS.md. RATES=1000,5000 SECONDS=30 SIGMA_CORPUS=../shared/sigmahq by default.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureInstalled, ROOT } from './bootstrap.mjs';

ensureInstalled();
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(ROOT, 'services/detection/bench/latency.ts')],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);
process.exit(r.status ?? 1);
