import { main } from '@soc/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ES_URL, type Harness, ORG_A, skipReason, startHarness } from '../../test/harness.ts';
import { type AuditRecord, verifyChain } from './chain.ts';

describe.skipIf(!ES_URL)(`audit log${skipReason}`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('audit');
  });
  afterAll(() => h?.close());

  it('records who changed what, before and after, from where — and refused attempts too', async () => {
    const token = h.tokens.get(`analyst@${ORG_A}`)!;
    const ok = await h.request('POST', `/alerts/${h.seeded[ORG_A]!.alert}/close`, {
      token,
      body: { reason: 'false_positive', comment: 'scanner' },
      headers: { 'user-agent': 'audit-test' },
    });
    expect(ok.status).toBe(200);
    const denied = await h.request('POST', '/organizations', { token, body: { name: 'nope' } });
    expect(denied.status).toBe(403);
    await h.es.indices.refresh({ index: h.deps.indices.audit });
    const res = await h.request('GET', '/audit?size=5', { token: h.tokens.get('admin') });
    const items = ((await res.json()) as { items: AuditRecord[] }).items;
    const close = items.find((i) => i.target?.id === h.seeded[ORG_A]!.alert)!;
    expect(close).toMatchObject({
      actor: { kind: 'user', id: `analyst@${ORG_A}.test` },
      action: 'POST /api/v1/alerts/:id/close',
      organization_id: ORG_A,
      outcome: 'success',
      user_agent: 'audit-test',
      before: { status: 'open' },
      after: { status: 'closed', close_reason: 'false_positive', close_comment: 'scanner' },
    });
    expect(items.find((i) => i.path === '/api/v1/organizations')).toMatchObject({
      outcome: 'denied',
      status: 403,
    });
  });

  it('never stores a password or a token in a record', async () => {
    await h.request('POST', '/auth/login', {
      body: { email: 'admin@test.local', password: 'wrong password here' },
    });
    await h.request('POST', '/api-keys', {
      token: h.tokens.get('admin'),
      body: { name: 'k', permissions: ['alert:read'], all_organizations: true },
    });
    await h.es.indices.refresh({ index: h.deps.indices.audit });
    const all = await h.es.search({ index: h.deps.indices.audit, size: 1000 });
    const text = JSON.stringify(all.hits.hits);
    expect(text).not.toContain('wrong password here');
    expect(text).not.toMatch(/sockey_[A-Za-z0-9_-]{16}_/);
    expect(text).toContain('"outcome":"denied"');
  });

  it('the chain verifies, and an edited or deleted record is found by soc audit verify', async () => {
    const intact = await verifyChain(h.es, h.deps.indices.audit);
    expect(intact.ok).toBe(true);
    expect(intact.records).toBeGreaterThan(5);
    process.env.SOC_API__INDEX_PREFIX = h.prefix;
    try {
      expect(await main(['audit', 'verify'])).toBe(0);
      // Tamper: rewrite record 3's outcome behind the API's back.
      const rec = (await h.es.get<AuditRecord>({ index: h.deps.indices.audit, id: '3' }))._source!;
      await h.es.index({
        index: h.deps.indices.audit,
        id: '3',
        document: { ...rec, status: 200, outcome: 'success', actor: { kind: 'user', id: 'someone-else' } },
        refresh: true,
      });
      const broken = await verifyChain(h.es, h.deps.indices.audit);
      expect(broken).toMatchObject({
        ok: false,
        broken: { seq: 3, reason: 'content does not match its hash' },
      });
      expect(await main(['audit', 'verify'])).toBe(1);
      // Put it back, then delete record 4: the gap is found.
      await h.es.index({ index: h.deps.indices.audit, id: '3', document: rec });
      await h.es.delete({ index: h.deps.indices.audit, id: '4', refresh: true });
      expect((await verifyChain(h.es, h.deps.indices.audit)).broken).toMatchObject({ seq: 4 });
    } finally {
      delete process.env.SOC_API__INDEX_PREFIX;
    }
  });

  it('soc admin create makes an admin who can log in; a second create of the same email fails', async () => {
    process.env.SOC_API__INDEX_PREFIX = h.prefix;
    process.env.SOC_ADMIN_PASSWORD = 'a first admin password';
    try {
      expect(await main(['admin', 'create', '--email', 'Root@Province.gov.vn'])).toBe(0);
      expect(await main(['admin', 'create', '--email', 'root@province.gov.vn'])).toBe(1);
      expect(await main(['admin', 'create'])).toBe(2);
    } finally {
      delete process.env.SOC_API__INDEX_PREFIX;
      delete process.env.SOC_ADMIN_PASSWORD;
    }
    const login = await h.request('POST', '/auth/login', {
      body: { email: 'root@province.gov.vn', password: 'a first admin password' },
    });
    expect(login.status).toBe(200);
    const me = await h.request('GET', '/me', {
      token: ((await login.json()) as { access_token: string }).access_token,
    });
    expect(await me.json()).toMatchObject({ roles: ['admin'], organizations: 'all' });
  });
});
