// Bundles the agent into one file that plain Node runs: no tsx (its loader thread and
// transpiling cost ~25 MB of RSS) and only the modules the agent uses. Output in dist/, or
// where `--outfile FILE` says (tests build their own copy, leaving dist/ to whoever runs it).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { outfile } = parseArgs({ options: { outfile: { type: 'string' } }, strict: true }).values;

await build({
  entryPoints: [new URL('./bin/bundle-entry.ts', import.meta.url).pathname],
  outfile: outfile ? resolve(outfile) : new URL('./dist/soc-agent-network.mjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Some dependencies are CommonJS and call require(); give the ES module bundle one.
  banner: {
    js: "import { createRequire as __socRequire } from 'node:module'; const require = __socRequire(import.meta.url);",
  },
  logLevel: 'info',
});
