import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing but Node; `integration` talks to the real NATS and
// Elasticsearch that scripts/test.mjs brings up (NATS_URL, ELASTICSEARCH_URL).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{services,agents,deploy}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.int.test.ts'],
          // Some unit tests run the `soc` CLI as a process (a TypeScript start-up of seconds);
          // on a loaded 2-core machine 5 s is not enough. Nothing here asserts a duration.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{services,agents,deploy,test}/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
