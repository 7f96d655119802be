import { parseFlags } from '../args.ts';
import { type Command, EXIT, UsageError } from '../usage.ts';

const usage = `Usage: soc agent endpoint|network --config FILE

  endpoint   run the endpoint agent: tail the configured log files and ship them over
             NATS JetStream, buffering to disk while NATS is unreachable (until SIGTERM)
  network    run the network agent: receive syslog over UDP, TCP and TLS and ship it the
             same way

  --config FILE   the agent's YAML configuration (see README: "Endpoint agent", "Network agent")

Environment: SOC_* variables override the file (e.g. NATS_URL, SOC_LOG__LEVEL=debug).`;

export const agentCommand: Command = {
  name: 'agent',
  summary: 'run an agent (endpoint, network)',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      usage,
    );
    if (values.help) {
      console.log(usage);
      return EXIT.ok;
    }
    const [kind, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument: ${extra[0]}`, usage);
    if (kind !== 'endpoint' && kind !== 'network')
      throw new UsageError(kind ? `unknown agent: ${kind}` : 'missing agent kind', usage);
    if (!values.config) throw new UsageError('--config FILE is required', usage);
    if (kind === 'network') {
      const { loadNetworkConfig, runNetworkAgent } = await import('@soc/agent-network');
      return runNetworkAgent(loadNetworkConfig(values.config));
    }
    // Loaded on demand: the agent's process should not carry what other commands import.
    const { loadEndpointConfig, runEndpointAgent } = await import('@soc/agent-endpoint');
    return runEndpointAgent(loadEndpointConfig(values.config));
  },
};
