import { runService } from '@soc/core';
import { retroAlertPublisher } from '@soc/detection/retro';
import { createApi } from './app.ts';
import { apiServiceSchema, buildDeps } from './config.ts';
import { followHeartbeats } from './resources/agents/heartbeats.ts';
import { backfillSeverityRank } from './resources/alerts/backfill.ts';
import { syncAssetRegistry } from './resources/systems/registry.ts';
import { ensureIndices } from './store/es.ts';

let deps: ReturnType<typeof buildDeps> | undefined;

await runService({
  name: 'api',
  schema: apiServiceSchema,
  async start(ctx) {
    const nc = await ctx.nats();
    const es = ctx.elasticsearch();
    deps = buildDeps(es, ctx.config.api, ctx.logger);
    await ensureIndices(es, deps.indices);
    // In the background: the queue serves meanwhile, older alerts last in the severity view until done.
    void backfillSeverityRank(es, deps.indices.alerts)
      .then((n) => n && ctx.logger.info({ alerts: n }, 'severity_rank set on older alerts'))
      .catch((err) => ctx.logger.warn({ err: (err as Error).message }, 'severity_rank backfill failed'));
    // Systems written before the API fed the asset registry (or whose registry write failed) enrich again.
    const synced = await syncAssetRegistry(es, deps.indices, ctx.logger);
    ctx.logger.info({ systems: synced }, 'asset registry in step with the information systems');
    // Retro-hunts publish their alerts on NATS as detection publishes live ones (alerts.<level>.<rule>).
    await retroAlertPublisher(nc)
      .then((publish) => deps!.hunts.publishWith(publish))
      .catch((err) =>
        ctx.logger.warn(
          { err: (err as Error).message },
          'ALERTS stream unavailable: hunts write alerts, not publish them',
        ),
      );
    // Jobs orphaned by a stopped or killed instance are resumed; a graceful stop hands ours back.
    deps.hunts.start();
    ctx.shutdown.add('hunts', () => deps!.hunts.stop());
    const hb = followHeartbeats(nc, es, deps.indices.agents, ctx.logger);
    ctx.shutdown.add('heartbeats', async () => hb.stop());
  },
  routes: () => createApi(deps!).app,
});
