import { type Alert, type ElasticsearchClient, severityRank } from '@soc/core';

type Client = InstanceType<typeof ElasticsearchClient>;

/**
 * Sets `severity_rank` on the alerts written before it existed, which the severity view would
 * otherwise list after every ranked alert (a sort puts a missing value last). Partial updates
 * guarded by the sequence number (no scripts on the integ-test Elasticsearch): an alert changed
 * meanwhile was rewritten by detection or the API, which set the rank themselves. Stops when none
 * is left, or when a round changes nothing. Returns how many alerts it updated.
 */
export async function backfillSeverityRank(es: Client, index: string, batch = 1000): Promise<number> {
  let updated = 0;
  for (;;) {
    const res = await es.search<Pick<Alert, 'rule' | 'last_seen'>>({
      index,
      size: batch,
      seq_no_primary_term: true,
      _source: ['rule.severity', 'last_seen'],
      query: { bool: { must_not: { exists: { field: 'severity_rank' } } } },
    });
    const hits = res.hits.hits.filter((h) => h._source?.rule && h._source.last_seen);
    if (!hits.length) return updated;
    const bulk = await es.bulk({
      refresh: 'wait_for',
      operations: hits.flatMap((h) => [
        { update: { _index: h._index, _id: h._id, if_seq_no: h._seq_no, if_primary_term: h._primary_term } },
        { doc: { severity_rank: severityRank(h._source!) } },
      ]),
    });
    const done = bulk.items.filter((i) => !i.update?.error).length;
    const failed = bulk.items.find((i) => i.update?.error && i.update.status !== 409);
    if (failed) throw new Error(`severity_rank backfill refused: ${failed.update?.error?.reason}`);
    if (!done) return updated;
    updated += done;
  }
}
