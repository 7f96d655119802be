import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '@soc/core';
import type { IngestMetrics } from './metrics.ts';

/** One document to create: `_id` makes a second write of the same message a no-op (409). */
export interface BulkItem {
  index: string;
  id: string;
  /** The document, serialised once (its length sizes the batch). */
  source: string;
}

export type ItemOutcome =
  | { status: 'created' }
  | { status: 'duplicate' }
  | { status: 'rejected'; type: string; reason: string };

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
}

export class Aborted extends Error {
  override readonly name = 'Aborted';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** The HTTP status of a failed request; undefined when there was no answer (connection errors carry 0). */
function statusOf(err: unknown): number | undefined {
  const s = (err as { meta?: { statusCode?: number } }).meta?.statusCode;
  return typeof s === 'number' && s >= 100 ? s : undefined;
}

interface BulkResponseItem {
  status: number;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
}

/**
 * `_bulk` with `create` operations that never gives up on a transient failure: the whole
 * request again on connection loss, 429 or 5xx; only the failed items again on item-level
 * 429/5xx. Backoff doubles from `initialMs` to `maxMs` with jitter. An item Elasticsearch
 * refuses for what it is (mapping conflict, too large…) is returned as rejected, for the
 * dead letters. Messages stay unacknowledged while this retries, so a crash loses nothing.
 */
export class BulkWriter {
  constructor(
    private readonly es: Client,
    private readonly retry: RetryPolicy,
    private readonly logger: Logger,
    private readonly metrics?: IngestMetrics,
    private readonly requestTimeoutMs = 60_000,
  ) {}

  async write(
    items: BulkItem[],
    options: { signal?: AbortSignal; onWait?: () => void } = {},
  ): Promise<ItemOutcome[]> {
    const outcomes: (ItemOutcome | undefined)[] = new Array(items.length);
    let todo = items.map((_, i) => i);
    let attempt = 0;
    while (todo.length) {
      if (options.signal?.aborted) throw new Aborted('shutting down with a batch not written');
      const body = todo.map((i) => {
        const it = items[i]!;
        return `{"create":{"_index":${JSON.stringify(it.index)},"_id":${JSON.stringify(it.id)}}}\n${it.source}`;
      });
      const started = performance.now();
      try {
        const res = await this.es.bulk(
          { operations: body, filter_path: 'errors,items.*.status,items.*.error' },
          { maxRetries: 0, requestTimeout: this.requestTimeoutMs },
        );
        this.metrics?.bulkSeconds.observe((performance.now() - started) / 1000);
        this.metrics?.bulkDocs.observe(todo.length);
        const resItems = (res.items ?? []) as Record<string, BulkResponseItem>[];
        if (resItems.length !== todo.length)
          throw new Error(`bulk answered ${resItems.length} items for ${todo.length}`);
        const again: number[] = [];
        resItems.forEach((entry, k) => {
          const i = todo[k]!;
          const r = Object.values(entry)[0]!;
          if (r.status === 200 || r.status === 201) outcomes[i] = { status: 'created' };
          else if (r.status === 409) outcomes[i] = { status: 'duplicate' };
          else if (r.status === 429 || r.status >= 500) again.push(i);
          else {
            const e = r.error ?? {};
            const reason = [e.reason, e.caused_by?.reason].filter(Boolean).join(': ');
            outcomes[i] = {
              status: 'rejected',
              type: e.type ?? `status_${r.status}`,
              reason: reason || `status ${r.status}`,
            };
          }
        });
        if (again.length) this.metrics?.retries.inc({ cause: 'item' }, again.length);
        todo = again;
        if (!todo.length) break;
      } catch (err) {
        const status = statusOf(err);
        if (status !== undefined && status !== 429 && status < 500) {
          // 400 on the request itself (e.g. a body over http.max_content_length): split, so
          // the offending document is found and refused alone instead of blocking the rest.
          if (todo.length > 1) {
            const half = Math.ceil(todo.length / 2);
            const [a, b] = [todo.slice(0, half), todo.slice(half)];
            const ra = await this.write(
              a.map((i) => items[i]!),
              options,
            );
            const rb = await this.write(
              b.map((i) => items[i]!),
              options,
            );
            a.forEach((i, k) => {
              outcomes[i] = ra[k];
            });
            b.forEach((i, k) => {
              outcomes[i] = rb[k];
            });
            break;
          }
          outcomes[todo[0]!] = {
            status: 'rejected',
            type: `status_${status}`,
            reason: (err as Error).message.slice(0, 500),
          };
          break;
        }
        const cause = status === undefined ? 'connection' : status === 429 ? 'status_429' : 'status_5xx';
        this.metrics?.retries.inc({ cause });
        if (attempt === 0 || attempt % 10 === 0)
          this.logger.warn(
            { err: (err as Error).message, cause, documents: todo.length, attempt },
            'bulk failed; retrying',
          );
      }
      const delay = Math.min(this.retry.maxMs, this.retry.initialMs * 2 ** Math.min(attempt, 20));
      attempt++;
      options.onWait?.();
      await sleep(delay * (0.5 + Math.random() / 2), options.signal);
    }
    return outcomes.map((o) => o ?? { status: 'rejected', type: 'internal', reason: 'no outcome' });
  }
}
