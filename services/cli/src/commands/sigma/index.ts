import { type Command, EXIT, UsageError } from '../../usage.ts';
import { bench } from './bench.ts';
import { check } from './check.ts';
import { evaluate } from './eval.ts';
import { usage } from './shared.ts';
import { toEs } from './to-es.ts';

const actions: Record<string, (argv: string[]) => Promise<number>> = {
  check,
  eval: evaluate,
  'to-es': toEs,
  bench,
};

export const sigmaCommand: Command = {
  name: 'sigma',
  summary: 'check Sigma rules and evaluate them over events (check|eval|to-es|bench)',
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
