import { Client } from '@elastic/elasticsearch';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { buildMessage } from '@soc/agent-shared';
import { type Alert, createLogger, socIndices } from '@soc/core';
import { normalize } from '@soc/normalize';
import { CorrelationEngine, loadPipeline, parseSigmaText } from '@soc/sigma';
import { indexMappings, indexSettings } from '@soc/sigma/elasticsearch';
import { needsStack, stackUrls, uniqueName } from '@soc/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, deleteIndices } from '../test/harness.ts';
import { RULES_DIR } from '../test/starter.ts';
import { eventMs, hashId } from './alert.ts';
import { detectionSchema } from './config.ts';
import { CorrelationHits } from './correlation-hit.ts';
import { huntCommand } from './hunt.ts';
import { evaluateLocally } from './local.ts';
import { RETRO_HEADER } from './publish.ts';
import { registerFileRules } from './register.ts';
import type { RetroHuntProgress } from './retro.ts';
import { type CorrelationHuntPlan, planCorrelationHunt, retroHuntCorrelation } from './retro-correlation.ts';
import { retroAlertPublisher } from './retro-lib.ts';
import { loadHuntPool } from './retro-resolve.ts';
import { REPO_ROOT } from './rule-source.ts';
import { RuleSet, readRuleFiles, ruleKey } from './ruleset.ts';
import { AlertStore, ensureAlertIndices } from './store.ts';

/** "SSH brute force followed by a successful login": event_count (inner) → temporal_ordered. */
const CHAINED = '6e27c3c0-1b40-4f4e-ad45-2c88da94edc9';
const T0 = Date.parse('2026-03-11T04:00:00Z');
const MIN = 60_000;
const ORG_A = 'org-a';
const ORG_B = 'org-b';
const X = '203.0.113.50';
const Y = '203.0.113.60';
const Z = '203.0.113.70';
const W = '203.0.113.80';

