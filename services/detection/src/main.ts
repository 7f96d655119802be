import { jetstream, jetstreamManager, runService } from '@soc/core';
import { detectionServiceSchema } from './config.ts';
import { startDetection } from './service.ts';

await runService({
  name: 'detection',
  schema: detectionServiceSchema,
  async start(ctx) {
    const nc = await ctx.nats();
    const es = ctx.elasticsearch();
    await startDetection({ ...ctx, nc, js: jetstream(nc), jsm: await jetstreamManager(nc), es });
  },
});
