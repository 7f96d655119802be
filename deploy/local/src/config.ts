import { loadConfig, port } from '@soc/core';
import { z } from 'zod';

export const stackSchema = z.object({
  stack: z
    .object({
      host: z.literal('127.0.0.1').default('127.0.0.1'),
      natsPort: port.default(4222),
      natsMonitorPort: port.default(8222),
      esPort: port.default(9200),
      esTransportPort: port.default(9300),
      /** JVM heap for the local Elasticsearch, e.g. `1g`, `2g`. */
      esHeap: z
        .string()
        .regex(/^\d+[mg]$/, 'a JVM size like 512m or 2g')
        .default('1g'),
      esVersion: z.string().default('8.19.21'),
      startTimeoutS: z.coerce.number().int().positive().default(180),
    })
    .prefault({}),
});

export type StackConfig = z.output<typeof stackSchema>['stack'];

export function loadStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  return loadConfig(stackSchema, { env }).config.stack;
}
