import { parseFlags } from '../args.ts';
import { type Command, EXIT, UsageError } from '../usage.ts';

const usage = `Usage: soc agent endpoint --config FILE

  endpoint   run the endpoint agent: tail the configured log files and ship them over
             NATS JetStream, buffering to disk while NATS is unreachable (until SIGTERM)

  --config FILE   the agent's YAML configuration (see README: "Endpoint agent")

Environment: SOC_* variables override the file (e.g. NATS_URL, SOC_LOG__LEVEL=debug).`;

export const agentCommand: Command = {
  name: 'agent',
  summary: 'run an agent (endpoint)',
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
    if (kind !== 'endpoint')
      throw new UsageError(kind ? `unknown agent: ${kind}` : 'missing agent kind', usage);
    if (!values.config) throw new UsageError('--config FILE is required', usage);
    // Loaded on demand: the agent's process should not carry what other commands import.
    const { loadEndpointConfig, runEndpointAgent } = await import('@soc/agent-endpoint');
    return runEndpointAgent(loadEndpointConfig(values.config));
  },
};
