import { loadConfig, port } from '@soc/core';
import { z } from 'zod';

export const NATS_AUTH_MODES = ['operator', 'none'] as const;
export type NatsAuthMode = (typeof NATS_AUTH_MODES)[number];

export const stackSchema = z.object({
  stack: z
    .object({
      host: z.literal('127.0.0.1').default('127.0.0.1'),
      natsPort: port.default(4222),
      natsMonitorPort: port.default(8222),
      /**
       * `operator`: clients need credentials — what `soc start` (npm start) always runs;
       * `none`: anonymous, for the test suites (npm test) and the bare `soc stack up` a
       * developer runs them against. See nats.ts for how the two coexist.
       */
      natsAuth: z.enum(NATS_AUTH_MODES).default('none'),
      /** The second instance, used when the first runs in the other authorization mode. */
      natsAltPort: port.default(4223),
      natsAltMonitorPort: port.default(8223),
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
