import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '@soc/core';
import { AssetRegistry } from '@soc/normalize';

/**
 * Reads the whole asset registry index into memory (a province has thousands of assets, not
 * millions) and re-reads it every `refreshS`. A failed refresh keeps the previous snapshot:
 * enrichment degrades to stale, never to "unknown" for everything.
 */
export class AssetSource {
  #registry: AssetRegistry = new AssetRegistry([]);
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly es: Client,
    private readonly index: string,
    private readonly logger: Logger,
    private readonly onLoad?: (size: number) => void,
  ) {}

  get registry(): AssetRegistry {
    return this.#registry;
  }

  async load(): Promise<void> {
    const docs: unknown[] = [];
    const exists = await this.es.indices.exists({ index: this.index });
    if (exists) {
      for await (const d of this.es.helpers.scrollDocuments({
        index: this.index,
        size: 1000,
        query: { match_all: {} },
      }))
        docs.push(d);
    }
    const { registry, rejected } = AssetRegistry.fromDocuments(docs);
    if (rejected.length)
      this.logger.warn(
        { rejected: rejected.slice(0, 10), count: rejected.length },
        'asset registry: entries skipped',
      );
    this.#registry = registry;
    this.onLoad?.(registry.size);
  }

  start(refreshS: number): void {
    this.#timer = setInterval(() => {
      this.load().catch((err) =>
        this.logger.warn(
          { err: (err as Error).message },
          'asset registry refresh failed; keeping the last snapshot',
        ),
      );
    }, refreshS * 1000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
