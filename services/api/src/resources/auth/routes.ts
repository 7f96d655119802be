import { createRoute, z } from '@hono/zod-openapi';
import { decoyHash, verifyPassword } from '../../auth/passwords.ts';
import { issueSecret, parseSecret, secretMatches } from '../../auth/secrets.ts';
import { REFRESH_TTL_S } from '../../auth/tokens.ts';
import type { ApiDeps } from '../../http/env.ts';
import { ApiProblem } from '../../http/problem.ts';
import { type Router, register } from '../../http/router.ts';
import { body, errorResponses, json, okSchema } from '../../http/schemas.ts';
import { principalOf, requires } from '../../middleware/authorize/index.ts';
import { getVersioned, isConflict } from '../../store/es.ts';
import { emailSchema, type UserDoc, userIdOf } from '../users/model.ts';

const REFRESH_PREFIX = 'socrt';

interface SessionDoc {
  id: string;
  user_id: string;
  hash: string;
  created_at: string;
  expires_at: string;
  revoked: boolean;
  ip: string;
}

const tokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    refresh_token: z.string(),
    refresh_expires_in: z.number().int(),
  })
  .openapi('Tokens');

async function issueTokens(deps: ApiDeps, user: UserDoc, ip: string) {
  const refresh = issueSecret(REFRESH_PREFIX);
  const now = deps.now();
  const session: SessionDoc = {
    id: refresh.id,
    user_id: user.id,
    hash: refresh.hash,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + REFRESH_TTL_S * 1000).toISOString(),
    revoked: false,
    ip,
  };
  await deps.es.create({ index: deps.indices.sessions, id: session.id, document: session });
  const access = await deps.tokens.issue({
    sub: user.id,
    email: user.email,
    roles: user.roles,
    orgs: user.organizations,
    all: user.all_organizations,
    sid: session.id,
  });
  return {
    access_token: access.token,
    token_type: 'Bearer' as const,
    expires_in: access.expiresIn,
    refresh_token: refresh.token,
    refresh_expires_in: REFRESH_TTL_S,
  };
}

/** Marks the session revoked only if nobody else changed it since we read it (one use per refresh token). */
async function revokeSession(
  deps: ApiDeps,
  id: string,
  seqNo: number,
  primaryTerm: number,
): Promise<boolean> {
  try {
    await deps.es.update({
      index: deps.indices.sessions,
      id,
      doc: { revoked: true },
      if_seq_no: seqNo,
      if_primary_term: primaryTerm,
    });
    return true;
  } catch (err) {
    if (isConflict(err)) return false;
    throw err;
  }
}

