import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from './config.ts';
import { elasticsearchDown, elasticsearchStatus, elasticsearchUp } from './elasticsearch.ts';
import { natsDown, natsStatus, natsUp } from './nats.ts';
import { ensureDir, varDir } from './paths.ts';
import type { ComponentStatus } from './status.ts';

export interface StackEndpoints {
  natsUrl: string;
  elasticsearchUrl: string;
  /** Components this call started (and so the caller may stop); the rest were already up or external. */
  started: Array<'nats' | 'elasticsearch'>;
}

const endpointsFile = () => join(ensureDir(varDir('run')), 'stack.json');

/** Brings up NATS and Elasticsearch (in parallel; Elasticsearch is the slow one), reusing what already runs. */
export async function stackUp(
  cfg: StackConfig,
  log: (line: string) => void = console.log,
): Promise<StackEndpoints> {
  const [natsResult, esResult] = await Promise.allSettled([
    natsUp(cfg, (l) => log(`[nats] ${l}`)),
    elasticsearchUp(cfg, (l) => log(`[elasticsearch] ${l}`)),
  ]);
  if (natsResult.status === 'rejected' || esResult.status === 'rejected') {
    // Half a stack is no stack: stop what this call started, then report the first failure.
    if (natsResult.status === 'fulfilled' && natsResult.value.started) await natsDown();
    if (esResult.status === 'fulfilled' && esResult.value.started) await elasticsearchDown(cfg);
    throw natsResult.status === 'rejected' ? natsResult.reason : (esResult as PromiseRejectedResult).reason;
  }
  const nats = natsResult.value;
  const es = esResult.value;
  const endpoints: StackEndpoints = {
    natsUrl: nats.url,
    elasticsearchUrl: es.url,
    started: [
      ...(nats.started ? (['nats'] as const) : []),
      ...(es.started ? (['elasticsearch'] as const) : []),
    ],
  };
  writeFileSync(
    endpointsFile(),
    `${JSON.stringify({ natsUrl: nats.url, elasticsearchUrl: es.url }, null, 2)}\n`,
  );
  return endpoints;
}

export async function stackDown(
  cfg: StackConfig,
  only: ReadonlyArray<'nats' | 'elasticsearch'> = ['nats', 'elasticsearch'],
): Promise<string[]> {
  const stopped: string[] = [];
  await Promise.all([
    only.includes('nats') && natsDown().then((s) => s && stopped.push('nats')),
    only.includes('elasticsearch') && elasticsearchDown(cfg).then((s) => s && stopped.push('elasticsearch')),
  ]);
  if (only.length === 2) rmSync(endpointsFile(), { force: true });
  return stopped;
}

export async function stackStatus(cfg: StackConfig): Promise<ComponentStatus[]> {
  return Promise.all([natsStatus(cfg), elasticsearchStatus(cfg)]);
}

/** The endpoints of the last `stackUp`, for processes that did not start the stack themselves. */
export function readEndpoints(): { natsUrl: string; elasticsearchUrl: string } | undefined {
  try {
    return JSON.parse(readFileSync(endpointsFile(), 'utf8'));
  } catch {
    return undefined;
  }
}
