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

/**
 * Tokens already verified, by their exact text (signature included, so no other text can hit an
 * entry): a client sends the same token on every request for 15 minutes, and WebCrypto's key
 * import and HMAC per request were ~6 % of the API's CPU under the alert-queue benchmark.
 * Bounded; expiry is checked on every hit.
 */
const VERIFIED_MAX = 10_000;

export class TokenIssuer {
  readonly #verified = new Map<string, AccessClaims>();

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
    const nowS = Math.floor(this.now() / 1000);
    const known = this.#verified.get(token);
    if (known) {
      if (known.exp > nowS) return known;
      this.#verified.delete(token);
      return undefined;
    }
    let claims: AccessClaims;
    try {
      claims = (await verify(token, this.secret, 'HS256')) as unknown as AccessClaims;
    } catch {
      return undefined;
    }
    // hono checks `exp` against the real clock; the cache uses the injected one, so check it here too.
    if (!(claims.exp > nowS)) return undefined;
    if (this.#verified.size >= VERIFIED_MAX) this.#verified.delete(this.#verified.keys().next().value!);
    // Shared by every request bearing this token: frozen, so none can change another's claims.
    this.#verified.set(token, Object.freeze(claims));
    return claims;
  }
}
