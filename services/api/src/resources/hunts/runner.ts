import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Alert, Logger, RuleState, SocIndices } from '@soc/core';
import {
  AlertStore,
  compileExceptions,
  type RetroHuntProgress,
  retroHunt,
  retroHuntCorrelation,
} from '@soc/detection/retro';
import { type Client, getDoc, getVersioned, isConflict } from '../../store/es.ts';
import { EVENT_ORG_FIELD } from '../events/routes.ts';
import { emptyProgress, FINISHED, type Hunt, type HuntProgress, type HuntState } from './model.ts';
import { huntPipeline, huntTarget } from './rule.ts';

export interface HuntRunnerOptions {
  es: Client;
  indices: SocIndices;
  eventsIndex: string;
  logger: Logger;
  /** Hunts run at once in this API instance; the rest wait, queued. */
  concurrency: number;
  /** Logsource pipeline, as detection's `rules.pipeline`. */
  pipeline: string;
  /** Grouping window, as detection's `groupWindowS`: the same hits give the same alert ids. */
  windowMs: number;
  /** Event ids kept on an alert, as detection's `maxEventIds`. */
  maxEventIds: number;
  pageSize?: number;
  now?: () => Date;
  /**
   * Publishes a page's alerts on NATS as detection does (`retroAlertPublisher` of
   * `@soc/detection/retro`, given the API's NATS connection); absent: written, not published.
   */
  publish?: (alerts: Alert[]) => Promise<void>;
}

/** A running or queued job says it is alive this often… */
export const HEARTBEAT_MS = 15_000;
/** …and one silent for this long belongs to an instance that died: another takes it over. */
export const STALE_MS = 60_000;
/** Runs of one job before it is marked failed (a hunt that kills its instance must not loop). */
export const MAX_ATTEMPTS = 3;

class Stop extends Error {
  constructor(readonly why: 'cancelled' | 'stopping' | 'taken') {
    super(why);
  }
}

const percent = (p: RetroHuntProgress) =>
  p.total ? Math.min(100, Math.round((p.scanned / p.total) * 1000) / 10) : 0;
const progressOf = (p: RetroHuntProgress): HuntProgress => ({
  events_total: p.total,
  events_scanned: p.scanned,
  pages: p.pages,
  excepted: p.excepted,
  alerts: p.alerts,
  percent: percent(p),
});

/**
 * Runs retro-hunt jobs in the API process, in the background, `concurrency` at a time, with
 * detection's own hunt (`@soc/detection/retro`): same query, same folding, same alert ids —
 * for a correlation, its rules' queries merged by time into the stream's correlation engine.
 * With `publish` (the API's NATS connection), alerts are published as detection publishes them.
 *
 * Durability: the job document is the truth. Progress is written after each page (once that
 * page's alerts are written). A job is held by one instance (a lease: `runner.heartbeat_at`,
 * renewed every HEARTBEAT_MS); a job whose holder went silent for STALE_MS — an API killed or
 * restarted mid-hunt — is taken over by the next sweep of any instance and run again from the
 * start, which is exact because hunts are idempotent (an event already on an alert is not
 * counted again; the alert ids do not depend on the job). After MAX_ATTEMPTS runs it fails.
 * A graceful stop hands its jobs back at once (lease expired), so a restarted API resumes them
 * on start.
 *
 * Cancel: the job document turns `cancelled` (compare-and-set, so it cannot be lost against a
 * finishing runner); the runner sees it at its next progress write and stops between pages.
 */
export class HuntRunner {
  readonly instance = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly #queue: string[] = [];
  readonly #running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  #heartbeat: NodeJS.Timeout | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #now: () => Date;

  constructor(private readonly o: HuntRunnerOptions) {
    this.#now = o.now ?? (() => new Date());
  }

  get pipeline(): string {
    return this.o.pipeline;
  }

  /** Publishes hunts' alerts from now on (the API's main, once NATS is connected). */
  publishWith(publish: (alerts: Alert[]) => Promise<void>): void {
    this.o.publish = publish;
  }

  /** Stores a new (queued) job and schedules it here. */
  async submit(job: Hunt): Promise<void> {
    await this.o.es.create({ index: this.o.indices.hunts, id: job.id, document: job, refresh: 'wait_for' });
    this.#enqueue(job.id);
  }

  /** Sweeps for orphaned jobs now and every HEARTBEAT_MS (the API's main; tests call `sweep`). */
  start(): void {
    const sweep = () =>
      this.sweep().catch((err) =>
        this.o.logger.warn({ err: (err as Error).message }, 'hunt sweep failed; next one retries'),
      );
    void sweep();
    this.#sweeper = setInterval(sweep, HEARTBEAT_MS);
    this.#sweeper.unref();
  }

