import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertDoc,
  ES_URL,
  type Harness,
  ORG_A,
  ORG_B,
  RULE_ID,
  ruleYaml,
  skipReason,
  startHarness,
} from '../test/harness.ts';
import { canSeeOrg, userPrincipal } from './rbac/principal.ts';
import { ROLES, type Role } from './rbac/roles.ts';

/**
 * The authorisation matrix: every route of the route table, called by every role of two
 * organisations (and an admin), each aimed at a resource of organisation A. Expected:
 * 403 without the route's permission; 404 for a resource of an organisation the caller
 * cannot see; 2xx otherwise — and no 2xx answer of a non-admin names the other organisation.
 *
 * A route without a sample below fails the test: a new route cannot be forgotten.
 */
type Sample = (h: Harness, target: string) => Promise<{ path: string; body?: unknown }>;
interface Case {
  sample: Sample;
  /** The resource belongs to `target`: callers who cannot see it get 404. Absent: global or listing. */
  scoped?: boolean;
  /** How to check isolation when the text may name the other organisation legitimately. */
  isolated?: (body: unknown, org: string) => boolean;
  /** Bulk answers 200 with a per-id `not_found` instead of a 404. */
  bulk?: boolean;
}

const uid = () => randomBytes(4).toString('hex');
const freshAlert = async (h: Harness, org: string, status: 'open' | 'closed' = 'open') => {
  const id = `m-${uid()}`;
  await h.es.index({
    index: h.deps.indices.alerts,
    id,
    document: { ...alertDoc(id, org, 1), status, ...(status === 'closed' ? { close_reason: 'other' } : {}) },
  });
  return id;
};
const admin = (h: Harness) => h.tokens.get('admin')!;
const freshSystem = async (h: Harness, org: string) => {
  const id = `s-${uid()}`;
  const r = await h.request('POST', '/systems', {
    token: admin(h),
    body: {
      id,
      organization_id: org,
      name: `Deletable ${id}`,
      security_level: 1,
      ip_ranges: ['10.99.0.0/24'],
    },
  });
  if (r.status !== 201) throw new Error(`system not created: ${r.status}`);
  return id;
};
/** A rule the Elasticsearch backend can search (the harness's rule has a logsource no pipeline maps). */
const HUNT_RULE = '0d9a7c1e-2b3f-4a5c-8d6e-7f8091a2b3c4';
const huntRules = new WeakMap<Harness, Promise<Response>>();
const huntRule = async (h: Harness) => {
  if (!huntRules.has(h))
    huntRules.set(
      h,
      h.request('PUT', `/rules/${HUNT_RULE}`, {
        token: admin(h),
        body: {
          source: [
            'title: Hunted SSH failure',
            `id: ${HUNT_RULE}`,
            'logsource: { product: linux, service: auth }',
            'detection: { selection: { user.name: root }, condition: selection }',
            'level: low',
          ].join('\n'),
        },
      }),
    );
  const r = await huntRules.get(h)!;
  if (r.status !== 200) throw new Error(`hunt rule not stored: ${r.status}`);
  return HUNT_RULE;
};
/** A hunt job of one organisation, stored as the runner stores them (held by another instance, so it stays put). */
const seededHunt = async (h: Harness, org: string, state: 'queued' | 'done') => {
  const id = `h-${uid()}`;
  const now = new Date().toISOString();
  const progress = { events_total: 0, events_scanned: 0, pages: 0, excepted: 0, alerts: 0, percent: 0 };
  await h.es.index({
    index: h.deps.indices.hunts,
    id,
    refresh: 'wait_for',
    document: {
      id,
      rule: { id: HUNT_RULE, title: 'Hunted SSH failure', version: 1 },
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-02T00:00:00.000Z',
      scope: { all: false, organizations: [org], count: 1 },
      state,
      progress,
      attempts: state === 'done' ? 1 : 0,
      created_by: { kind: 'user', id: `analyst@${org}.test`, name: `analyst@${org}.test` },
      created_at: now,
      updated_at: now,
      runner: { instance: 'elsewhere', heartbeat_at: now },
    },
  });
  return id;
};

