import { describe, expect, it } from 'vitest';
import { alertDoc } from '../test/harness.ts';
import { canonicalJson, GENESIS_HASH, recordHash } from './audit/chain.ts';
import { hashPassword, verifyPassword } from './auth/passwords.ts';
import { RateLimiter } from './auth/rate-limit.ts';
import { issueSecret, parseSecret, secretMatches } from './auth/secrets.ts';
import { ACCESS_TTL_S, TokenIssuer } from './auth/tokens.ts';
import { CursorCodec } from './http/cursor.ts';
import { orgFilter, userPrincipal } from './rbac/principal.ts';
import { permissionsOf } from './rbac/roles.ts';
import { agentStatus } from './resources/agents/model.ts';
import { applyAction } from './resources/alerts/workflow.ts';
import { BaseQuery, buildQuery, filterSchema } from './resources/events/query.ts';

describe('audit hashing', () => {
  it('hashes the same record the same whatever its key order, and any change changes the hash', () => {
    const a = {
      seq: 1,
      prev_hash: GENESIS_HASH,
      time: 't',
      actor: { kind: 'user', id: 'u' },
      action: 'x',
      method: 'POST',
      path: '/',
      status: 200,
      outcome: 'success',
    } as const;
    const b = JSON.parse(
      JSON.stringify({
        outcome: 'success',
        status: 200,
        path: '/',
        method: 'POST',
        action: 'x',
        actor: { id: 'u', kind: 'user' },
        time: 't',
        prev_hash: GENESIS_HASH,
        seq: 1,
      }),
    );
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(recordHash(a)).toBe(recordHash(b));
    expect(recordHash({ ...a, status: 201 })).not.toBe(recordHash(a));
  });
});

describe('credentials', () => {
  it('scrypt verifies the right password only', async () => {
    const h = await hashPassword('correct horse battery');
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', h)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('opaque secrets parse only in their own shape and match only their hash', () => {
    const s = issueSecret('sockey');
    const p = parseSecret('sockey', s.token)!;
    expect(p.id).toBe(s.id);
    expect(secretMatches(p.secret, s.hash)).toBe(true);
    expect(secretMatches(`${p.secret.slice(0, -1)}A`, s.hash)).toBe(p.secret.endsWith('A'));
    expect(parseSecret('socrt', s.token)).toBeUndefined();
    expect(parseSecret('sockey', `${s.token}x`)).toBeUndefined();
  });

  it('the login limiter counts per key within a window (clock injected)', () => {
    let now = 0;
    const rl = new RateLimiter(2, 60_000, () => now);
    expect([rl.hit('a'), rl.hit('a'), rl.hit('a'), rl.hit('b')]).toEqual([0, 0, 60, 0]);
    now = 60_000;
    expect(rl.hit('a')).toBe(0);
  });

  it('access tokens: verified once then from the cache, yet an expired or altered one is refused', async () => {
    let now = Date.now();
    const t = new TokenIssuer('s'.repeat(32), () => now);
    const claims = {
      sub: 'u1',
      email: 'u@x',
      roles: ['analyst' as const],
      orgs: ['o1'],
      all: false,
      sid: 's1',
    };
    const { token } = await t.issue(claims);
    expect(await t.verify(token)).toMatchObject(claims);
    expect(await t.verify(token)).toMatchObject(claims); // the cached entry
    const [h, p, sig] = token.split('.');
    const flipped = `${h}.${p}.${sig!.startsWith('A') ? 'B' : 'A'}${sig!.slice(1)}`;
    expect(await t.verify(flipped)).toBeUndefined();
    expect(await new TokenIssuer('t'.repeat(32), () => now).verify(token)).toBeUndefined();
    now += (ACCESS_TTL_S + 1) * 1000;
    expect(await t.verify(token)).toBeUndefined();
  });

  it('signed cursors round-trip and a changed one is refused', () => {
    const c = new CursorCodec('k'.repeat(32));
    const enc = c.encode({ after: [1, 'x'], pit: 'p' });
    expect(c.decode(enc)).toEqual({ after: [1, 'x'], pit: 'p' });
    const [payload, mac] = enc.split('.');
    const forged = `${Buffer.from(JSON.stringify({ after: [1], pit: 'other' })).toString('base64url')}.${mac}`;
    expect(c.decode(forged)).toBeUndefined();
    expect(new CursorCodec('j'.repeat(32)).decode(`${payload}.${mac}`)).toBeUndefined();
  });
});

