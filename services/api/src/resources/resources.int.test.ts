import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertDoc,
  ES_URL,
  type Harness,
  NATS_URL,
  ORG_A,
  ORG_B,
  RULE_ID,
  skipReason,
  startHarness,
} from '../../test/harness.ts';
import { followHeartbeats } from './agents/heartbeats.ts';

describe.skipIf(!ES_URL)(`resources${skipReason}`, () => {
  let h: Harness;
  let analyst: string;
  beforeAll(async () => {
    h = await startHarness('res');
    analyst = h.tokens.get(`analyst@${ORG_A}`)!;
    // 250 events and 120 alerts in org A, a few in org B.
    const ops: object[] = [];
    const t0 = Date.now();
    for (let i = 1; i <= 250; i++)
      ops.push(
        { index: { _index: `${h.prefix}-events-d1`, _id: `a-${i}` } },
        {
          '@timestamp': new Date(t0 - (i % 125) * 1000).toISOString(),
          message: i % 2 ? 'sshd accepted password' : 'sudo session opened',
          host: { name: `host-${i % 5}` },
          soc: { organization: { id: ORG_A } },
        },
      );
    for (let i = 1; i <= 120; i++)
      ops.push(
        { index: { _index: h.deps.indices.alerts, _id: `qa-${i}` } },
        alertDoc(`qa-${i}`, ORG_A, i, t0),
      );
    for (let i = 1; i <= 5; i++)
      ops.push(
        { index: { _index: h.deps.indices.alerts, _id: `qb-${i}` } },
        alertDoc(`qb-${i}`, ORG_B, i, t0),
      );
    await h.es.bulk({ operations: ops as never, refresh: true });
  });
  afterAll(() => h?.close());

  it('event search pages with search_after over a point in time: every event once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await h.request('POST', '/events/search', {
        token: analyst,
        body: { size: 40, paginate: true, ...(cursor ? { cursor } : {}) },
      });
      expect(res.status).toBe(200);
      const b = (await res.json()) as {
        items: { id: string; source: { '@timestamp': string } }[];
        next?: string;
      };
      seen.push(...b.items.map((i) => i.id));
      cursor = b.next;
      pages++;
    } while (cursor && pages < 20);
    expect(seen.length).toBe(251); // 250 + the seeded one
    expect(new Set(seen).size).toBe(251);
  });

  it('free text, filters, histogram and top-N are scoped and correct', async () => {
    const s = await h.request('POST', '/events/search', {
      token: analyst,
      body: {
        query: 'sudo',
        filters: [{ field: 'host.name', op: 'in', value: ['host-0', 'host-2'] }],
        size: 1000,
      },
    });
    const sb = (await s.json()) as {
      total: number;
      items: { source: { message: string; host: { name: string } } }[];
    };
    expect(sb.total).toBe(50);
    expect(
      sb.items.every(
        (i) => i.source.message.includes('sudo') && ['host-0', 'host-2'].includes(i.source.host.name),
      ),
    ).toBe(true);
    const top = await h.request('POST', '/events/top', {
      token: analyst,
      body: { field: 'host.name', size: 3 },
    });
    const tb = (await top.json()) as { values: { value: string; count: number }[]; other: number };
    expect(tb.values).toHaveLength(3);
    expect(tb.values.reduce((n, v) => n + v.count, 0) + tb.other).toBe(251);
    const hist = await h.request('POST', '/events/histogram', {
      token: analyst,
      body: { interval: '1m', from: 'now-1h' },
    });
    const hb = (await hist.json()) as { buckets: { count: number }[] };
    expect(hb.buckets.reduce((n, b) => n + b.count, 0)).toBe(251);
    const exp = await h.request('POST', '/events/export', { token: analyst, body: { limit: 100000 } });
    expect(exp.headers.get('content-type')).toContain('application/x-ndjson');
    expect((await exp.text()).trim().split('\n')).toHaveLength(251);
  });

  it('the alert queue filters, sorts by severity and pages without repeats', async () => {
    const q = await h.request('GET', '/alerts?level=critical,high&sort=severity&order=desc&size=500', {
      token: analyst,
    });
    const qb = (await q.json()) as {
      items: { rule: { level: string; severity: number }; organization: { id: string } }[];
      total: number;
    };
    expect(qb.total).toBe(60); // i % 4 in {2, 3} of 1..120; the seeded alert is low
    expect(
      qb.items.every((a) => ['critical', 'high'].includes(a.rule.level) && a.organization.id === ORG_A),
    ).toBe(true);
    expect(qb.items[0]!.rule.severity).toBe(4);
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await h.request(
        'GET',
        `/alerts?size=25&sort=last_seen${cursor ? `&cursor=${cursor}` : ''}`,
        { token: analyst },
      );
      const b = (await res.json()) as { items: { id: string }[]; next?: string };
      ids.push(...b.items.map((a) => a.id));
      cursor = b.next;
    } while (cursor);
    expect(ids.length).toBe(121);
    expect(new Set(ids).size).toBe(121);
  });

  it('alert workflow: acknowledge, close with reason, refuse acknowledging a closed alert, reopen; bulk reports per id', async () => {
    const ack = await h.request('POST', '/alerts/qa-1/acknowledge', { token: analyst });
    expect(((await ack.json()) as { status: string }).status).toBe('acknowledged');
    const close = await h.request('POST', '/alerts/qa-1/close', {
      token: analyst,
      body: { reason: 'true_positive', comment: 'contained' },
    });
    expect(await close.json()).toMatchObject({
      status: 'closed',
      close_reason: 'true_positive',
      close_comment: 'contained',
    });
    expect((await h.request('POST', '/alerts/qa-1/acknowledge', { token: analyst })).status).toBe(409);
    expect((await h.request('POST', '/alerts/qa-1/close', { token: analyst, body: {} })).status).toBe(400);
    expect(
      (
        (await (await h.request('POST', '/alerts/qa-1/reopen', { token: analyst })).json()) as {
          status: string;
        }
      ).status,
    ).toBe('open');
    const assign = await h.request('POST', '/alerts/qa-2/assign', {
      token: analyst,
      body: { assignee_id: `responder@${ORG_A}.test` },
    });
    expect(await assign.json()).toMatchObject({ assignee: { id: `responder@${ORG_A}.test` } });
    // A user of another organisation cannot be assigned.
    expect(
      (
        await h.request('POST', '/alerts/qa-2/assign', {
          token: analyst,
          body: { assignee_id: `responder@${ORG_B}.test` },
        })
      ).status,
    ).toBe(400);
    const bulk = await h.request('POST', '/alerts/bulk', {
      token: analyst,
      body: { ids: ['qa-3', 'qa-4', 'qb-1', 'nope'], action: 'close', reason: 'false_positive' },
    });
    const results = ((await bulk.json()) as { results: { id: string; ok: boolean; error?: string }[] })
      .results;
    expect(results.map((r) => [r.id, r.ok, r.error ?? null])).toEqual([
      ['qa-3', true, null],
      ['qa-4', true, null],
      ['qb-1', false, 'not_found'],
      ['nope', false, 'not_found'],
    ]);
    expect(
      (await h.es.get<{ status: string }>({ index: h.deps.indices.alerts, id: 'qb-1' }))._source!.status,
    ).toBe('open');
  });

  it('rules: a broken rule is refused with its line; test honours exceptions; state is what detection reads', async () => {
    const bad = await h.request('PUT', `/rules/${RULE_ID}`, {
      token: analyst,
      body: {
        source: `title: x\nid: ${RULE_ID}\nlogsource: {}\ndetection:\n  sel:\n    a: 1\n  condition: sel and missing\n`,
      },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('body.source');
    await h.request('PUT', `/rules/${RULE_ID}/exceptions`, {
      token: analyst,
      body: { exceptions: [{ field: 'host.name', values: ['scanner'] }] },
    });
    const res = await h.request('POST', '/rules/test', {
      token: analyst,
      body: {
        rule_id: RULE_ID,
        events: [
          { user: { name: 'root' }, event: { action: 'login' }, host: { name: 'web' } },
          { user: { name: 'root' }, event: { action: 'login' }, host: { name: 'scanner' } },
          { user: { name: 'alice' }, event: { action: 'login' } },
        ],
      },
    });
    const b = (await res.json()) as {
      matches: { matched: boolean; suppressed_by?: string }[];
      matched: number;
    };
    expect(b.matches.map((m) => [m.matched, Boolean(m.suppressed_by)])).toEqual([
      [true, false],
      [true, true],
      [false, false],
    ]);
    expect(b.matched).toBe(1);
    await h.request('POST', `/rules/${RULE_ID}/enable`, { token: analyst });
    const state = (
      await h.es.get<{ enabled: boolean; version: number; exceptions: unknown[] }>({
        index: h.deps.indices.rules,
        id: RULE_ID,
      })
    )._source!;
    expect(state).toMatchObject({ enabled: true, exceptions: [{ field: 'host.name', values: ['scanner'] }] });
    expect(state.version).toBeGreaterThanOrEqual(3);
  });

  it('agents: an enrollment token is used up; status follows heartbeats on NATS; a revoked agent stays revoked', async () => {
    const admin = h.tokens.get('admin')!;
    const t = (await (
      await h.request('POST', '/agents/enrollment-tokens', {
        token: admin,
        body: { organization_id: ORG_A, uses: 1 },
      })
    ).json()) as { token: string };
    const e1 = await h.request('POST', '/agents/enroll', { body: { token: t.token, hostname: 'db.org-a' } });
    expect(e1.status).toBe(201);
    const agent = (await e1.json()) as { agent_id: string; nats: { permissions: { publish: string[] } } };
    expect(agent.nats.permissions.publish).toEqual([
      `telemetry.${agent.agent_id}.>`,
      `agent.${agent.agent_id}.>`,
    ]);
    expect(
      (await h.request('POST', '/agents/enroll', { body: { token: t.token, hostname: 'again' } })).status,
    ).toBe(401);
    const status = async () =>
      (
        (await (await h.request('GET', `/agents/${agent.agent_id}`, { token: analyst })).json()) as {
          status: string;
        }
      ).status;
    expect(await status()).toBe('never_seen');
    if (!NATS_URL) return;
    const nc = await connect({ servers: NATS_URL });
    const follower = followHeartbeats(nc, h.es, h.deps.indices.agents, h.deps.logger, { minWriteMs: 0 });
    try {
      nc.publish(
        `agent.${agent.agent_id}.heartbeat`,
        JSON.stringify({ agent: agent.agent_id, version: '9.9.9', time: new Date().toISOString() }),
      );
      await nc.flush();
      // Poll the document (not a timer assertion): the follower writes asynchronously.
      for (let i = 0; i < 100 && (await status()) !== 'online'; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(await status()).toBe('online');
    } finally {
      follower.stop();
      await nc.drain();
    }
    await h.request('POST', `/agents/${agent.agent_id}/revoke`, { token: admin });
    expect(await status()).toBe('revoked');
  });

  it('serves an OpenAPI 3.1 document covering every route, and a docs page', async () => {
    const res = await h.request('GET', '/openapi.json');
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const r of h.routes)
      expect(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    const docs = await h.request('GET', '/docs');
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(await docs.text()).toContain('/api/v1/alerts/{id}/close');
  });
});