const CASES: Record<string, Case> = {
  'POST /auth/logout': { sample: async () => ({ path: '/auth/logout' }) },
  'GET /me': { sample: async () => ({ path: '/me' }) },
  'GET /users': { sample: async () => ({ path: '/users' }) },
  'POST /users': {
    sample: async () => ({
      path: '/users',
      body: {
        email: `u${uid()}@x.test`,
        name: 'New',
        password: 'a long enough password',
        roles: ['analyst'],
        organizations: [ORG_A],
      },
    }),
  },
  'PATCH /users/{id}': {
    sample: async (_h, t) => ({ path: `/users/analyst@${t}.test`, body: { name: `Analyst ${uid()}` } }),
  },
  'GET /api-keys': { sample: async () => ({ path: '/api-keys' }) },
  'POST /api-keys': {
    sample: async () => ({
      path: '/api-keys',
      body: { name: `k${uid()}`, permissions: ['alert:read'], organizations: [ORG_A] },
    }),
  },
  'DELETE /api-keys/{id}': {
    sample: async (h) => {
      const r = await h.request('POST', '/api-keys', {
        token: admin(h),
        body: { name: 'tmp', permissions: ['alert:read'], all_organizations: true },
      });
      return { path: `/api-keys/${((await r.json()) as { id: string }).id}` };
    },
  },
  'GET /organizations': { sample: async () => ({ path: '/organizations' }) },
  'GET /organizations/{id}': { scoped: true, sample: async (_h, t) => ({ path: `/organizations/${t}` }) },
  'POST /organizations': {
    sample: async () => ({ path: '/organizations', body: { id: `o-${uid()}`, name: 'Another' } }),
  },
  'PATCH /organizations/{id}': {
    scoped: true,
    sample: async (_h, t) => ({ path: `/organizations/${t}`, body: { code: uid() } }),
  },
  'GET /systems': { sample: async () => ({ path: '/systems' }) },
  'GET /systems/{id}': {
    scoped: true,
    sample: async (h, t) => ({ path: `/systems/${h.seeded[t]!.system}` }),
  },
  'POST /systems': {
    scoped: true,
    sample: async (_h, t) => ({
      path: '/systems',
      body: { organization_id: t, name: `S ${uid()}`, security_level: 2 },
    }),
  },
  'PATCH /systems/{id}': {
    scoped: true,
    sample: async (h, t) => ({ path: `/systems/${h.seeded[t]!.system}`, body: { description: uid() } }),
  },
  'DELETE /systems/{id}': {
    scoped: true,
    sample: async (h, t) => ({ path: `/systems/${await freshSystem(h, t)}` }),
  },
  'POST /systems/{id}/assessments': {
    scoped: true,
    sample: async (h, t) => ({
      path: `/systems/${h.seeded[t]!.system}/assessments`,
      body: { assessor: 'Independent Co', date: '2026-06-01', result: 'pass' },
    }),
  },
  'GET /agents': { sample: async () => ({ path: '/agents' }) },
  'GET /agents/{id}': { scoped: true, sample: async (h, t) => ({ path: `/agents/${h.seeded[t]!.agent}` }) },
  'POST /agents/enrollment-tokens': {
    scoped: true,
    sample: async (_h, t) => ({ path: '/agents/enrollment-tokens', body: { organization_id: t } }),
  },
  'POST /agents/{id}/revoke': {
    scoped: true,
    sample: async (h, t) => ({ path: `/agents/${h.seeded[t]!.agent}/revoke` }),
  },
  'POST /events/search': { sample: async () => ({ path: '/events/search', body: { query: 'login' } }) },
  'POST /events/histogram': { sample: async () => ({ path: '/events/histogram', body: { interval: '1h' } }) },
  'POST /events/top': { sample: async () => ({ path: '/events/top', body: { field: 'host.name' } }) },
  'POST /events/export': { sample: async () => ({ path: '/events/export', body: { limit: 10 } }) },
  'GET /events/{id}': { scoped: true, sample: async (h, t) => ({ path: `/events/${h.seeded[t]!.event}` }) },
  'GET /alerts': { sample: async () => ({ path: '/alerts' }) },
  'GET /alerts/{id}': { scoped: true, sample: async (h, t) => ({ path: `/alerts/${h.seeded[t]!.alert}` }) },
  'GET /alerts/{id}/events': {
    scoped: true,
    sample: async (h, t) => ({ path: `/alerts/${h.seeded[t]!.alert}/events` }),
  },
  'POST /alerts/{id}/acknowledge': {
    scoped: true,
    sample: async (h, t) => ({ path: `/alerts/${await freshAlert(h, t)}/acknowledge` }),
  },
  'POST /alerts/{id}/close': {
    scoped: true,
    sample: async (h, t) => ({
      path: `/alerts/${await freshAlert(h, t)}/close`,
      body: { reason: 'false_positive' },
    }),
  },
  'POST /alerts/{id}/reopen': {
    scoped: true,
    sample: async (h, t) => ({ path: `/alerts/${await freshAlert(h, t, 'closed')}/reopen` }),
  },
  'POST /alerts/{id}/assign': {
    scoped: true,
    sample: async (h, t) => ({
      path: `/alerts/${await freshAlert(h, t)}/assign`,
      body: { assignee_id: `responder@${t}.test` },
    }),
  },
  'POST /alerts/bulk': {
    bulk: true,
    sample: async (h, t) => ({
      path: '/alerts/bulk',
      body: { ids: [await freshAlert(h, t)], action: 'acknowledge' },
    }),
  },
  'GET /rules': { sample: async () => ({ path: '/rules' }) },
  'GET /rules/{id}': { sample: async () => ({ path: `/rules/${RULE_ID}` }) },
  'PUT /rules/{id}': {
    sample: async () => ({
      path: `/rules/${RULE_ID}`,
      body: { source: ruleYaml(RULE_ID, `Root login failure ${uid()}`) },
    }),
  },
  'POST /rules/{id}/enable': { sample: async () => ({ path: `/rules/${RULE_ID}/enable` }) },
  'POST /rules/{id}/disable': { sample: async () => ({ path: `/rules/${RULE_ID}/disable` }) },
  'PUT /rules/{id}/exceptions': {
    sample: async () => ({
      path: `/rules/${RULE_ID}/exceptions`,
      body: { exceptions: [{ field: 'host.name', values: ['scanner.local'] }] },
    }),
  },
  'POST /rules/test': {
    sample: async () => ({
      path: '/rules/test',
      body: { rule_id: RULE_ID, events: [{ user: { name: 'root' }, event: { action: 'login' } }] },
    }),
  },
  'POST /rules/{id}/hunts': {
    sample: async (h) => ({
      path: `/rules/${await huntRule(h)}/hunts`,
      body: { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() },
    }),
  },
  'GET /hunts': { sample: async () => ({ path: '/hunts' }) },
  'GET /hunts/{id}': {
    scoped: true,
    sample: async (h, t) => ({ path: `/hunts/${await seededHunt(h, t, 'done')}` }),
  },
  'POST /hunts/{id}/cancel': {
    scoped: true,
    sample: async (h, t) => ({ path: `/hunts/${await seededHunt(h, t, 'queued')}/cancel` }),
  },
  'GET /audit': {
    sample: async () => ({ path: '/audit' }),
    // A record of this organisation may name an actor of another (an admin's email): check the record's organisation.
    isolated: (b, org) =>
      (b as { items: { organization_id?: string }[] }).items.every((i) => i.organization_id === org),
  },
  'GET /audit/verify': { sample: async () => ({ path: '/audit/verify' }) },
};

