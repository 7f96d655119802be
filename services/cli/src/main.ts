import { ConfigError } from '@soc/core';
import { PrerequisiteError } from '@soc/stack';
import { adminCommand } from './commands/admin.ts';
import { agentCommand } from './commands/agent.ts';
import { auditCommand } from './commands/audit.ts';
import { rulesCommand } from './commands/rules.ts';
import { sigmaCommand } from './commands/sigma/index.ts';
import { stackCommand } from './commands/stack.ts';
import { startCommand } from './commands/start.ts';
import { type Command, EXIT, UsageError } from './usage.ts';

/** Subcommands; later issues add `sigma`, `agent`, `rules`, `admin`, `audit`… */
export const COMMANDS: Command[] = [
  startCommand,
  stackCommand,
  sigmaCommand,
  rulesCommand,
  agentCommand,
  adminCommand,
  auditCommand,
];

export const VERSION = '0.1.0';

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 'version'.length) + 2;
  return [
    'Usage: soc <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    `  ${'help'.padEnd(width)}show this help, or a command's: soc help <command>`,
    `  ${'version'.padEnd(width)}print the version`,
    '',
    'Exit codes: 0 success, 1 failure, 2 usage error, 3 missing prerequisite.',
  ].join('\n');
}

/** Runs one command line; returns the exit code instead of exiting, so it is testable. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      const topic = COMMANDS.find((c) => c.name === rest[0]);
      if (rest[0] && !topic) throw new UsageError(`unknown command: ${rest[0]}`, usage());
      // Bare `soc` is a usage error: its usage goes to stderr like every other.
      if (name === undefined) {
        console.error(usage());
        return EXIT.usage;
      }
      console.log(topic ? topic.usage : usage());
      return EXIT.ok;
    }
    if (name === 'version' || name === '--version') {
      console.log(VERSION);
      return EXIT.ok;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command: ${name}`, usage());
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`soc: ${err.message}\n\n${err.usage}`);
      return EXIT.usage;
    }
    if (err instanceof PrerequisiteError) {
      console.error(`soc: missing prerequisite: ${err.message}`);
      return EXIT.prerequisite;
    }
    if (err instanceof ConfigError) {
      console.error(`soc: ${err.message}`);
      return EXIT.failure;
    }
    console.error(`soc: ${(err as Error).message}`);
    return EXIT.failure;
  }
}
