import { assetRecordOfSystem, type InformationSystem, type Logger } from '@soc/core';
import type { ApiDeps } from '../../http/env.ts';
import { type Client, isNotFound } from '../../store/es.ts';

/**
 * Keeps ingest's asset registry (`<prefix>-assets`) in step with the information systems:
 * one registry document per system (`_id` = system id, shape `assetRecordOfSystem`), written
 * after the system and removed before it, each with `refresh: wait_for` so the next registry
 * read — ingest's and detection's, every `refreshS` — sees it.
 *
 * Not transactional with the system document: if the registry write fails the request fails
 * (5xx) with the system already changed; repeating the request, or the next API start
 * (`syncAssetRegistry`), writes it. Deleting removes the registry entry first, so a failure
 * leaves a system that still enriches rather than a deleted one that does.
 */
export async function putSystemAssets(deps: ApiDeps, s: InformationSystem): Promise<void> {
  await deps.es.index({
    index: deps.indices.assets,
    id: s.id,
    document: assetRecordOfSystem(s),
    refresh: 'wait_for',
  });
}

export async function removeSystemAssets(deps: ApiDeps, id: string): Promise<void> {
  try {
    await deps.es.delete({ index: deps.indices.assets, id, refresh: 'wait_for' });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * Writes the registry document of every system (at API start): systems created before the
 * API fed the registry, or whose registry write failed, enrich again. Entries of other
 * writers (loaded by hand) are left alone, so nothing is deleted here.
 */
export async function syncAssetRegistry(
  es: Client,
  index: { systems: string; assets: string },
  logger: Logger,
): Promise<number> {
  if (!(await es.indices.exists({ index: index.systems }))) return 0;
  let n = 0;
  let ops: object[] = [];
  const flush = async () => {
    if (!ops.length) return;
    const res = await es.bulk({ operations: ops, refresh: 'wait_for' });
    if (res.errors) {
      const failed = res.items.filter((i) => i.index?.error).map((i) => i.index?._id);
      logger.warn(
        { failed: failed.slice(0, 10), count: failed.length },
        'asset registry: entries not written',
      );
    }
    ops = [];
  };
  for await (const s of es.helpers.scrollDocuments<InformationSystem>({
    index: index.systems,
    size: 500,
    query: { match_all: {} },
  })) {
    ops.push({ index: { _index: index.assets, _id: s.id } }, assetRecordOfSystem(s));
    n++;
    if (ops.length >= 1000) await flush();
  }
  await flush();
  return n;
}
