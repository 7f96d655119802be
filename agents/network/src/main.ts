import { parseArgs } from 'node:util';
import { ConfigError } from '@soc/core/config/errors';
import { runNetworkAgent } from './agent.ts';
import { loadNetworkConfig } from './config.ts';

/** The agent's own entry point (`bin/soc-agent-network.js`): the same as `soc agent network`. */
export async function main(argv: string[]): Promise<number> {
  let config: string | undefined;
  try {
    config = parseArgs({ args: argv, options: { config: { type: 'string' } }, strict: true }).values.config;
  } catch (err) {
    console.error(`soc-agent-network: ${(err as Error).message}`);
  }
  if (!config) {
    console.error('Usage: soc-agent-network --config FILE');
    return 2;
  }
  try {
    return await runNetworkAgent(loadNetworkConfig(config));
  } catch (err) {
    console.error(`soc-agent-network: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
    return 1;
  }
}
