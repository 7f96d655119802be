import type { Client } from '@elastic/elasticsearch';
import { type Alert, alertIndexDefinitions, ensureIndex, type SocIndices, withSeverityRank } from '@soc/core';
import { fold, type Hit } from './alert.ts';

/** Creates the alerts index (behind its alias) and the rules index when missing, as the API does (see `ensureIndex`). */
export async function ensureAlertIndices(es: Client, ix: SocIndices): Promise<void> {
  for (const def of alertIndexDefinitions(ix)) await ensureIndex(es, def);
}

interface Stored {
  alert: Alert;
  seqNo: number;
  primaryTerm: number;
}

/**
 * Writes alerts so that a batch applied twice (a redelivery after a crash) leaves them as
 * applied once: create with op_type create, grow with optimistic concurrency (if_seq_no), and
 * on a conflict (another process, or the API changing the status) read again and re-fold.
 * No scripts: the integ-test Elasticsearch has none.
 */
export class AlertStore {
  /**
   * Alerts this process wrote last, with their seq_no: a repeat folds without reading first.
   * Stale entries (another process or the API wrote since) fail with 409 and are re-read.
   */
  readonly #cache = new Map<string, Stored>();
  static readonly CACHE_SIZE = 20_000;

  constructor(
    private readonly es: Client,
    private readonly ix: SocIndices,
    private readonly maxIds: number,
    private readonly refresh: 'true' | 'false' | 'wait_for' = 'false',
  ) {}

  /** Applies the hits; returns every alert they touch as now stored (changed or not). */
  async apply(hits: Hit[]): Promise<Alert[]> {
    const byId = new Map<string, Hit[]>();
    for (const h of hits) byId.set(h.alertId, [...(byId.get(h.alertId) ?? []), h]);
    const result = new Map<string, Alert>();
    let pending = [...byId.keys()];
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt > 20)
        throw new Error(
          `alerts still conflicting after ${attempt} attempts: ${pending.slice(0, 5).join(', ')}`,
        );
      const stored = await this.#read(pending.filter((id) => !this.#cache.has(id)));
      for (const id of pending) {
        const c = this.#cache.get(id);
        if (c) stored.set(id, c);
      }
      const ops: object[] = [];
      const order: { id: string; alert: Alert }[] = [];
      const now = new Date().toISOString();
      for (const id of pending) {
        const s = stored.get(id);
        const folded = fold(s?.alert, byId.get(id)!, this.maxIds, now);
        // The queue's severity view sorts on it (`severityRank`), so it follows `last_seen`.
        const next = folded && withSeverityRank(folded);
        if (!next) {
          if (s) result.set(id, s.alert);
          continue;
        }
        ops.push(
          s
            ? {
                index: {
                  _index: this.ix.alertsConcrete,
                  _id: id,
                  if_seq_no: s.seqNo,
                  if_primary_term: s.primaryTerm,
                },
              }
            : { create: { _index: this.ix.alertsConcrete, _id: id } },
          next,
        );
        order.push({ id, alert: next });
      }
      pending = [];
      if (!ops.length) break;
      const res = await this.es.bulk({
        operations: ops,
        refresh: this.refresh === 'true' ? true : this.refresh === 'false' ? false : 'wait_for',
      });
      res.items.forEach((item, i) => {
        const r = (item.index ?? item.create)!;
        const { id, alert } = order[i]!;
        if (!r.error) {
          result.set(id, alert);
          if (r._seq_no !== undefined && r._primary_term !== undefined)
            this.#remember(id, { alert, seqNo: r._seq_no, primaryTerm: r._primary_term });
        } else if (r.status === 409) {
          this.#cache.delete(id);
          pending.push(id);
        } else throw new Error(`alert ${id} refused: ${r.error.type}: ${r.error.reason}`);
      });
    }
    return [...result.values()];
  }

  #remember(id: string, s: Stored): void {
    this.#cache.delete(id);
    this.#cache.set(id, s);
    if (this.#cache.size > AlertStore.CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
  }

  async #read(ids: string[]): Promise<Map<string, Stored>> {
    const out = new Map<string, Stored>();
    if (!ids.length) return out;
    const res = await this.es.mget<Alert>({ index: this.ix.alertsConcrete, ids, realtime: true });
    for (const d of res.docs) {
      if ('found' in d && d.found && d._source && d._seq_no !== undefined && d._primary_term !== undefined)
        out.set(d._id, { alert: d._source, seqNo: d._seq_no, primaryTerm: d._primary_term });
    }
    return out;
  }
}
