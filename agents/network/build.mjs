// Bundles the agent into one file that plain Node runs: no tsx (its loader thread and
// transpiling cost ~25 MB of RSS) and only the modules the agent uses. Output in dist/.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('./bin/bundle-entry.ts', import.meta.url).pathname],
  outfile: new URL('./dist/soc-agent-network.mjs', import.meta.url).pathname,
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
