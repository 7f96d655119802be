import { sign, verify } from 'hono/jwt';
import type { Role } from '../rbac/roles.ts';

/**
 * Access tokens: short-lived (15 min) HS256 JWTs in `Authorization: Bearer`. They carry the
 * user's roles and organisations so a request needs no user lookup; the price is that a
 * role change or a disabled account takes effect at the next refresh (≤ 15 min), while the
 * refresh token (opaque, hashed in the sessions index, rotated on each use) is revoked at once.
 * Bearer tokens are never sent by a browser on its own, so there is no CSRF to defend against.
 */
export const ACCESS_TTL_S = 15 * 60;
export const REFRESH_TTL_S = 12 * 3600;

export interface AccessClaims {
  sub: string;
  email: string;
  roles: Role[];
  orgs: string[];
  all: boolean;
  sid: string;
  iat: number;
  exp: number;
}

export class TokenIssuer {
  constructor(
    readonly secret: string,
    readonly now: () => number = Date.now,
  ) {}

  async issue(c: Omit<AccessClaims, 'iat' | 'exp'>): Promise<{ token: string; expiresIn: number }> {
    const iat = Math.floor(this.now() / 1000);
    const token = await sign({ ...c, iat, exp: iat + ACCESS_TTL_S }, this.secret, 'HS256');
    return { token, expiresIn: ACCESS_TTL_S };
  }

  /** The claims, or undefined for a bad signature, an expired token or the wrong algorithm. */
  async verify(token: string): Promise<AccessClaims | undefined> {
    try {
      return (await verify(token, this.secret, 'HS256')) as unknown as AccessClaims;
    } catch {
      return undefined;
    }
  }
}
