import { agentMain } from '@soc/agent-shared';
import { runNetworkAgent, VERSION } from './agent.ts';
import { loadNetworkConfig } from './config.ts';

/** `soc-agent-network` (its `bin/` script and the bundle the systemd unit runs). */
export function main(argv: string[]): Promise<number> {
  return agentMain(
    {
      prog: 'soc-agent-network',
      version: VERSION,
      does: `run the network agent: receive syslog (UDP, TCP, TLS) and SNMP traps, poll
                devices over SNMP, and ship it all over NATS JetStream, buffering to disk
                while NATS is unreachable (until SIGTERM)`,
      readme: 'Network agent',
      run: (file) => runNetworkAgent(loadNetworkConfig(file)),
    },
    argv,
  );
}
