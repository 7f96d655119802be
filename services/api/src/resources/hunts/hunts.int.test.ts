import type { Alert } from '@soc/core';
import { indexMappings } from '@soc/sigma/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ES_URL, type Harness, ORG_A, ORG_B, skipReason, startHarness } from '../../../test/harness.ts';
import type { Hunt } from './model.ts';
import { HuntRunner, MAX_ATTEMPTS, STALE_MS } from './runner.ts';

const RULE = 'b7e3c1d2-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const ruleYaml = [
  'title: SSH password failure of the hunted account',
  `id: ${RULE}`,
  'status: test',
  'logsource:',
  '  product: linux',
  '  service: auth',
  'detection:',
  '  selection:',
  '    user.name: hunted',
  "    message|contains: 'Failed password'",
  '  condition: selection',
  'level: high',
  'tags:',
  '  - attack.t1110.001',
  '',
].join('\n');

const T0 = Date.parse('2026-03-11T04:00:00Z');
const FROM = '2026-03-11T00:00:00Z';
const TO = '2026-03-12T00:00:00Z';

/** An ECS event as ingest writes it (contract mapping, `soc.*` enrichment). */
function event(id: string, org: string, minutes: number, over: { user?: string; ip?: string } = {}) {
  return {
    '@timestamp': new Date(T0 + minutes * 60_000).toISOString(),
    event: { id, dataset: 'system.auth', outcome: 'failure' },
    message: `Failed password for ${over.user ?? 'hunted'} from ${over.ip ?? '203.0.113.7'} port 22 ssh2`,
    user: { name: over.user ?? 'hunted' },
    host: { name: `srv.${org}` },
    source: { ip: over.ip ?? '203.0.113.7' },
    soc: { organization: { id: org }, system: { id: `sys-${org}` }, security_level: 3 },
  };
}

/**
 * Retro-hunts through the API with the real Elasticsearch: a scoped analyst's hunt reads and
 * alerts only its organisation's events; alerts are retro and deterministic; progress is
 * durable; cancel and the take-over of an orphaned job.
 */