export function authRoutes(r: Router): void {
  register(
    r,
    createRoute({
      method: 'post',
      path: '/auth/login',
      operationId: 'login',
      tags: ['auth'],
      summary: 'Log in with email and password; returns an access token and a refresh token',
      middleware: [requires('public')] as const,
      request: {
        body: body(z.strictObject({ email: emailSchema, password: z.string().min(1).max(1024) })),
      },
      responses: {
        200: json(tokenResponse),
        ...errorResponses,
        423: { description: 'Account locked after repeated failures' },
        429: { description: 'Too many attempts from this address' },
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      const { email, password } = c.req.valid('json');
      const ip = c.get('clientIp');
      c.get('audit').actor = { kind: 'anonymous', id: userIdOf(email), name: email };
      c.get('audit').target = { type: 'user', id: userIdOf(email) };
      const wait = deps.loginLimiter.hit(ip);
      if (wait > 0)
        throw new ApiProblem('rate-limited', `retry in ${wait} s`, undefined, {
          'retry-after': String(wait),
        });
      const found = await getVersioned<UserDoc>(deps.es, deps.indices.users, userIdOf(email));
      const user = found?.doc;
      const now = deps.now();
      if (user?.locked_until && Date.parse(user.locked_until) > now.getTime())
        throw new ApiProblem('account-locked', 'too many failed logins; try again later');
      // Same work whether or not the account exists, so timing does not reveal accounts.
      const ok = await verifyPassword(password, user?.password_hash ?? (await decoyHash()));
      if (!user || !ok || user.disabled) {
        if (user && found && !user.disabled) {
          const failed = (user.failed_logins ?? 0) + 1;
          const lock = failed >= deps.lockout.attempts;
          try {
            await deps.es.update({
              index: deps.indices.users,
              id: user.id,
              doc: {
                failed_logins: lock ? 0 : failed,
                ...(lock
                  ? { locked_until: new Date(now.getTime() + deps.lockout.durationMs).toISOString() }
                  : {}),
              },
              if_seq_no: found.seqNo,
              if_primary_term: found.primaryTerm,
            });
          } catch (err) {
            if (!isConflict(err)) throw err;
          }
        }
        throw new ApiProblem('invalid-credentials', 'wrong email or password, or the account is disabled');
      }
      await deps.es.update({
        index: deps.indices.users,
        id: user.id,
        doc: { failed_logins: 0, locked_until: null, last_login_at: now.toISOString() } as never,
      });
      return c.json(await issueTokens(deps, user, ip), 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/auth/refresh',
      operationId: 'refresh',
      tags: ['auth'],
      summary: 'Exchange a refresh token for new tokens (the old refresh token stops working)',
      middleware: [requires('public')] as const,
      request: { body: body(z.strictObject({ refresh_token: z.string().max(200) })) },
      responses: { 200: json(tokenResponse), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const parsed = parseSecret(REFRESH_PREFIX, c.req.valid('json').refresh_token);
      const found = parsed && (await getVersioned<SessionDoc>(deps.es, deps.indices.sessions, parsed.id));
      const s = found?.doc;
      if (
        !parsed ||
        !found ||
        !s ||
        s.revoked ||
        Date.parse(s.expires_at) <= deps.now().getTime() ||
        !secretMatches(parsed.secret, s.hash)
      )
        throw new ApiProblem('unauthenticated', 'the refresh token is invalid, used or expired');
      c.get('audit').actor = { kind: 'anonymous', id: s.user_id };
      c.get('audit').target = { type: 'session', id: s.id };
      // Rotation: two concurrent uses of one token — only one wins.
      if (!(await revokeSession(deps, s.id, found.seqNo, found.primaryTerm)))
        throw new ApiProblem('unauthenticated', 'the refresh token was already used');
      const user = (await getVersioned<UserDoc>(deps.es, deps.indices.users, s.user_id))?.doc;
      if (!user || user.disabled) throw new ApiProblem('unauthenticated', 'the account is disabled');
      return c.json(await issueTokens(deps, user, c.get('clientIp')), 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'post',
      path: '/auth/logout',
      operationId: 'logout',
      tags: ['auth'],
      summary: "Revoke the caller's refresh token",
      middleware: [requires('authenticated')] as const,
      responses: { 200: json(okSchema), ...errorResponses },
    }),
    async (c) => {
      const deps = c.get('deps');
      const p = principalOf(c);
      const header = c.req.header('authorization') ?? '';
      const claims = p.kind === 'user' ? await deps.tokens.verify(header.slice(7)) : undefined;
      if (claims?.sid) {
        c.get('audit').target = { type: 'session', id: claims.sid };
        await deps.es
          .update({ index: deps.indices.sessions, id: claims.sid, doc: { revoked: true } })
          .catch(() => {});
      }
      return c.json({ ok: true as const }, 200);
    },
  );

  register(
    r,
    createRoute({
      method: 'get',
      path: '/me',
      operationId: 'me',
      tags: ['auth'],
      summary: 'Who the caller is: roles, permissions, organisations',
      middleware: [requires('authenticated')] as const,
      responses: {
        200: json(
          z.object({
            kind: z.enum(['user', 'api_key']),
            id: z.string(),
            name: z.string(),
            roles: z.array(z.string()),
            permissions: z.array(z.string()),
            organizations: z.union([z.array(z.string()), z.literal('all')]),
          }),
        ),
        ...errorResponses,
      },
    }),
    (c) => {
      const p = principalOf(c);
      return c.json(
        {
          kind: p.kind,
          id: p.id,
          name: p.name,
          roles: p.roles,
          permissions: [...p.permissions].sort(),
          organizations: p.organizations,
        },
        200,
      );
    },
  );
}
