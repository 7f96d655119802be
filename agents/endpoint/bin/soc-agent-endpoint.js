#!/usr/bin/env node
// Development entry: the TypeScript sources through tsx. Deployments run the bundle
// (`npm run build -w @soc/agent-endpoint` → dist/soc-agent-endpoint.mjs), which needs no tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
