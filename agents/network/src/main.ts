import { parseArgs } from 'node:util';
import { ConfigError } from '@soc/core/config/errors';
import { runNetworkAgent, VERSION } from './agent.ts';
import { loadNetworkConfig } from './config.ts';

const PROG = 'soc-agent-network';

const usage = `Usage: ${PROG} --config FILE
       ${PROG} enroll --api URL --token TOKEN [--config FILE] [--out DIR | --creds FILE] [--hostname NAME]

  (no command)  run the network agent: receive syslog (UDP, TCP, TLS) and SNMP traps, poll
                devices over SNMP, and ship it all over NATS JetStream, buffering to disk
                while NATS is unreachable (until SIGTERM)
  enroll        register this host with the SOC API first, with an enrollment token: gets
                the agent id and its NATS credentials and sets them in the configuration
                (${PROG} enroll --help for its flags)

  --config FILE   the agent's YAML configuration (see README: "Network agent")

Environment: SOC_* variables override the file (e.g. NATS_URL, SOC_LOG__LEVEL=debug).`;

/**
 * The agent's own entry point (`bin/soc-agent-network.js`, and the bundle the systemd unit
 * runs): the same as `soc agent network` and `soc agent enroll`, without the rest of the CLI.
 */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'enroll') {
    // On demand: the running agent has no use for it.
    const { enrollMain } = await import('@soc/agent-shared');
    return enrollMain(argv.slice(1), PROG, VERSION);
  }
  let values: { config?: string | undefined; help?: boolean | undefined } = {};
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`${PROG}: ${(err as Error).message}`);
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.config) {
    console.error(usage);
    return 2;
  }
  try {
    return await runNetworkAgent(loadNetworkConfig(values.config));
  } catch (err) {
    console.error(`${PROG}: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
    return 1;
  }
}
