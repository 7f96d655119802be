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
  const token = v.token ?? process.env.SOC_ENROLL_TOKEN;
  if (!v.api) throw new UsageError('enroll needs --api URL', usage);
  if (!token) throw new UsageError('enroll needs --token TOKEN (or SOC_ENROLL_TOKEN)', usage);
  const { VERSION } = await import('../main.ts');
  // Loaded on demand, as the agents are: other commands should not carry it.
  const { EnrollError, enroll } = await import('@soc/agent-shared');
  try {
    const r = await enroll({ ...v, api: v.api, token, version: VERSION });
    console.log(`enrolled as ${r.enrolled.agent_id} (organisation ${r.enrolled.organization_id})`);
    if (r.credsFile)
      console.log(
        `NATS credentials: ${r.credsFile} (0600)${r.enrolled.nats.expires_at ? `, valid until ${r.enrolled.nats.expires_at}` : ''}`,
      );
    else console.log('the API issued no NATS credentials: its NATS runs without authorization');
    if (!r.enrolled.nats.urls.length)
      console.log('the API named no NATS URL: set nats.url in the agent configuration');
    if ('file' in r.config) console.log(`configuration updated: ${r.config.file}`);
    else console.log(`add to the agent's configuration:\n\n${r.config.snippet}`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof EnrollError) {
      console.error(`soc agent enroll: ${err.message}`);
      return EXIT.failure;
    }
    throw err;
  }
}
