import { parseArgs } from 'node:util';
import { ConfigError } from '@soc/core/config/errors';

/**
 * Runs a started agent until SIGTERM/SIGINT (exit 0) or until its disk buffer fails (exit 1,
 * so systemd restarts it), stopping it cleanly either way.
 */
export async function runUntilSignal(
  agent: { runtime: { output: { failed: Promise<never> } }; stop(): Promise<void> },
  name: string,
): Promise<number> {
  const signalled = new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  try {
    await Promise.race([signalled, agent.runtime.output.failed]);
  } catch (err) {
    console.error(`${name}: disk buffer failed: ${(err as Error).message}`);
    await agent.stop().catch(() => undefined);
    return 1;
  }
  await agent.stop();
  return 0;
}

export interface AgentEntry {
  /** The program's name, e.g. `soc-agent-endpoint`. */
  prog: string;
  version: string;
  /** What running the agent does, for the usage text (lines already indented to column 16). */
  does: string;
  /** The README section describing its configuration. */
  readme: string;
  /** Loads the configuration file and runs the agent until a signal; the exit code. */
  run(configFile: string): Promise<number>;
}

function usage(e: AgentEntry): string {
  return `Usage: ${e.prog} --config FILE
       ${e.prog} enroll --api URL --token TOKEN [--config FILE] [--out DIR | --creds FILE] [--hostname NAME]

  (no command)  ${e.does}
  enroll        register this host with the SOC API first, with an enrollment token: gets
                the agent id and its NATS credentials and sets them in the configuration
                (${e.prog} enroll --help for its flags)

  --config FILE   the agent's YAML configuration (see README: "${e.readme}")

Environment: SOC_* variables override the file (e.g. NATS_URL, SOC_LOG__LEVEL=debug).`;
}

/**
 * An agent's own entry point (its `bin/` script, and the bundle the systemd unit runs): the
 * same as `soc agent <kind>` and `soc agent enroll`, without the rest of the CLI.
 */
export async function agentMain(e: AgentEntry, argv: string[]): Promise<number> {
  if (argv[0] === 'enroll') {
    // On demand: the running agent has no use for it.
    const { enrollMain } = await import('./enroll.ts');
    return enrollMain(argv.slice(1), e.prog, e.version);
  }
  let values: { config?: string | undefined; help?: boolean | undefined } = {};
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`${e.prog}: ${(err as Error).message}`);
  }
  if (values.help) {
    console.log(usage(e));
    return 0;
  }
  if (!values.config) {
    console.error(usage(e));
    return 2;
  }
  try {
    return await e.run(values.config);
  } catch (err) {
    console.error(`${e.prog}: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
    return 1;
  }
}
