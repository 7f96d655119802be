import { describe, expect, it } from 'vitest';
import { userPrincipal } from '../../rbac/principal.ts';
import { canSeeHunt, huntScopeFilter, scopeOf } from './model.ts';

const user = (organizations: string[], all = false) =>
  userPrincipal({ id: 'u', email: 'u@x', roles: ['analyst'], organizations, all_organizations: all });

describe('hunt scope', () => {
  it('is the caller’s organisations, or all of them', () => {
    expect(scopeOf(user(['a', 'b']))).toEqual({ all: false, organizations: ['a', 'b'], count: 2 });
    expect(scopeOf(user([], true))).toEqual({ all: true, organizations: [], count: 0 });
  });

  it('a hunt is visible only to callers who may see every organisation it searched', () => {
    const ab = { scope: scopeOf(user(['a', 'b'])) };
    const everything = { scope: scopeOf(user([], true)) };
    expect(canSeeHunt(user(['a', 'b', 'c']), ab)).toBe(true);
    expect(canSeeHunt(user(['a']), ab)).toBe(false);
    expect(canSeeHunt(user(['a', 'b']), everything)).toBe(false);
    expect(canSeeHunt(user([], true), ab)).toBe(true);
    expect(canSeeHunt(user([]), ab)).toBe(false);
  });

  it('as a query: nothing for a caller without organisations, terms_set otherwise', () => {
    expect(huntScopeFilter(user([], true))).toEqual([]);
    expect(huntScopeFilter(user([]))).toEqual([{ bool: { must_not: { match_all: {} } } }]);
    expect(JSON.stringify(huntScopeFilter(user(['a'])))).toContain(
      '"minimum_should_match_field":"scope.count"',
    );
  });
});