const PUBLIC = ['POST /auth/login', 'POST /auth/refresh', 'POST /agents/enroll'];

describe.skipIf(!ES_URL)(`authorisation matrix${skipReason}`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('matrix');
  });
  afterAll(() => h?.close());

  it('has a sample for every route of the route table, and only the login/refresh/enroll routes are public', () => {
    const keys = h.routes.map((r) => `${r.method} ${r.path}`);
    const missing = keys.filter((k) => !CASES[k] && !PUBLIC.includes(k));
    expect(missing).toEqual([]);
    expect(
      h.routes
        .filter((r) => r.access === 'public')
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual([...PUBLIC].sort());
    expect(Object.keys(CASES).filter((k) => !keys.includes(k))).toEqual([]);
  });

  it('every route without credentials is 401', async () => {
    for (const r of h.routes.filter((x) => x.access !== 'public')) {
      const { path, body } = await CASES[`${r.method} ${r.path}`]!.sample(h, ORG_A);
      const res = await h.request(r.method, path, { body });
      expect(res.status, `${r.method} ${path}`).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('every route × every role × two organisations answers 2xx, 403 or 404 as the role table says', async () => {
    const callers: { key: string; roles: Role[]; org?: string }[] = [
      { key: 'admin', roles: ['admin'] },
      ...[ORG_A, ORG_B].flatMap((org) =>
        ROLES.map((role) => ({ key: `${role}@${org}`, roles: [role], org })),
      ),
    ];
    const outcomes = { ok: 0, forbidden: 0, notFound: 0 };
    const failures: string[] = [];
    for (const r of h.routes.filter((x) => x.access !== 'public')) {
      const c = CASES[`${r.method} ${r.path}`]!;
      for (const caller of callers) {
        const p = userPrincipal({
          id: caller.key,
          email: caller.key,
          roles: caller.roles,
          organizations: caller.org ? [caller.org] : [],
          all_organizations: false,
        });
        const permitted = r.access === 'authenticated' || p.permissions.has(r.access as never);
        const sees = canSeeOrg(p, ORG_A);
        const expected = !permitted ? 403 : c.scoped && !sees ? 404 : 200;
        const { path, body } = await c.sample(h, ORG_A);
        const res = await h.request(r.method, path, { token: h.tokens.get(caller.key)!, body });
        const text = await res.text();
        // 201 Created and 202 Accepted (a hunt queued) are the 2xx of the matrix too.
        const got = res.status === 201 || res.status === 202 ? 200 : res.status;
        if (got !== expected)
          failures.push(
            `${r.method} ${path} as ${caller.key}: expected ${expected}, got ${res.status} ${text.slice(0, 200)}`,
          );
        if (expected === 200 && p.organizations !== 'all') {
          // Isolation: nothing of the other organisation in any answer.
          const other = caller.org === ORG_A ? ORG_B : ORG_A;
          const isolated = c.isolated ? c.isolated(JSON.parse(text), caller.org!) : !text.includes(other);
          if (!isolated) failures.push(`${r.method} ${path} as ${caller.key}: answer mentions ${other}`);
          if (c.bulk && !sees && !text.includes('"ok":false'))
            failures.push(`bulk as ${caller.key}: alert of another organisation was not refused`);
        }
        if (expected === 200) outcomes.ok++;
        else if (expected === 403) outcomes.forbidden++;
        else outcomes.notFound++;
      }
    }
    expect(failures).toEqual([]);
    // The matrix exercised all three answers.
    expect(outcomes.ok).toBeGreaterThan(100);
    expect(outcomes.forbidden).toBeGreaterThan(100);
    expect(outcomes.notFound).toBeGreaterThan(20);
  }, 300_000); // several thousand requests: a minute on a quiet machine, more under load
});
