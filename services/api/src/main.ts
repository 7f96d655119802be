import { baseServiceSchema, httpSchema, runService } from '@soc/core';
import { apiApp } from './app.ts';

const schema = baseServiceSchema.extend({
  http: httpSchema.extend({ port: httpSchema.shape.port.default(8080) }).prefault({}),
});

await runService({
  name: 'api',
  schema,
  async start(ctx) {
    await ctx.nats();
    ctx.elasticsearch();
  },
  routes: (ctx) => apiApp({ version: '0.1.0', logger: ctx.logger }),
});
