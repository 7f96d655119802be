import { parseArgs } from 'node:util';
import { ConfigError } from '@soc/core/config/errors';
import { runEndpointAgent } from './agent.ts';
import { loadEndpointConfig } from './config.ts';

/**
 * The agent's own entry point (`bin/soc-agent-endpoint.js`, and the bundle the systemd unit
 * runs): the same as `soc agent endpoint`, without loading the rest of the CLI.
 */
export async function main(argv: string[]): Promise<number> {
  let config: string | undefined;
  try {
    config = parseArgs({ args: argv, options: { config: { type: 'string' } }, strict: true }).values.config;
  } catch (err) {
    console.error(`soc-agent-endpoint: ${(err as Error).message}`);
  }
  if (!config) {
    console.error('Usage: soc-agent-endpoint --config FILE');
    return 2;
  }
  try {
    return await runEndpointAgent(loadEndpointConfig(config));
  } catch (err) {
    console.error(`soc-agent-endpoint: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
    return 1;
  }
}
