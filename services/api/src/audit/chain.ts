import { createHash } from 'node:crypto';
import type { Client } from '../store/es.ts';
import { getDoc, isConflict } from '../store/es.ts';

/**
 * The audit log: one record per state-changing request, append-only and hash-chained.
 * Record n stores `prev_hash` = hash of record n−1 and `hash` = SHA-256 of its own canonical
 * JSON (everything but `hash`). `_id` is the sequence number and records are written with
 * op_type create, so no record is ever overwritten by the API; an edit, deletion or
 * re-ordering made behind its back breaks the chain at that record, which `verifyChain`
 * (`soc audit verify`) reports.
 *
 * Several API instances append to one chain: each claims `seq` n+1 with a create; the loser
 * of a race gets a conflict, reads the record that won (GET is real-time) and tries n+2.
 */
export interface AuditInput {
  time: string;
  actor: { kind: 'user' | 'api_key' | 'anonymous' | 'agent' | 'cli'; id: string; name?: string };
  action: string;
  method: string;
  path: string;
  target?: { type: string; id?: string };
  organization_id?: string;
  status: number;
  outcome: 'success' | 'failure' | 'denied';
  ip?: string;
  user_agent?: string;
  request_id?: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditRecord extends AuditInput {
  seq: number;
  prev_hash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth: the same record always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function recordHash(r: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(r)).digest('hex');
}

export class AuditLog {
  #head: { seq: number; hash: string } | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly es: Client,
    readonly index: string,
  ) {}

  /** Appends one record; calls are serialised within the process so the chain is built in order. */
  append(input: AuditInput): Promise<AuditRecord> {
    const run = this.#queue.then(() => this.#append(input));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #append(input: AuditInput): Promise<AuditRecord> {
    // Drop undefined fields first: the stored JSON must hash the same as what we hashed.
    const clean = JSON.parse(JSON.stringify(input)) as AuditInput;
    let head = this.#head ?? (await this.#findHead());
    for (let attempt = 0; attempt < 1000; attempt++) {
      const base = { ...clean, seq: head.seq + 1, prev_hash: head.hash };
      const record: AuditRecord = { ...base, hash: recordHash(base) };
      try {
        await this.es.create({ index: this.index, id: String(record.seq), document: record });
        this.#head = { seq: record.seq, hash: record.hash };
        return record;
      } catch (err) {
        if (!isConflict(err)) {
          this.#head = undefined;
          throw err;
        }
        // Another instance wrote this sequence number: follow it and try the next.
        const winner = await getDoc<AuditRecord>(this.es, this.index, String(head.seq + 1));
        head = winner ? { seq: winner.seq, hash: winner.hash } : await this.#findHead();
      }
    }
    throw new Error('audit: could not claim a sequence number');
  }

  async #findHead(): Promise<{ seq: number; hash: string }> {
    // Search is near-real-time, so it may lag; walk forward with real-time GETs from there.
    let head = { seq: 0, hash: GENESIS_HASH };
    try {
      const r = await this.es.search<AuditRecord>({
        index: this.index,
        size: 1,
        sort: [{ seq: 'desc' }],
        _source: ['seq', 'hash'],
      });
      const top = r.hits.hits[0]?._source;
      if (top) head = { seq: top.seq, hash: top.hash };
    } catch {
      // No index yet: the chain starts at genesis.
    }
    for (;;) {
      const next = await getDoc<AuditRecord>(this.es, this.index, String(head.seq + 1));
      if (!next) return head;
      head = { seq: next.seq, hash: next.hash };
    }
  }
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  /** The first broken record and why. */
  broken?: { seq: number; reason: string };
}

/** Reads the whole chain in sequence order and checks every link and hash. */
export async function verifyChain(es: Client, index: string): Promise<VerifyResult> {
  await es.indices.refresh({ index });
  let prev = GENESIS_HASH;
  let expected = 1;
  let after: unknown[] | undefined;
  let records = 0;
  for (;;) {
    const r = await es.search<AuditRecord>({
      index,
      size: 1000,
      sort: [{ seq: 'asc' }],
      query: { match_all: {} },
      ...(after ? { search_after: after as never } : {}),
    });
    const hits = r.hits.hits;
    if (!hits.length) return { ok: true, records };
    for (const h of hits) {
      const rec = h._source!;
      records++;
      if (String(rec.seq) !== h._id)
        return { ok: false, records, broken: { seq: rec.seq, reason: `stored under _id ${h._id}` } };
      if (rec.seq !== expected)
        return {
          ok: false,
          records,
          broken: { seq: expected, reason: `record ${expected} missing (next is ${rec.seq})` },
        };
      if (rec.prev_hash !== prev)
        return {
          ok: false,
          records,
          broken: { seq: rec.seq, reason: 'prev_hash does not match the previous record' },
        };
      const { hash, ...rest } = rec;
      if (recordHash(rest) !== hash)
        return { ok: false, records, broken: { seq: rec.seq, reason: 'content does not match its hash' } };
      prev = hash;
      expected++;
    }
    after = hits.at(-1)!.sort;
  }
}
