import { type Command, EXIT, UsageError } from '../../usage.ts';
import { check } from './check.ts';
import { evaluate } from './eval.ts';
import { usage } from './shared.ts';

const actions: Record<string, (argv: string[]) => Promise<number>> = {
  check,
  eval: evaluate,
};

export const sigmaCommand: Command = {
  name: 'sigma',
  summary: 'check Sigma rules and evaluate them over events (check|eval)',
  usage,
  async run(argv) {
    const [action, ...rest] = argv;
    if (action === '--help' || action === '-h' || action === 'help') {
      console.log(usage);
      return EXIT.ok;
    }
    const run = action ? actions[action] : undefined;
    if (run) return run(rest);
    throw new UsageError(action ? `unknown action: ${action}` : 'missing action', usage);
  },
};
