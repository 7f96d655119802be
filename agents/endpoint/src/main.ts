import { agentMain } from '@soc/agent-shared';
import { runEndpointAgent, VERSION } from './agent.ts';
import { loadEndpointConfig } from './config.ts';

/** `soc-agent-endpoint` (its `bin/` script and the bundle the systemd unit runs). */
export function main(argv: string[]): Promise<number> {
  return agentMain(
    {
      prog: 'soc-agent-endpoint',
      version: VERSION,
      does: `run the endpoint agent: tail log files, follow journald, monitor file
                integrity and report the host's inventory, as configured, and ship it all
                over NATS JetStream, buffering to disk while NATS is unreachable (until SIGTERM)`,
      readme: 'Endpoint agent',
      run: (file) => runEndpointAgent(loadEndpointConfig(file)),
    },
    argv,
  );
}
