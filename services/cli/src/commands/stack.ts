import {
  loadStackConfig,
  STACK_COMPONENTS,
  type StackComponent,
  stackDown,
  stackStatus,
  stackUp,
} from '@soc/stack';
import { parseFlags } from '../args.ts';
import { type Command, EXIT, UsageError } from '../usage.ts';

const usage = `Usage: soc stack <up|down|status> [--json] [--only nats|nats-alt|elasticsearch]

  up       start the local NATS (JetStream) and Elasticsearch, or reuse them; waits until both answer
  down     stop what the local stack runs (--only limits it to some components)
  status   show each component, its URL and whether it answers (exit 1 if one does not)

NATS authorization: SOC_STACK__NATS_AUTH=none (the default here, for tests) runs the local
NATS open; =operator runs it in operator mode, as \`soc start\` always does: every client
needs credentials, the services' are in var/nats/auth/services.creds (--json says where).
When the NATS on 4222 runs in the other mode, a second one (nats-alt, 4223) serves this one.

Environment: NATS_URL / ELASTICSEARCH_URL use existing servers instead of local ones;
SOC_STACK__NATS_PORT, SOC_STACK__ES_PORT, SOC_STACK__ES_HEAP move or size the local ones.`;

export const stackCommand: Command = {
  name: 'stack',
  summary: 'run the local NATS + Elasticsearch stack (up|down|status)',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { json: { type: 'boolean' }, only: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      usage,
    );
    if (values.help) {
      console.log(usage);
      return EXIT.ok;
    }
    const [action, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument: ${extra[0]}`, usage);
    const cfg = loadStackConfig();
    switch (action) {
      case 'up': {
        const ep = await stackUp(cfg);
        if (values.json) console.log(JSON.stringify(ep));
        else
          console.log(
            `stack ready: NATS ${ep.natsUrl}${ep.natsAuth === 'operator' ? ` (credentials required; services: ${ep.natsCredsFile})` : ep.natsAuth === 'none' ? ' (no authorization: tests only)' : ''}, Elasticsearch ${ep.elasticsearchUrl}`,
          );
        return EXIT.ok;
      }
      case 'down': {
        const only = values.only?.split(',').map((s) => s.trim());
        if (only?.some((c) => !STACK_COMPONENTS.includes(c as StackComponent))) {
          throw new UsageError(`--only takes ${STACK_COMPONENTS.join(', ')}, got ${values.only}`, usage);
        }
        const stopped = await stackDown(cfg, only as StackComponent[] | undefined);
        console.log(stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running');
        return EXIT.ok;
      }
      case 'status': {
        const status = await stackStatus(cfg);
        if (values.json) console.log(JSON.stringify(status, null, 2));
        else
          for (const s of status) {
            const who = s.external ? 'external' : s.pid ? `pid ${s.pid}` : 'not running';
            console.log(
              `${s.name.padEnd(14)} ${s.answering ? 'up  ' : 'down'}  ${s.url}  (${who}${s.detail ? `, ${s.detail}` : ''})`,
            );
          }
        return status.every((s) => s.answering) ? EXIT.ok : EXIT.failure;
      }
      case undefined:
        throw new UsageError('missing action', usage);
      default:
        throw new UsageError(`unknown action: ${action}`, usage);
    }
  },
};