  /** Hands every job of this instance back (another instance, or this one restarted, resumes it). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#sweeper);
    clearInterval(this.#heartbeat);
    const queued = this.#queue.splice(0);
    for (const r of this.#running.values()) r.abort.abort(new Stop('stopping'));
    await Promise.allSettled([...this.#running.values()].map((r) => r.done));
    await Promise.allSettled(queued.map((id) => this.#release(id)));
  }

  /** Stops a job of this instance at once (its document is already `cancelled`). */
  cancelLocal(id: string): void {
    const i = this.#queue.indexOf(id);
    if (i >= 0) this.#queue.splice(i, 1);
    this.#running.get(id)?.abort.abort(new Stop('cancelled'));
  }

  get active(): number {
    return this.#running.size + this.#queue.length;
  }

  /** Takes over queued or running jobs whose holder has been silent for STALE_MS. */
  async sweep(): Promise<string[]> {
    if (this.#stopped) return [];
    const before = new Date(this.#now().getTime() - STALE_MS).toISOString();
    const exists = await this.o.es.indices.exists({ index: this.o.indices.hunts });
    if (!exists) return [];
    const res = await this.o.es.search<Hunt>({
      index: this.o.indices.hunts,
      size: 100,
      seq_no_primary_term: true,
      query: {
        bool: {
          filter: [
            { terms: { state: ['queued', 'running'] } },
            { range: { 'runner.heartbeat_at': { lt: before } } },
          ],
        },
      },
      sort: [{ created_at: 'asc' }],
    });
    const taken: string[] = [];
    for (const h of res.hits.hits) {
      const job = h._source!;
      const now = this.#now().toISOString();
      const next: Hunt =
        job.attempts >= MAX_ATTEMPTS
          ? {
              ...job,
              state: 'failed',
              error: `interrupted ${job.attempts} times (the API instance running it stopped); not retried again`,
              finished_at: now,
              updated_at: now,
            }
          : {
              ...job,
              state: 'queued',
              error: `resumed after an interruption (attempt ${job.attempts + 1} of ${MAX_ATTEMPTS})`,
              runner: { instance: this.instance, heartbeat_at: now },
              updated_at: now,
            };
      try {
        // Compare-and-set on what was read: a holder that just renewed its lease keeps the job.
        await this.o.es.index({
          index: this.o.indices.hunts,
          id: job.id,
          document: next,
          if_seq_no: h._seq_no!,
          if_primary_term: h._primary_term!,
          refresh: 'wait_for',
        });
      } catch (err) {
        if (isConflict(err)) continue;
        throw err;
      }
      if (next.state === 'queued') {
        taken.push(job.id);
        this.#enqueue(job.id);
      }
      this.o.logger.warn(
        { hunt: job.id, attempts: job.attempts, state: next.state },
        'orphaned hunt taken over',
      );
    }
    return taken;
  }

  /**
   * Moves a job to a state when it is in one of `from`; compare-and-set, re-read on conflict.
   * Returns the stored job, or undefined when it was not (any more) in `from`.
   */
  async transition(
    id: string,
    from: readonly HuntState[],
    patch: (job: Hunt) => Partial<Hunt>,
  ): Promise<{ job: Hunt; before: Hunt } | undefined> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const found = await getVersioned<Hunt>(this.o.es, this.o.indices.hunts, id);
      if (!found || !from.includes(found.doc.state)) return undefined;
      const next: Hunt = { ...found.doc, ...patch(found.doc), updated_at: this.#now().toISOString() };
      try {
        await this.o.es.index({
          index: this.o.indices.hunts,
          id,
          document: next,
          if_seq_no: found.seqNo,
          if_primary_term: found.primaryTerm,
          refresh: 'wait_for',
        });
        return { job: next, before: found.doc };
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    throw new Error(`hunt ${id}: still conflicting after 20 attempts`);
  }

  #enqueue(id: string): void {
    if (this.#stopped || this.#queue.includes(id) || this.#running.has(id)) return;
    this.#queue.push(id);
    if (!this.#heartbeat) {
      this.#heartbeat = setInterval(() => void this.#beat(), HEARTBEAT_MS);
      this.#heartbeat.unref();
    }
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopped && this.#running.size < this.o.concurrency && this.#queue.length) {
      const id = this.#queue.shift()!;
      const abort = new AbortController();
      const done = this.#run(id, abort.signal)
        .catch((err) => this.o.logger.error({ hunt: id, err: (err as Error).message }, 'hunt runner failed'))
        .finally(() => {
          this.#running.delete(id);
          if (!this.active) {
            clearInterval(this.#heartbeat);
            this.#heartbeat = undefined;
          }
          this.#pump();
        });
      this.#running.set(id, { abort, done });
    }
  }

  /** Renews the lease of every job this instance holds, queued ones included. */
  async #beat(): Promise<void> {
    for (const id of [...this.#running.keys(), ...this.#queue])
      await this.#renew(id).catch((err) => {
        if (err instanceof Stop) this.#drop(id, err);
        else this.o.logger.warn({ hunt: id, err: (err as Error).message }, 'hunt heartbeat failed');
      });
  }

  /** Forgets a job this instance no longer holds (cancelled, or taken over by another instance). */
  #drop(id: string, why: Stop): void {
    const i = this.#queue.indexOf(id);
    if (i >= 0) this.#queue.splice(i, 1);
    this.#running.get(id)?.abort.abort(why);
  }

  /**
   * Renews the lease (and writes `extra`, the progress) — compare-and-set, so a job that was
   * cancelled or taken over meanwhile is never written back: the holder learns it here and
   * stops, between two pages.
   */
  async #renew(id: string, extra: Partial<Hunt> = {}): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const found = await getVersioned<Hunt>(this.o.es, this.o.indices.hunts, id);
      if (!found || FINISHED.has(found.doc.state)) throw new Stop('cancelled');
      if (found.doc.runner.instance !== this.instance) throw new Stop('taken');
      const now = this.#now().toISOString();
      try {
        await this.o.es.index({
          index: this.o.indices.hunts,
          id,
          document: {
            ...found.doc,
            ...extra,
            updated_at: now,
            runner: { instance: this.instance, heartbeat_at: now },
          },
          if_seq_no: found.seqNo,
          if_primary_term: found.primaryTerm,
        });
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    throw new Error(`hunt ${id}: lease still conflicting after 20 attempts`);
  }

  async #release(id: string): Promise<void> {
    await this.transition(id, ['queued', 'running'], () => ({
      state: 'queued',
      runner: { instance: this.instance, heartbeat_at: new Date(0).toISOString() },
    }));
  }

