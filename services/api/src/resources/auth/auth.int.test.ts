import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ES_URL,
  type Harness,
  ORG_A,
  ORG_B,
  PASSWORD,
  skipReason,
  startHarness,
} from '../../../test/harness.ts';

describe.skipIf(!ES_URL)(`authentication${skipReason}`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('auth');
  });
  afterAll(() => h?.close());

  const login = (email: string, password: string, ip = '10.0.0.1') =>
    h.request('POST', '/auth/login', { body: { email, password }, headers: { 'x-forwarded-for': ip } });

  it('logs in, refreshes once per refresh token, and logs out', async () => {
    const res = await login('ADMIN@test.local', PASSWORD);
    expect(res.status).toBe(200);
    const t = (await res.json()) as { access_token: string; refresh_token: string; expires_in: number };
    expect(t.expires_in).toBe(900);
    expect((await h.request('GET', '/me', { token: t.access_token })).status).toBe(200);
    const r1 = await h.request('POST', '/auth/refresh', { body: { refresh_token: t.refresh_token } });
    expect(r1.status).toBe(200);
    // Rotation: the used refresh token is dead.
    expect(
      (await h.request('POST', '/auth/refresh', { body: { refresh_token: t.refresh_token } })).status,
    ).toBe(401);
    const t2 = (await r1.json()) as { access_token: string; refresh_token: string };
    expect((await h.request('POST', '/auth/logout', { token: t2.access_token })).status).toBe(200);
    expect(
      (await h.request('POST', '/auth/refresh', { body: { refresh_token: t2.refresh_token } })).status,
    ).toBe(401);
  });

  it('locks an account after 5 failures in a row, even for the right password, and an admin unlocks it', async () => {
    const admin = h.tokens.get('admin')!;
    const created = await h.request('POST', '/users', {
      token: admin,
      body: {
        email: 'victim@x.test',
        name: 'V',
        password: 'the victim password',
        roles: ['analyst'],
        organizations: [ORG_A],
      },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 5; i++)
      expect((await login('victim@x.test', `guess ${i}`, `10.1.0.${i}`)).status).toBe(401);
    const locked = await login('victim@x.test', 'the victim password', '10.1.1.1');
    expect(locked.status).toBe(423);
    expect(
      (await h.request('PATCH', '/users/victim@x.test', { token: admin, body: { unlock: true } })).status,
    ).toBe(200);
    expect((await login('victim@x.test', 'the victim password', '10.1.1.2')).status).toBe(200);
  });

  it('rate-limits login attempts per client address (10 a minute)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await login(`nobody${i}@x.test`, 'whatever', '10.9.9.9')).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Another address is not affected.
    expect((await login('nobody@x.test', 'whatever', '10.9.9.8')).status).toBe(401);
  });

  it('API keys: scoped to their permissions and organisations, shown once, revocable at once', async () => {
    const admin = h.tokens.get('admin')!;
    const res = await h.request('POST', '/api-keys', {
      token: admin,
      body: { name: 'siem', permissions: ['alert:read'], organizations: [ORG_B] },
    });
    expect(res.status).toBe(201);
    const key = (await res.json()) as { id: string; key: string };
    const withKey = (path: string, method = 'GET') =>
      h.request(method, path, { headers: { authorization: `ApiKey ${key.key}` } });
    const list = await withKey('/alerts');
    expect(list.status).toBe(200);
    expect(
      ((await list.json()) as { items: { organization: { id: string } }[] }).items.map(
        (a) => a.organization.id,
      ),
    ).toEqual([ORG_B]);
    expect((await withKey(`/alerts/${h.seeded[ORG_A]!.alert}`)).status).toBe(404);
    expect((await withKey('/events/search', 'POST')).status).toBe(403);
    // Not stored in clear.
    const stored = await h.es.get({ index: h.deps.indices.apiKeys, id: key.id });
    expect(JSON.stringify(stored._source)).not.toContain(key.key.slice(-43));
    expect((await h.request('GET', '/api-keys', { token: admin })).status).toBe(200);
    expect(await (await h.request('GET', '/api-keys', { token: admin })).text()).not.toContain(key.key);
    expect((await h.request('DELETE', `/api-keys/${key.id}`, { token: admin })).status).toBe(200);
    expect((await withKey('/alerts')).status).toBe(401);
    // user:admin cannot be given to a key.
    expect(
      (
        await h.request('POST', '/api-keys', {
          token: admin,
          body: { name: 'x', permissions: ['user:admin'], all_organizations: true },
        })
      ).status,
    ).toBe(400);
  });

  it('a responder cannot be given every organisation', async () => {
    const res = await h.request('POST', '/users', {
      token: h.tokens.get('admin')!,
      body: {
        email: 'r@x.test',
        name: 'R',
        password: 'long enough password',
        roles: ['responder'],
        organizations: [],
        all_organizations: true,
      },
    });
    expect(res.status).toBe(400);
  });
});
