import { jetstream, jetstreamManager, runService } from '@soc/core';
import { ingestServiceSchema } from './config.ts';
import { startIngest } from './service.ts';

await runService({
  name: 'ingest',
  schema: ingestServiceSchema,
  async start(ctx) {
    const nc = await ctx.nats();
    const es = ctx.elasticsearch();
    await startIngest({ ...ctx, js: jetstream(nc), jsm: await jetstreamManager(nc), es });
  },
});