  async #fail(id: string, error: string): Promise<void> {
    await this.transition(id, ['queued', 'running'], () => ({
      state: 'failed',
      error,
      finished_at: this.#now().toISOString(),
    }));
  }

  async #run(id: string, signal: AbortSignal): Promise<void> {
    const { es, indices } = this.o;
    const job = await getDoc<Hunt>(es, indices.hunts, id);
    if (job?.state !== 'queued' || job.runner.instance !== this.instance) return;
    const state = await getDoc<RuleState>(es, indices.rules, job.rule.id);
    if (!state) return this.#fail(id, 'the rule no longer exists');
    const pipeline = huntPipeline(this.o.pipeline);
    const target = await huntTarget(es, indices.rules, state.source, pipeline);
    if ('error' in target) return this.#fail(id, target.error);
    const started = await this.transition(id, ['queued'], (j) => ({
      state: 'running',
      started_at: j.started_at ?? this.#now().toISOString(),
      attempts: j.attempts + 1,
      rule: { id: state.id, title: state.title, version: state.version },
      progress: emptyProgress(),
      runner: { instance: this.instance, heartbeat_at: this.#now().toISOString() },
    }));
    if (!started) return; // cancelled or taken over meanwhile
    let last: HuntProgress = emptyProgress();
    try {
      const store = new AlertStore(es, indices, this.o.maxEventIds);
      const common = {
        events: this.o.eventsIndex,
        from: new Date(job.from),
        to: new Date(job.to),
        version: state.version,
        pageSize: this.o.pageSize ?? 1000,
        // The scope fixed at creation: only these organisations' events are read, so only their alerts are written.
        filter: job.scope.all ? [] : [{ terms: { [EVENT_ORG_FIELD]: job.scope.organizations } }],
        signal,
        publish: this.o.publish,
        onPage: async (p: RetroHuntProgress) => {
          last = progressOf(p);
          await this.#renew(id, { progress: last });
        },
      };
      const r =
        target.kind === 'correlation'
          ? // each rule it refers to brings its own exceptions (plan), as on the stream
            await retroHuntCorrelation(es, store, target.plan, pipeline, common)
          : await retroHunt(es, store, target.rule, pipeline, {
              ...common,
              windowMs: this.o.windowMs,
              exceptions: state.exceptions.length ? compileExceptions(state.exceptions) : undefined,
            });
      const final = { ...progressOf(r), percent: 100 };
      await this.transition(id, ['running'], () => ({
        state: 'done',
        progress: final,
        finished_at: this.#now().toISOString(),
      }));
      this.o.logger.info({ hunt: id, rule: job.rule.id, ...final }, 'hunt done');
    } catch (err) {
      const stop = err instanceof Stop ? err : signal.reason instanceof Stop ? signal.reason : undefined;
      const why = stop?.why;
      if (why === 'stopping') await this.#release(id);
      else if (why === undefined) {
        this.o.logger.warn({ hunt: id, err: (err as Error).message }, 'hunt failed');
        await this.transition(id, ['running'], () => ({
          state: 'failed',
          progress: last,
          error: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 2000),
          finished_at: this.#now().toISOString(),
        }));
      }
      // cancelled / taken: the document already says so.
    }
  }
}
