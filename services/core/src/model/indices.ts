/**
 * Elasticsearch index names of the product's own documents (not the events, which ingest
 * owns). One prefix for all of them, so tests and side-by-side installs use their own set
 * (`SOC_API__INDEX_PREFIX`); every service that reads or writes one of them names it
 * through this function, never by a literal.
 *
 * | name              | holds                                                          | written by          |
 * |-------------------|----------------------------------------------------------------|---------------------|
 * | `alerts`          | alias over `<prefix>-alerts-v1`: one document per alert        | detection; API updates status |
 * | `organizations`   | agencies (cơ quan, đơn vị)                                     | API                 |
 * | `systems`         | information systems (HTTT), security level, assets, layers 1/3/4 | API               |
 * | `users`           | local users, roles, memberships, lockout state                 | API, `soc admin`    |
 * | `sessions`        | refresh tokens (hashed)                                        | API                 |
 * | `apiKeys`         | API keys (hashed), scopes, revocation                          | API                 |
 * | `agents`          | enrolled agents, last heartbeat                                | API                 |
 * | `enrollmentTokens`| agent enrollment tokens (hashed), uses left                    | API                 |
 * | `rules`           | rule state: Sigma source, enabled, exceptions                  | API; read by detection |
 * | `audit`           | the append-only, hash-chained audit log                        | API                 |
 * | `assets`          | the asset registry ingest enriches events from (one per system) | API (from systems); read by ingest, detection |
 * | `hunts`           | retro-hunt jobs: range, scope, state, progress                 | API                 |
 */
export interface SocIndices {
  prefix: string;
  alerts: string;
  alertsConcrete: string;
  organizations: string;
  systems: string;
  users: string;
  sessions: string;
  apiKeys: string;
  agents: string;
  enrollmentTokens: string;
  rules: string;
  audit: string;
  /** Same name as ingest's `names(prefix).assets`: both services must share the prefix. */
  assets: string;
  hunts: string;
}

export const DEFAULT_INDEX_PREFIX = 'soc';

/** The alias over the event indices ingest (issue 5) writes; read-only to the API. */
export const DEFAULT_EVENTS_INDEX = 'soc-events';

export function socIndices(prefix = DEFAULT_INDEX_PREFIX): SocIndices {
  return {
    prefix,
    alerts: `${prefix}-alerts`,
    alertsConcrete: `${prefix}-alerts-v1`,
    organizations: `${prefix}-organizations`,
    systems: `${prefix}-systems`,
    users: `${prefix}-users`,
    sessions: `${prefix}-sessions`,
    apiKeys: `${prefix}-api-keys`,
    agents: `${prefix}-agents`,
    enrollmentTokens: `${prefix}-enrollment-tokens`,
    rules: `${prefix}-rules`,
    audit: `${prefix}-audit`,
    assets: `${prefix}-assets`,
    hunts: `${prefix}-hunts`,
  };
}