describe('scope and queries', () => {
  it('a scoped principal always gets an organisation filter; admin and all_organizations none', () => {
    const scoped = userPrincipal({
      id: 'u',
      email: 'u',
      roles: ['responder'],
      organizations: ['o1'],
      all_organizations: false,
    });
    expect(orgFilter(scoped, 'organization.id')).toEqual([{ terms: { 'organization.id': ['o1'] } }]);
    expect(
      orgFilter(
        userPrincipal({ id: 'a', email: 'a', roles: ['admin'], organizations: [], all_organizations: false }),
        'x',
      ),
    ).toEqual([]);
    const none = userPrincipal({
      id: 'n',
      email: 'n',
      roles: ['analyst'],
      organizations: [],
      all_organizations: false,
    });
    expect(orgFilter(none, 'x')).toEqual([{ terms: { x: [] } }]);
  });

  it('the event query keeps the scope filter first and user filters only narrow', () => {
    const q = BaseQuery.parse({ query: 'a b', filters: [{ field: 'host.name', op: 'neq', value: 'x' }] });
    const built = buildQuery(q, [{ terms: { 'soc.organization.id': ['o1'] } }]) as {
      bool: { filter: object[]; must_not: object[]; must: object[] };
    };
    expect(built.bool.filter[0]).toEqual({ terms: { 'soc.organization.id': ['o1'] } });
    expect(built.bool.must_not).toEqual([{ term: { 'host.name': 'x' } }]);
    expect(built.bool.must).toHaveLength(1);
    expect(filterSchema.safeParse({ field: 'a.b*', op: 'exists' }).success).toBe(false);
    expect(filterSchema.safeParse({ field: 'a.b', op: 'script', value: 'x' }).success).toBe(false);
  });

  it("permissions are the union of a user's roles", () => {
    expect([...permissionsOf(['manager', 'assessor'])].sort()).toContain('assessment:write');
    expect(permissionsOf(['national_liaison']).has('event:read')).toBe(false);
  });
});

describe('alert workflow and agent status', () => {
  it('allows the transitions of the workflow and refuses the others', () => {
    const open = alertDoc('a', 'o', 0);
    expect(applyAction(open, { action: 'acknowledge' }, 't')).toMatchObject({ status: 'acknowledged' });
    const closed = { ...open, status: 'closed' as const, close_reason: 'other' as const };
    expect(typeof applyAction(closed, { action: 'acknowledge' }, 't')).toBe('string');
    expect(applyAction(closed, { action: 'reopen' }, 't')).toMatchObject({
      status: 'open',
      close_reason: undefined,
    });
    expect(typeof applyAction(open, { action: 'reopen' }, 't')).toBe('string');
  });

  it('derives agent status from the last heartbeat', () => {
    const base = { id: 'a', hostname: 'h', organization: { id: 'o' }, enrolled_at: '', enrolled_with: 'x' };
    const at = Date.parse('2026-01-01T00:10:00Z');
    expect(agentStatus(base, at, 30)).toBe('never_seen');
    expect(agentStatus({ ...base, last_seen: '2026-01-01T00:09:00Z' }, at, 30)).toBe('online');
    expect(agentStatus({ ...base, last_seen: '2026-01-01T00:05:00Z' }, at, 30)).toBe('stale');
    expect(agentStatus({ ...base, last_seen: '2025-12-31T23:59:00Z' }, at, 30)).toBe('offline');
    expect(agentStatus({ ...base, last_seen: '2026-01-01T00:09:59Z', revoked_at: 'x' }, at, 30)).toBe(
      'revoked',
    );
  });
});