describe.skipIf(!ES_URL)(`retro-hunts through the API${skipReason}`, () => {
  let h: Harness;
  let analystA: string;
  const eventsIndex = () => `${h.prefix}-events-hunt`;

  const start = async (token: string, body: unknown = { from: FROM, to: TO }) =>
    h.request('POST', `/rules/${RULE}/hunts`, { token, body });
  const poll = async (id: string, token: string): Promise<Hunt> => {
    for (let i = 0; i < 300; i++) {
      const res = await h.request('GET', `/hunts/${id}`, { token });
      expect(res.status).toBe(200);
      const job = (await res.json()) as Hunt;
      if (['done', 'failed', 'cancelled'].includes(job.state)) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`hunt ${id} did not finish`);
  };
  const retroAlerts = async () => {
    await h.es.indices.refresh({ index: h.deps.indices.alerts });
    const res = await h.es.search<Alert>({
      index: h.deps.indices.alerts,
      size: 100,
      query: { term: { 'rule.id': RULE } },
      sort: [{ id: 'asc' }],
    });
    return res.hits.hits.map((x) => x._source!);
  };

  beforeAll(async () => {
    h = await startHarness('hunts');
    analystA = h.tokens.get(`analyst@${ORG_A}`)!;
    await h.es.indices.create({
      index: eventsIndex(),
      mappings: indexMappings as never,
      aliases: { [h.deps.eventsIndex]: {} },
      settings: { number_of_replicas: 0 },
    });
    const docs = [
      // organisation A: three failures of one attacker within the hour → one alert, count 3
      event('a-1', ORG_A, 0),
      event('a-2', ORG_A, 5),
      event('a-3', ORG_A, 10),
      event('a-other-user', ORG_A, 11, { user: 'alice' }),
      // outside [from, to)
      event('a-late', ORG_A, 24 * 60),
      // organisation B: the same pattern, which A's analyst must never hunt
      event('b-1', ORG_B, 1),
      event('b-2', ORG_B, 2),
    ];
    await h.es.bulk({
      refresh: true,
      operations: docs.flatMap((d) => [{ create: { _index: eventsIndex(), _id: d.event.id } }, d]),
    });
    const put = await h.request('PUT', `/rules/${RULE}`, {
      token: h.tokens.get('admin')!,
      // disabled on the stream: a hunt is how an analyst tries a rule before enabling it
      body: { source: ruleYaml, enabled: false },
    });
    expect(put.status).toBe(200);
  });
  afterAll(() => h?.close());

  let first: Hunt;
  it("an analyst of A hunts: 202, then done with progress, one retro alert of A's events only", async () => {
    const res = await start(analystA);
    expect(res.status).toBe(202);
    const job = (await res.json()) as Hunt;
    expect(res.headers.get('location')).toBe(`/api/v1/hunts/${job.id}`);
    expect(job).toMatchObject({ state: 'queued', scope: { all: false, organizations: [ORG_A] } });
    first = await poll(job.id, analystA);
    expect(first.state).toBe('done');
    expect(first.progress).toEqual({
      events_total: 3,
      events_scanned: 3,
      pages: 1,
      excepted: 0,
      alerts: 1,
      percent: 100,
    });
    expect(first.rule).toEqual({ id: RULE, title: 'SSH password failure of the hunted account', version: 1 });
    expect(first.attempts).toBe(1);
    const alerts = await retroAlerts();
    expect(alerts.map((a) => [a.organization?.id, a.retro, a.count, [...a.events.ids].sort()])).toEqual([
      [ORG_A, true, 3, ['a-1', 'a-2', 'a-3']],
    ]);
    expect(alerts[0]!.rule.attack.techniques).toEqual(['T1110.001']);
  });

  it('running the hunt again changes no alert (same ids, same counts)', async () => {
    const before = await retroAlerts();
    const again = await poll(((await (await start(analystA)).json()) as Hunt).id, analystA);
    expect(again.state).toBe('done');
    expect(again.progress.alerts).toBe(1);
    expect(await retroAlerts()).toEqual(before);
  });

  it("B's analyst cannot see A's hunt; an admin's hunt covers every organisation", async () => {
    const analystB = h.tokens.get(`analyst@${ORG_B}`)!;
    expect((await h.request('GET', `/hunts/${first.id}`, { token: analystB })).status).toBe(404);
    expect((await h.request('POST', `/hunts/${first.id}/cancel`, { token: analystB })).status).toBe(404);
    const listB = (await (await h.request('GET', '/hunts', { token: analystB })).json()) as { items: Hunt[] };
    expect(listB.items.map((j) => j.id)).not.toContain(first.id);
    const listA = (await (await h.request('GET', '/hunts', { token: analystA })).json()) as { items: Hunt[] };
    expect(listA.items.map((j) => j.id)).toContain(first.id);
    const filtered = (await (
      await h.request('GET', `/hunts?state=done&rule_id=${RULE}`, { token: analystA })
    ).json()) as { items: Hunt[]; total: number };
    expect(filtered.items.map((j) => j.id)).toContain(first.id);
    expect(filtered.items.every((j) => j.state === 'done' && j.rule.id === RULE)).toBe(true);
    const none = (await (await h.request('GET', '/hunts?state=cancelled', { token: analystA })).json()) as {
      total: number;
    };
    expect(none.total).toBe(0);

    const admin = h.tokens.get('admin')!;
    const all = await poll(((await (await start(admin)).json()) as Hunt).id, admin);
    expect(all).toMatchObject({
      state: 'done',
      scope: { all: true },
      progress: { events_total: 5, alerts: 2 },
    });
    expect((await retroAlerts()).map((a) => [a.organization?.id, a.count])).toEqual(
      expect.arrayContaining([
        [ORG_A, 3],
        [ORG_B, 2],
      ]),
    );
    // A scoped caller never sees an all-organisation hunt.
    expect((await h.request('GET', `/hunts/${all.id}`, { token: analystA })).status).toBe(404);
  });

  it('no more than 2 hunts run at once: the rest wait, queued', async () => {
    const started = await Promise.all(Array.from({ length: 5 }, () => start(analystA)));
    const ids = await Promise.all(started.map(async (r) => ((await r.json()) as Hunt).id));
    const jobs = await Promise.all(ids.map((id) => poll(id, analystA)));
    expect(jobs.map((j) => j.state)).toEqual(Array(5).fill('done'));
    // Largest number of [started_at, finished_at) intervals open at one instant (an end before a start at a tie).
    const edges = jobs
      .flatMap((j) => [
        [Date.parse(j.started_at!), 1],
        [Date.parse(j.finished_at!), -1],
      ])
      .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    let open = 0;
    let peak = 0;
    for (const [, d] of edges) {
      open += d!;
      peak = Math.max(peak, open);
    }
    expect(peak).toBeLessThanOrEqual(2);
    expect(peak).toBeGreaterThanOrEqual(1);
  });

  it("the rule's exceptions apply to history as on the stream", async () => {
    const ex = await h.request('PUT', `/rules/${RULE}/exceptions`, {
      token: analystA,
      body: { exceptions: [{ field: 'event.id', values: ['a-2'], organization_id: ORG_A }] },
    });
    expect(ex.status).toBe(200);
    const job = await poll(((await (await start(analystA)).json()) as Hunt).id, analystA);
    expect(job.progress).toMatchObject({ events_total: 3, events_scanned: 3, excepted: 1, alerts: 1 });
    expect(job.rule.version).toBe(2);
    await h.request('PUT', `/rules/${RULE}/exceptions`, { token: analystA, body: { exceptions: [] } });
  });

  it('bad requests: reversed range 400, unknown rule 404, responder 403, assessor may read but not start', async () => {
    const bad = await start(analystA, { from: TO, to: FROM });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe('body.to');
    expect((await start(analystA, { from: FROM, to: TO, organization_id: ORG_B })).status).toBe(400);
    expect(
      (
        await h.request('POST', '/rules/no-such-rule/hunts', {
          token: analystA,
          body: { from: FROM, to: TO },
        })
      ).status,
    ).toBe(404);
    expect((await start(h.tokens.get(`responder@${ORG_A}`)!)).status).toBe(403);
    const assessor = h.tokens.get(`assessor@${ORG_A}`)!;
    expect((await start(assessor)).status).toBe(403);
    expect((await h.request('GET', `/hunts/${first.id}`, { token: assessor })).status).toBe(200);
  });

  /** A job another (silent or live) instance holds, written as the runner writes them. */
  const seed = async (over: Partial<Hunt>): Promise<Hunt> => {
    const now = new Date().toISOString();
    const job: Hunt = {
      ...first,
      id: `seeded-${Math.random().toString(36).slice(2, 10)}`,
      state: 'queued',
      progress: { ...first.progress, events_scanned: 0, percent: 0 },
      attempts: 0,
      created_at: now,
      updated_at: now,
      runner: { instance: 'elsewhere', heartbeat_at: now },
      ...over,
    };
    delete job.finished_at;
    await h.es.index({ index: h.deps.indices.hunts, id: job.id, document: job, refresh: true });
    return job;
  };

  it('cancel: a queued hunt turns cancelled (audited); a finished one is a 409', async () => {
    const job = await seed({});
    const res = await h.request('POST', `/hunts/${job.id}/cancel`, { token: analystA });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Hunt).state).toBe('cancelled');
    expect((await h.request('POST', `/hunts/${job.id}/cancel`, { token: analystA })).status).toBe(409);
    expect((await h.request('POST', `/hunts/${first.id}/cancel`, { token: analystA })).status).toBe(409);
    await h.es.indices.refresh({ index: h.deps.indices.audit });
    const audit = await h.es.search<{ action: string; target?: { id?: string }; status: number }>({
      index: h.deps.indices.audit,
      size: 100,
      query: { term: { 'target.type': 'hunt' } },
    });
    const actions = audit.hits.hits.map((x) => x._source!);
    expect(actions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'POST /api/v1/rules/:id/hunts',
          target: { type: 'hunt', id: first.id },
        }),
        expect.objectContaining({
          action: 'POST /api/v1/hunts/:id/cancel',
          target: { type: 'hunt', id: job.id },
          status: 200,
        }),
      ]),
    );
  });

  /** "Another API instance": its own runner, pages of one event, each search slowed down. */
  const slowInstance = () => {
    const slowEs = new Proxy(h.es, {
      get(target, key) {
        const v = Reflect.get(target, key);
        if (key === 'search')
          return async (...args: unknown[]) => {
            await new Promise((r) => setTimeout(r, 250));
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    return new HuntRunner({
      es: slowEs,
      indices: h.deps.indices,
      eventsIndex: h.deps.eventsIndex,
      logger: h.deps.logger,
      concurrency: 1,
      pipeline: 'ecs',
      windowMs: 3_600_000,
      maxEventIds: 100,
      pageSize: 1,
    });
  };
  const whenRunning = async (id: string) => {
    for (let i = 0; i < 100; i++) {
      const j = (await (
        await h.request('GET', `/hunts/${id}`, { token: h.tokens.get('admin')! })
      ).json()) as Hunt;
      if (j.state === 'running' && j.progress.pages >= 1) return j;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`hunt ${id} never ran`);
  };

  it('cancel reaches a hunt running in another API instance: it stops between two pages', async () => {
    const other = slowInstance();
    // An admin's hunt left behind by a stopped instance: `other` takes it over, as its sweep does.
    const job = await seed({
      scope: { all: true, organizations: [], count: 0 },
      runner: { instance: 'stopped', heartbeat_at: new Date(0).toISOString() },
    });
    expect(await other.sweep()).toContain(job.id);
    const admin = h.tokens.get('admin')!;
    await whenRunning(job.id);
    const res = await h.request('POST', `/hunts/${job.id}/cancel`, { token: admin });
    expect(res.status).toBe(200);
    for (let i = 0; i < 100 && other.active; i++) await new Promise((r) => setTimeout(r, 50));
    expect(other.active).toBe(0);
    const final = (await (await h.request('GET', `/hunts/${job.id}`, { token: admin })).json()) as Hunt;
    expect(final.state).toBe('cancelled');
    expect(final.progress.events_total).toBe(5);
    expect(final.progress.pages).toBeLessThan(5);
    await other.stop();
  });

  it('a graceful stop hands a running hunt back; the next instance resumes it to the full result', async () => {
    const stopping = slowInstance();
    const job = await seed({
      scope: { all: true, organizations: [], count: 0 },
      runner: { instance: 'stopped', heartbeat_at: new Date(0).toISOString() },
    });
    expect(await stopping.sweep()).toContain(job.id);
    await whenRunning(job.id);
    await stopping.stop();
    const handed = (await h.es.get<Hunt>({ index: h.deps.indices.hunts, id: job.id }))._source!;
    expect(handed).toMatchObject({ state: 'queued', runner: { heartbeat_at: new Date(0).toISOString() } });
    expect(handed.progress.pages).toBeLessThan(5);
    expect(await h.deps.hunts.sweep()).toContain(job.id);
    const done = await poll(job.id, h.tokens.get('admin')!);
    expect(done).toMatchObject({
      state: 'done',
      attempts: 2,
      progress: { events_total: 5, events_scanned: 5, alerts: 2, percent: 100 },
    });
  });

  it('a hunt whose API instance died is taken over and run again to the same result; after MAX_ATTEMPTS it fails', async () => {
    const stale = new Date(Date.now() - STALE_MS - 5_000).toISOString();
    const orphan = await seed({
      state: 'running',
      attempts: 1,
      progress: { ...first.progress, events_scanned: 1, pages: 1, percent: 33.3 },
      runner: { instance: 'killed', heartbeat_at: stale },
    });
    const exhausted = await seed({
      state: 'running',
      attempts: MAX_ATTEMPTS,
      runner: { instance: 'killed', heartbeat_at: stale },
    });
    const live = await seed({ state: 'running', attempts: 1 });
    const before = await retroAlerts();
    const taken = await h.deps.hunts.sweep();
    expect(taken).toContain(orphan.id);
    expect(taken).not.toContain(live.id);
    const resumed = await poll(orphan.id, analystA);
    expect(resumed).toMatchObject({ state: 'done', attempts: 2, progress: first.progress });
    expect(await retroAlerts()).toEqual(before);
    const failed = await poll(exhausted.id, analystA);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/interrupted 3 times/);
    const stillLive = (await (
      await h.request('GET', `/hunts/${live.id}`, { token: analystA })
    ).json()) as Hunt;
    expect(stillLive.runner.instance).toBe('elsewhere');
  });
});
