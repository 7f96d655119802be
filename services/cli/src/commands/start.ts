import { createElasticsearchClient, elasticsearchSchema, flag, loadConfig, socIndices } from '@soc/core';
import { seedDemoData } from '@soc/detection';
import { loadStackConfig, stackDown, stackEnv, stackUp } from '@soc/stack';
import { z } from 'zod';
import { parseFlags } from '../args.ts';
import { SERVICES } from '../services.ts';
import { type Supervised, spawnService, stopAll, waitReady } from '../supervisor.ts';
import { type Command, EXIT, UsageError } from '../usage.ts';

const usage = `Usage: soc start [--api-port N] [--keep-stack]

Brings up the local stack (NATS + Elasticsearch), starts every service, prints where they
listen, and stops everything it started on Ctrl-C.

  --api-port N    port for the API (default 8080)
  --keep-stack    leave NATS and Elasticsearch running on exit (faster next start)`;

export const startCommand: Command = {
  name: 'start',
  summary: 'run the whole SOC locally: stack, services (what `npm start` runs)',
  usage,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        'api-port': { type: 'string' },
        'keep-stack': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      usage,
    );
    if (values.help) {
      console.log(usage);
      return EXIT.ok;
    }
    if (positionals.length) throw new UsageError(`unexpected argument: ${positionals[0]}`, usage);
    const apiPort = values['api-port'] === undefined ? undefined : Number(values['api-port']);
    if (apiPort !== undefined && !(Number.isInteger(apiPort) && apiPort > 0 && apiPort < 65536)) {
      throw new UsageError(`--api-port must be a port number, got ${values['api-port']}`, usage);
    }

    // The whole SOC runs with NATS authorization; only the test suites run it open.
    const cfg = { ...loadStackConfig(), natsAuth: 'operator' as const };
    const t0 = Date.now();
    const stack = await stackUp(cfg);
    const env = { ...process.env, ...stackEnv(stack) };

    const running: Supervised[] = [];
    let stopping: Promise<void> | undefined;
    const stop = (why: string) => {
      stopping ??= (async () => {
        console.log(`\nstopping (${why})…`);
        await stopAll(running);
        if (!values['keep-stack'] && stack.started.length) {
          await stackDown(cfg, stack.started);
          console.log(`stopped ${stack.started.join(' and ')}`);
        }
      })();
      return stopping;
    };
    const onSignal = (signal: NodeJS.Signals) => void stop(signal);
    // SIGHUP: the terminal was closed; stop as cleanly as on Ctrl-C.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

    try {
      await seedDemo(env);
      const urls: string[] = [];
      const width = Math.max(14, ...SERVICES.map((s) => s.banner.label.length + 1));
      for (const service of SERVICES) {
        const port = service.name === 'api' && apiPort ? apiPort : service.port;
        const sv = spawnService(service, env, port);
        running.push(sv);
        const base = `http://127.0.0.1:${port}`;
        await waitReady(base, sv);
        urls.push(`  ${service.banner.label.padEnd(width)} ${base}${service.banner.path}`);
      }
      console.log(
        [
          '',
          `SOC ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
          ...urls,
          `  ${'NATS'.padEnd(width)} ${stack.natsUrl}${stack.natsCredsFile ? ` (credentials: ${stack.natsCredsFile})` : ''}`,
          `  ${'Elasticsearch'.padEnd(width)} ${stack.elasticsearchUrl}`,
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      // Stay up until a signal, or until a service dies on its own (then stop the rest).
      const firstExit = Promise.race(running.map((sv) => sv.exited.then((code) => ({ sv, code }))));
      const outcome = await Promise.race([
        firstExit,
        new Promise<'signal'>((r) =>
          process.once('SIGINT', () => r('signal')).once('SIGTERM', () => r('signal')),
        ),
      ]);
      if (outcome !== 'signal' && !stopping) {
        console.error(`${outcome.sv.entry.name} exited with code ${outcome.code}`);
        await stop('a service exited');
        return EXIT.failure;
      }
      await stopping;
      return EXIT.ok;
    } catch (err) {
      await stop('start-up failed');
      throw err;
    }
  },
};

/**
 * The demo's agency and systems, before the API feeds the asset registry from them and ingest
 * and detection load it: the demo's alerts then carry organisation and level. Reads
 * Elasticsearch's settings from the environment as the services do; a failure is reported and
 * the SOC starts without them.
 */
async function seedDemo(env: NodeJS.ProcessEnv): Promise<void> {
  const enabled = flag.safeParse(env.SOC_DEMO__ENABLED ?? 'true');
  if (enabled.success && !enabled.data) return;
  try {
    const { config } = loadConfig(z.object({ elasticsearch: elasticsearchSchema.prefault({}) }), {
      env: { ...env, SOC_CONFIG: undefined },
    });
    const es = createElasticsearchClient(config.elasticsearch);
    try {
      await seedDemoData(es, socIndices(env.SOC_API__INDEX_PREFIX || undefined));
    } finally {
      await es.close();
    }
  } catch (err) {
    console.error(
      `demo data not registered (${(err as Error).message}); the demo's alerts will have no agency`,
    );
  }
}
