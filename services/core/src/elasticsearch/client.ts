import { readFileSync } from 'node:fs';
import { Client } from '@elastic/elasticsearch';
import type { ElasticsearchConfig } from '../config/schemas.ts';

export { Client as ElasticsearchClient } from '@elastic/elasticsearch';

export function createElasticsearchClient(config: ElasticsearchConfig): Client {
  const auth = config.apiKey
    ? { apiKey: config.apiKey }
    : config.username
      ? { username: config.username, password: config.password ?? '' }
      : undefined;
  return new Client({
    node: config.url,
    auth,
    requestTimeout: config.requestTimeoutMs,
    maxRetries: config.maxRetries,
    tls: config.caFile ? { ca: readFileSync(config.caFile) } : undefined,
  });
}

/** Waits for the cluster to answer with at least yellow health (single node is yellow). */
export async function waitForElasticsearch(client: Client, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await client.cluster.health({ wait_for_status: 'yellow', timeout: '5s' });
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(
    `Elasticsearch did not become ready within ${timeoutMs} ms: ${(lastError as Error)?.message}`,
  );
}
