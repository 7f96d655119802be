import { randomBytes } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { type Alert, createLogger, levelRank, socIndices, withSeverityRank } from '@soc/core';
import type { Hono } from 'hono';
import { createApi } from '../src/app.ts';
import { apiSchema, buildDeps } from '../src/config.ts';
import type { ApiDeps } from '../src/http/env.ts';
import type { RouteInfo } from '../src/http/router.ts';
import { ROLES, type Role } from '../src/rbac/roles.ts';
import { createUser } from '../src/resources/users/store.ts';
import { ensureIndices } from '../src/store/es.ts';

export const ES_URL = process.env.ELASTICSEARCH_URL;
export const NATS_URL = process.env.NATS_URL;
export const skipReason = ES_URL ? '' : ' (skipped: ELASTICSEARCH_URL not set — run through npm test)';

export const ORG_A = 'org-a';
export const ORG_B = 'org-b';
export const PASSWORD = 'correct horse battery staple';

export interface Harness {
  es: Client;
  deps: ApiDeps;
  app: Hono;
  routes: RouteInfo[];
  prefix: string;
  /** Access tokens: `admin`, and `<role>@<org>` for every role and both organisations. */
  tokens: Map<string, string>;
  /** Ids of seeded documents per organisation. */
  seeded: Record<string, { system: string; alert: string; agent: string; event: string }>;
  request(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** The events index the tests search: the few fields ingest's mapping has that the API relies on. */
const EVENT_MAPPING = {
  properties: {
    '@timestamp': { type: 'date' },
    message: { type: 'text' },
    host: { properties: { name: { type: 'keyword' } } },
    user: { properties: { name: { type: 'keyword' } } },
    source: { properties: { ip: { type: 'ip' } } },
    event: { properties: { action: { type: 'keyword' }, code: { type: 'keyword' } } },
    soc: {
      properties: {
        organization: { properties: { id: { type: 'keyword' } } },
        system: { properties: { id: { type: 'keyword' } } },
      },
    },
  },
};

export const RULE_ID = '5f0c3c5e-1b2a-4c1d-9e7f-0a1b2c3d4e5f';

export function ruleYaml(id: string, title = 'Root login failure'): string {
  return [
    `title: ${title}`,
    `id: ${id}`,
    'status: test',
    'logsource:',
    '  category: authentication',
    'detection:',
    '  selection:',
    '    user.name: root',
    '    event.action: login',
    '  condition: selection',
    'level: high',
    'tags:',
    '  - attack.t1110.001',
    '  - attack.credential-access',
    '',
  ].join('\n');
}

/** An alert as detection writes it (with `severity_rank`). */
export function alertDoc(id: string, org: string, i: number, now = Date.now()): Alert {
  const level = (['low', 'medium', 'high', 'critical'] as const)[i % 4]!;
  const t = new Date(now - i * 60_000).toISOString();
  return withSeverityRank({
    id,
    '@timestamp': t,
    rule: {
      id: `rule-${i % 20}`,
      title: `Suspicious thing ${i % 20}`,
      level,
      severity: levelRank(level),
      tags: ['attack.t1059.001', 'attack.execution'],
      attack: { techniques: ['T1059.001'], tactics: ['execution'] },
    },
    events: { ids: [`${org}-ev-${i}`] },
    fields: { process: { name: 'powershell.exe' } },
    entities: {
      host: { name: `host-${i % 50}.${org}` },
      user: { name: `user${i % 30}` },
      source: { ip: `10.0.${i % 250}.${i % 200}` },
    },
    organization: { id: org, name: org },
    system: { id: `sys-${org}` },
    security_level: (i % 5) + 1,
    first_seen: t,
    last_seen: t,
    count: 1 + (i % 7),
    status: 'open',
    retro: false,
  });
}

export async function startHarness(name: string): Promise<Harness> {
  const prefix = `apitest-${name}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const es = new Client({ node: ES_URL! });
  const logger = createLogger({ service: 'api-test', level: 'silent', pretty: false });
  const config = apiSchema.parse({
    trustProxy: true,
    indexPrefix: prefix,
    eventsIndex: `${prefix}-events`,
    secret: randomBytes(32).toString('hex'),
    bodyLimitBytes: 64 * 1024,
  });
  const deps = buildDeps(es, config, logger);
  await ensureIndices(es, deps.indices);
  await es.indices.create({
    index: `${prefix}-events-d1`,
    mappings: EVENT_MAPPING as never,
    aliases: { [`${prefix}-events`]: {} },
    settings: { number_of_replicas: 0 },
  });
  // Writes that wait for a refresh (so a list shows what was just created) wait 100 ms, not 1 s.
  await es.indices.putSettings({ index: `${prefix}-*`, settings: { refresh_interval: '100ms' } });
  const { app, routes } = createApi(deps);

  const tokens = new Map<string, string>();
  const now = new Date();
  const admin = await createUser(
    es,
    deps.indices.users,
    {
      email: 'admin@test.local',
      name: 'Admin',
      password: PASSWORD,
      roles: ['admin'],
      organizations: [],
      all_organizations: true,
    },
    now,
  );
  if (!admin) throw new Error('admin exists');
  const issue = async (u: {
    id: string;
    email: string;
    roles: Role[];
    organizations: string[];
    all_organizations: boolean;
  }) =>
    (
      await deps.tokens.issue({
        sub: u.id,
        email: u.email,
        roles: u.roles,
        orgs: u.organizations,
        all: u.all_organizations,
        sid: 'test',
      })
    ).token;
  tokens.set('admin', await issue(admin));
  for (const org of [ORG_A, ORG_B])
    for (const role of ROLES) {
      const email = `${role}@${org}.test`;
      // Users are indexed directly (no scrypt) except where a test logs in: the matrix needs tokens, not passwords.
      const u = { id: email, email, roles: [role], organizations: [org], all_organizations: false };
      await es.index({
        index: deps.indices.users,
        id: email,
        document: {
          ...u,
          name: email,
          password_hash: 'x',
          disabled: false,
          failed_logins: 0,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        },
      });
      tokens.set(`${role}@${org}`, await issue(u));
    }

  const request: Harness['request'] = (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    return Promise.resolve(app.request(`/api/v1${path}`, { method, headers, body }));
  };

  const seeded: Harness['seeded'] = {};
  const adminToken = tokens.get('admin')!;
  const must = async (res: Response | Promise<Response>) => {
    const r = await res;
    if (r.status >= 300) throw new Error(`seed failed: ${r.status} ${await r.text()}`);
    return r.json() as Promise<Record<string, unknown>>;
  };
  for (const org of [ORG_A, ORG_B]) {
    await must(
      request('POST', '/organizations', {
        token: adminToken,
        body: { id: org, name: `Organisation ${org}` },
      }),
    );
    await must(
      request('POST', '/systems', {
        token: adminToken,
        body: {
          id: `sys-${org}`,
          organization_id: org,
          name: `Portal ${org}`,
          security_level: 3,
          hosts: [`web.${org}`],
        },
      }),
    );
    const et = await must(
      request('POST', '/agents/enrollment-tokens', { token: adminToken, body: { organization_id: org } }),
    );
    const enrolled = await must(
      request('POST', '/agents/enroll', { body: { token: et.token, hostname: `web.${org}` } }),
    );
    await es.index({
      index: deps.indices.alerts,
      id: `alert-${org}`,
      document: alertDoc(`alert-${org}`, org, 0),
    });
    await es.index({
      index: `${prefix}-events-d1`,
      id: `${org}-ev-0`,
      document: {
        '@timestamp': now.toISOString(),
        message: `login failed for root on ${org}`,
        host: { name: `web.${org}` },
        user: { name: 'root' },
        event: { action: 'login' },
        soc: { organization: { id: org }, system: { id: `sys-${org}` } },
      },
    });
    seeded[org] = {
      system: `sys-${org}`,
      alert: `alert-${org}`,
      agent: enrolled.agent_id as string,
      event: `${org}-ev-0`,
    };
  }
  await must(request('PUT', `/rules/${RULE_ID}`, { token: adminToken, body: { source: ruleYaml(RULE_ID) } }));
  await es.indices.refresh({ index: `${prefix}-*` });
  return {
    es,
    deps,
    app,
    routes,
    prefix,
    tokens,
    seeded,
    request,
    async close() {
      // Hunts still running (the matrix starts some) stop before their indices go.
      await deps.hunts.stop();
      // By name: the cluster refuses wildcard deletes (action.destructive_requires_name), and a
      // refused delete left every test's indices behind until the cluster ran out of shards.
      const names = Object.keys(
        await es.indices
          .get({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true })
          .catch(() => ({})),
      );
      if (names.length) await es.indices.delete({ index: names, ignore_unavailable: true }).catch(() => {});
      await es.close();
    },
  };
}

export { socIndices };
