import { parseFlags } from '../args.ts';
import { type Command, EXIT, UsageError } from '../usage.ts';

const usage = `Usage: soc agent endpoint|network --config FILE
       soc agent enroll --api URL --token TOKEN [--config FILE] [--out DIR | --creds FILE] [--hostname NAME]

  endpoint   run the endpoint agent: tail log files, follow journald, monitor file
             integrity and report the host's inventory, as configured, and ship it all over
             NATS JetStream, buffering to disk while NATS is unreachable (until SIGTERM)
  network    run the network agent: receive syslog over UDP, TCP and TLS and ship it the
             same way
  enroll     register this host with the API using an enrollment token (POST
             /agents/enrollment-tokens makes one): gets the agent id and its NATS
             credentials, which allow publishing on its own subjects only

  --config FILE   the agent's YAML configuration (see README: "Endpoint agent", "Network agent");
                  enroll sets agent.id, nats.url and nats.credsFile in it, keeping the rest
                  (without --config, enroll prints those keys to add)
  --api URL       the SOC API, e.g. https://soc.example.gov.vn (or …/api/v1)
  --token TOKEN   the enrollment token (socenr_…); SOC_ENROLL_TOKEN also works, out of the
                  process list
  --out DIR       where to write <agent-id>.creds (0600); default: the config's directory,
                  else the current one
  --creds FILE    the creds file's exact path instead (e.g. what a systemd unit loads)
  --hostname NAME the name the agent is listed under (default: this host's)

Environment: SOC_* variables override the file (e.g. NATS_URL, SOC_LOG__LEVEL=debug).`;

export const agentCommand: Command = {
  name: 'agent',
  summary: 'run an agent (endpoint, network)',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        config: { type: 'string' },
        api: { type: 'string' },
        token: { type: 'string' },
        out: { type: 'string' },
        creds: { type: 'string' },
        hostname: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      usage,
    );
    if (values.help) {
      console.log(usage);
      return EXIT.ok;
    }
    const [kind, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument: ${extra[0]}`, usage);
    if (kind === 'enroll') return enrollHost(values);
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

async function enrollHost(v: {
  api?: string | undefined;
  token?: string | undefined;
  config?: string | undefined;
  out?: string | undefined;
  creds?: string | undefined;
  hostname?: string | undefined;
}): Promise<number> {
  const { VERSION } = await import('../main.ts');
  // Loaded on demand, as the agents are: other commands should not carry it. The same code
  // runs an agent bundle's own `enroll` (agents/shared/src/enroll.ts).
  const { enrollOptions, runEnroll } = await import('@soc/agent-shared');
  const o = enrollOptions(v, VERSION);
  if (typeof o === 'string') throw new UsageError(o, usage);
  return runEnroll(o, 'soc agent enroll');
}