describe.skipIf(!stackUrls)(`retro-hunt of a correlation over history${needsStack}`, () => {
  const id = uniqueName('det-rcorr')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  const prefix = `it-${id}`;
  const events = `${prefix}-events-test`;
  const subjectPrefix = `it-${id}.alerts`;
  const stream = `RCORR_${id.replace(/-/g, '_').toUpperCase()}`;
  const pipeline = loadPipeline('ecs');
  const files = readRuleFiles([RULES_DIR]).documents;
  const rs = new RuleSet(pipeline, { files, states: [] });
  const target = rs.correlations.find((c) => ruleKey(c) === CHAINED)!;
  const docs: Record<string, unknown>[] = [];
  let es: Client;
  let nc: NatsConnection;
  let plan: CorrelationHuntPlan;
  let seq = 0;

  /** An sshd line as the endpoint agent ships it, normalised as ingest indexes it, at T0 + minutes. */
  const ssh = (org: string, ip: string, minutes: number, ok = false) => {
    const line = ok
      ? `Mar 11 10:40:15 web01 sshd[2002]: Accepted password for root from ${ip} port ${40000 + seq} ssh2`
      : `Mar 11 10:40:01 web01 sshd[2001]: Failed password for root from ${ip} port ${40000 + seq} ssh2`;
    const msg = buildMessage('retro', 'collector01', 'logs', ++seq, {
      line,
      source: { path: '/var/log/auth.log', offset: seq },
      observed: new Date(T0),
    });
    const r = normalize(JSON.stringify(msg));
    if (!r.ok) throw new Error(`fixture not normalised: ${r.reason}`);
    const doc = r.doc as Record<string, unknown>;
    doc['@timestamp'] = new Date(T0 + minutes * MIN).toISOString();
    doc.soc = { organization: { id: org }, system: { id: `sys-${org}` }, security_level: 3 };
    docs.push(doc);
    return (doc.event as { id: string }).id;
  };
  /** Five failures a minute apart from `at`, then a success a minute after the last: ids in order. */
  const bruteForce = (org: string, ip: string, at: number) => [
    ...[0, 1, 2, 3, 4].map((i) => ssh(org, ip, at + i)),
    ssh(org, ip, at + 5, true),
  ];
  const idOf = (ip: string, first: string) =>
    hashId('corr', CHAINED, JSON.stringify([['source.ip', ip]]), first);

  let aX: string[];
  let bY: string[];
  let bX: string[];
  let aW: string[];
  beforeAll(async () => {
    es = new Client({ node: stackUrls!.elasticsearchUrl });
    nc = await connect({ servers: stackUrls!.natsUrl });
    await (await jetstreamManager(nc)).streams.add({
      name: stream,
      subjects: [`${subjectPrefix}.>`],
      duplicate_window: 10 * 60 * 1_000_000_000,
    });
    await es.indices.create({
      index: events,
      mappings: indexMappings as never,
      settings: indexSettings as never,
    });
    aX = bruteForce(ORG_A, X, 0);
    bY = bruteForce(ORG_B, Y, 10);
    // the same attacker address in B: one group with A's when a hunt sees both organisations
    bX = bruteForce(ORG_B, X, 20);
    // benign: three failures then a success
    for (const m of [30, 31, 32]) ssh(ORG_A, Z, m);
    ssh(ORG_A, Z, 33, true);
    // straddles T0 + 60 min: three failures before it, two and the success after
    aW = bruteForce(ORG_A, W, 57);
    // the base rules are paged two at a time, so the merge spans many pages: shuffle the index order
    await es.bulk({
      refresh: true,
      operations: [...docs]
        .reverse()
        .flatMap((d) => [{ create: { _index: events, _id: (d.event as { id: string }).id } }, d]),
    });
    const p = planCorrelationHunt(target, { rules: rs.rules, correlations: rs.correlations }, pipeline);
    if ('error' in p) throw new Error(p.error);
    plan = p;
  });
  afterAll(async () => {
    await deleteIndices(es, prefix);
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.drain();
    await es.close();
  });

  it('plans the chain: the inner count and both base rules, read 20 min before `from`', () => {
    expect(plan.correlations.map(ruleKey)).toEqual([CHAINED, 'b1903d1b-8912-41c3-b4a4-2ded69930384']);
    expect(plan.rules.map((r) => r.name).sort()).toEqual(['soc_ssh_login_failed', 'soc_ssh_login_success']);
    expect(plan.lookbackMs).toBe(20 * MIN);
  });

  const scopeA = [{ terms: { 'soc.organization.id': [ORG_A] } }];
  const from = new Date(T0 - 60 * MIN);
  const to = new Date(T0 + 3 * 60 * MIN);
  const published = async () => (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;

  let first: Alert[];
  it("hunted for organisation A: exactly A's two brute forces, retro, with the stream's ids, published; progress per page", async () => {
    const ix = socIndices(`${prefix}-a`);
    await ensureAlertIndices(es, ix);
    const pages: RetroHuntProgress[] = [];
    const r = await retroHuntCorrelation(es, new AlertStore(es, ix, 100), plan, pipeline, {
      events,
      from,
      to,
      version: 3,
      pageSize: 2,
      filter: scopeA,
      publish: await retroAlertPublisher(nc, subjectPrefix),
      onPage: (p) => {
        pages.push(p);
      },
    });
    // A's events of both base rules: 6 + 4 + 6
    expect(r).toMatchObject({ total: 16, scanned: 16, excepted: 0, alerts: 2 });
    expect(r.pages).toBeGreaterThanOrEqual(8);
    expect(pages.length).toBeGreaterThan(5);
    expect(pages.map((p) => p.scanned)).toEqual([...pages.map((p) => p.scanned)].sort((a, b) => a - b));
    first = (await alerts(es, `${prefix}-a`)).sort((a, b) => a.first_seen.localeCompare(b.first_seen));
    expect(first.map((a) => a.id)).toEqual([idOf(X, aX[0]!), idOf(W, aW[0]!)]);
    expect(first.map((a) => [...a.events.ids].sort())).toEqual([[...aX].sort(), [...aW].sort()]);
    for (const a of first) {
      expect(a).toMatchObject({ retro: true, count: 6, organization: { id: ORG_A }, security_level: 3 });
      expect(a.rule).toMatchObject({ id: CHAINED, level: 'critical', version: 3 });
    }
    expect(first[0]!.first_seen).toBe(new Date(T0).toISOString());
    expect(first[0]!.last_seen).toBe(new Date(T0 + 5 * MIN).toISOString());
    // on NATS as the stream publishes them: alerts.<level>.<rule id>, marked retro
    const js = jetstream(nc);
    const c = await js.consumers.get(stream);
    const msgs = [];
    for (let i = 0; i < 2; i++) msgs.push((await c.next({ expires: 5_000 }))!);
    expect(msgs.map((m) => m.subject)).toEqual([
      `${subjectPrefix}.critical.${CHAINED}`,
      `${subjectPrefix}.critical.${CHAINED}`,
    ]);
    expect(msgs.map((m) => m.headers?.get(RETRO_HEADER))).toEqual(['true', 'true']);
    expect(msgs.map((m) => (m.json() as Alert).id).sort()).toEqual(first.map((a) => a.id).sort());
    expect(msgs.every((m) => (m.json() as Alert).retro)).toBe(true);
    expect(await published()).toBe(2);
  });

  it('a re-run adds nothing: same alerts, no new message on NATS', async () => {
    const ix = socIndices(`${prefix}-a`);
    const r = await retroHuntCorrelation(es, new AlertStore(es, ix, 100), plan, pipeline, {
      events,
      from,
      to,
      version: 3,
      pageSize: 2,
      filter: scopeA,
      publish: await retroAlertPublisher(nc, subjectPrefix),
    });
    expect(r.alerts).toBe(2);
    const again = (await alerts(es, `${prefix}-a`)).sort((a, b) => a.first_seen.localeCompare(b.first_seen));
    expect(again).toEqual(first);
    expect(await published()).toBe(2);
  });

  it('stops between two pages when aborted (what the API cancel does): written pages stay, no later one is read', async () => {
    const ix = socIndices(`${prefix}-c`);
    await ensureAlertIndices(es, ix);
    const abort = new AbortController();
    const seen: RetroHuntProgress[] = [];
    const run = retroHuntCorrelation(es, new AlertStore(es, ix, 100), plan, pipeline, {
      events,
      from,
      to,
      pageSize: 2,
      signal: abort.signal,
      onPage: (p) => {
        seen.push(p);
        if (p.scanned >= 4) abort.abort(new Error('cancelled'));
      },
    });
    await expect(run).rejects.toThrow('cancelled');
    expect(seen.at(-1)!.scanned).toBeLessThan(docs.length);
    expect(seen.at(-1)!.scanned).toBeGreaterThanOrEqual(4);
    expect(await alerts(es, `${prefix}-c`)).toEqual([]);
  });

  it('a window straddling `from` is found whole; one that ended before `from` is not written', async () => {
    const ix = socIndices(`${prefix}-s`);
    await ensureAlertIndices(es, ix);
    const r = await retroHuntCorrelation(es, new AlertStore(es, ix, 100), plan, pipeline, {
      events,
      from: new Date(T0 + 60 * MIN),
      to,
      filter: scopeA,
    });
    const found = await alerts(es, `${prefix}-s`);
    expect(found.map((a) => a.id)).toEqual([idOf(W, aW[0]!)]);
    // three of its failures are before `from`: read through the look-back
    expect([...found[0]!.events.ids].sort()).toEqual([...aW].sort());
    expect(r.alerts).toBe(1);
    // the look-back reaches T0 + 40 min: none of X's events (T0 … T0 + 25 min) is read
    expect(r.total).toBe(6);
    // from T0 + 10 min the look-back reads X's brute force of T0 … T0 + 5 min whole: it matches,
    // but before `from` — an earlier range's alert, not this one's
    const ix2 = socIndices(`${prefix}-s2`);
    await ensureAlertIndices(es, ix2);
    const r2 = await retroHuntCorrelation(es, new AlertStore(es, ix2, 100), plan, pipeline, {
      events,
      from: new Date(T0 + 10 * MIN),
      to: new Date(T0 + 50 * MIN),
      filter: scopeA,
    });
    expect(r2).toMatchObject({ total: 10, scanned: 10, alerts: 0 });
    expect(await alerts(es, `${prefix}-s2`)).toEqual([]);
  });

  it('every organisation: the groups span organisations as on the stream, and a live alert is not grown nor duplicated', async () => {
    const ix = socIndices(`${prefix}-all`);
    await ensureAlertIndices(es, ix);
    const store = new AlertStore(es, ix, 100);
    // B's brute force from Y as the stream raised it: the family's engine and hits, not retro
    const live = new CorrelationEngine({ correlations: plan.correlations, rules: plan.rules, pipeline });
    const hits = new CorrelationHits(() => 1);
    for (const d of docs.filter((x) => (x.source as { ip: string }).ip === Y)) {
      const eid = (d.event as { id: string }).id;
      hits.remember(eid, eventMs(d, 0), d);
      for (const rule of rs.engine.match(d))
        for (const m of live.observe({ rule, event: d, ref: eid, time: eventMs(d, 0) }))
          await store.apply([hits.hit(m, eid, d)]);
    }
    const before = (await alerts(es, `${prefix}-all`))[0]!;
    expect(before).toMatchObject({ id: idOf(Y, bY[0]!), retro: false, count: 6 });
    const r = await retroHuntCorrelation(es, store, plan, pipeline, { events, from, to, pageSize: 3 });
    expect(r.total).toBe(docs.length);
    const all = await alerts(es, `${prefix}-all`);
    expect(all.map((a) => a.id).sort()).toEqual(
      [idOf(X, aX[0]!), idOf(Y, bY[0]!), idOf(X, bX[0]!), idOf(W, aW[0]!)].sort(),
    );
    expect(all.find((a) => a.id === before.id)).toEqual(before);
    expect(all.filter((a) => a.retro)).toHaveLength(3);
  });

  it('resolves the chain from the rules index alone (what the API has), with the base rules’ exceptions', async () => {
    const rules = socIndices(prefix).rules;
    await ensureAlertIndices(es, socIndices(prefix));
    await registerFileRules(es, rules, files, [], REPO_ROOT);
    const stored = (await es.get<{ source: string }>({ index: rules, id: CHAINED }))._source!;
    expect(stored.source).toContain('soc_ssh_bruteforce_inner');
    // an exception on the failures rule: W's failures raise nothing, on the stream as in a hunt
    await es.update({
      index: rules,
      id: '655e13b5-9416-4043-8cb0-d407be571c21',
      doc: {
        exceptions: [
          {
            id: 'x1',
            field: 'source.ip',
            values: [W],
            created_by: 'test',
            created_at: new Date().toISOString(),
          },
        ],
      },
      refresh: true,
    });
    const pool = await loadHuntPool(es, rules, target);
    expect(pool.correlations.map(ruleKey)).toEqual(['b1903d1b-8912-41c3-b4a4-2ded69930384']);
    expect(pool.rules.map((r) => r.name).sort()).toEqual(['soc_ssh_login_failed', 'soc_ssh_login_success']);
    const p = planCorrelationHunt(target, pool, pipeline);
    if ('error' in p) throw new Error(p.error);
    const ix = socIndices(`${prefix}-x`);
    await ensureAlertIndices(es, ix);
    const r = await retroHuntCorrelation(es, new AlertStore(es, ix, 100), p, pipeline, {
      events,
      from,
      to,
      filter: scopeA,
    });
    expect(r.excepted).toBe(5);
    expect((await alerts(es, `${prefix}-x`)).map((a) => a.id)).toEqual([idOf(X, aX[0]!)]);
  });

  it('value_count, temporal and a windowed event_count (lt): the hunt raises exactly what the stream would', async () => {
    const extra = parseSigmaText(
      [
        'title: Many source ports from one address',
        'id: 5b0e1c2a-0000-4000-8000-000000000001',
        'correlation:',
        '  type: value_count',
        '  rules: [soc_ssh_login_failed]',
        '  group-by: [source.ip]',
        '  timespan: 10m',
        '  condition: { field: source.port, gte: 4 }',
        'level: high',
        '---',
        'title: A failure and a success from one address',
        'id: 5b0e1c2a-0000-4000-8000-000000000002',
        'correlation:',
        '  type: temporal',
        '  rules: [soc_ssh_login_failed, soc_ssh_login_success]',
        '  group-by: [source.ip]',
        '  timespan: 10m',
        'level: high',
        '---',
        'title: Fewer than six failures from one address (the last window closes only at `to`)',
        'id: 5b0e1c2a-0000-4000-8000-000000000003',
        'correlation:',
        '  type: event_count',
        '  rules: [soc_ssh_login_failed]',
        '  group-by: [source.ip]',
        '  timespan: 10m',
        '  condition: { lt: 6 }',
        'level: low',
        '',
      ].join('\n'),
      'extra.yml',
    ).documents;
    const rsx = new RuleSet(pipeline, { files: [...files, ...extra], states: [] });
    // the stream's semantics in one process, over the events in time order
    const ordered = [...docs].sort(
      (a, b) =>
        String(a['@timestamp']).localeCompare(String(b['@timestamp'])) ||
        String((a.event as { id: string }).id).localeCompare(String((b.event as { id: string }).id)),
    );
    const local = evaluateLocally(rsx, ordered);
    for (const c of rsx.correlations.filter((x) => x.origin.file === 'extra.yml')) {
      const expected = local
        .filter((m) => m.rule === ruleKey(c))
        .map((m) => m.events.map((i) => (ordered[i]!.event as { id: string }).id).sort())
        .sort();
      expect({ rule: c.title, fires: expected.length > 0 }).toEqual({ rule: c.title, fires: true });
      const p = planCorrelationHunt(c, { rules: rsx.rules, correlations: rsx.correlations }, pipeline);
      if ('error' in p) throw new Error(p.error);
      const tag = `${prefix}-t${ruleKey(c).slice(-1)}`;
      await ensureAlertIndices(es, socIndices(tag));
      await retroHuntCorrelation(es, new AlertStore(es, socIndices(tag), 100), p, pipeline, {
        events,
        from,
        to,
        pageSize: 3,
      });
      const got = (await alerts(es, tag)).map((a) => [...a.events.ids].sort()).sort();
      expect({ rule: c.title, alerts: got }).toEqual({ rule: c.title, alerts: expected });
    }
  });

  it('soc rules hunt takes the correlation by id, hunts every organisation and publishes on NATS', async () => {
    const cli = `${prefix}-cli`;
    // `<prefix>-events`, the alias ingest's layout gives the events
    await es.indices.putAlias({ index: events, name: `${cli}-events` });
    const before = await published();
    const logger = createLogger({ service: 'hunt-test', level: 'silent', pretty: false });
    const config = detectionSchema.parse({ indices: { prefix: cli }, alerts: { subjectPrefix } });
    const r = await huntCommand(es, config, logger, CHAINED, { from, to }, () => undefined, nc);
    expect(ruleKey(r.rule)).toBe(CHAINED);
    expect(r).toMatchObject({ total: docs.length, scanned: docs.length, alerts: 4 });
    expect((await alerts(es, cli)).every((a) => a.retro && a.rule.version === 1)).toBe(true);
    // B's two are new messages; A's two are the very states published above (same `<id>:<count>`),
    // which the stream's duplicate window drops
    expect((await published()) - before).toBe(2);
  });
});
