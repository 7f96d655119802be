import { createMiddleware } from 'hono/factory';
import { parseSecret, secretMatches } from '../../auth/secrets.ts';
import type { Env } from '../../http/env.ts';
import { ApiProblem } from '../../http/problem.ts';
import { type Principal, userPrincipal } from '../../rbac/principal.ts';
import type { Permission } from '../../rbac/roles.ts';
import { getDoc } from '../../store/es.ts';

export const API_KEY_PREFIX = 'sockey';

export interface ApiKeyDoc {
  id: string;
  name: string;
  hash: string;
  permissions: Permission[];
  organizations: string[];
  all_organizations: boolean;
  created_by: string;
  created_at: string;
  expires_at?: string;
  revoked_at?: string;
}

/**
 * Resolves the caller from `Authorization: Bearer <access token>` or `Authorization: ApiKey
 * <key>`. No header leaves the principal unset (public routes still work; the others answer
 * 401 in `authorize`); a header that does not verify is a 401 at once, never a fallback.
 */
export function authenticate() {
  return createMiddleware<Env>(async (c, next) => {
    c.set('principal', undefined);
    const header = c.req.header('authorization');
    if (header) c.set('principal', await resolve(c.get('deps'), header));
    await next();
  });
}

async function resolve(deps: Env['Variables']['deps'], header: string): Promise<Principal> {
  const [scheme, value] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer' && value) {
    const claims = await deps.tokens.verify(value);
    if (!claims) throw new ApiProblem('unauthenticated', 'the access token is invalid or expired');
    return userPrincipal({
      id: claims.sub,
      email: claims.email,
      roles: claims.roles,
      organizations: claims.orgs,
      all_organizations: claims.all,
    });
  }
  if (scheme?.toLowerCase() === 'apikey' && value) {
    const parsed = parseSecret(API_KEY_PREFIX, value);
    // A real-time GET per request: revocation takes effect on the next request.
    const key = parsed && (await getDoc<ApiKeyDoc>(deps.es, deps.indices.apiKeys, parsed.id));
    const now = deps.now().getTime();
    if (
      !parsed ||
      !key ||
      key.revoked_at ||
      (key.expires_at && Date.parse(key.expires_at) <= now) ||
      !secretMatches(parsed.secret, key.hash)
    )
      throw new ApiProblem('unauthenticated', 'the API key is invalid, expired or revoked');
    return {
      kind: 'api_key',
      id: key.id,
      name: key.name,
      roles: [],
      permissions: new Set(key.permissions),
      organizations: key.all_organizations ? 'all' : key.organizations,
    };
  }
  throw new ApiProblem('unauthenticated', 'use Authorization: Bearer <token> or ApiKey <key>');
}
