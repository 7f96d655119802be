import {
  ASSET_MAPPING,
  alertIndexDefinitions,
  type IndexDefinition,
  indexDefinition,
  ORGANIZATION_MAPPING,
  type SocIndices,
  SYSTEM_MAPPING,
} from '@soc/core';

const kw = { type: 'keyword' } as const;
const date = { type: 'date' } as const;
const bool = { type: 'boolean' } as const;
const opaque = { type: 'object', enabled: false } as const;

/**
 * The API's private indices. Users, sessions, keys and tokens are small; they are indexed
 * for exact lookups only. Secrets are stored as SHA-256 (`hash`, not indexed) or scrypt
 * (`password_hash`), never in clear.
 */
export const USER_MAPPING = {
  dynamic: 'strict',
  properties: {
    id: kw,
    email: kw,
    name: { type: 'text', fields: { raw: kw } },
    password_hash: { type: 'keyword', index: false },
    roles: kw,
    organizations: kw,
    all_organizations: bool,
    disabled: bool,
    failed_logins: { type: 'integer' },
    locked_until: date,
    last_login_at: date,
    created_at: date,
    updated_at: date,
  },
} as const;

export const SESSION_MAPPING = {
  dynamic: 'strict',
  properties: {
    id: kw,
    user_id: kw,
    hash: { type: 'keyword', index: false },
    created_at: date,
    expires_at: date,
    revoked: bool,
    ip: kw,
  },
} as const;

export const API_KEY_MAPPING = {
  dynamic: 'strict',
  properties: {
    id: kw,
    name: kw,
    hash: { type: 'keyword', index: false },
    permissions: kw,
    organizations: kw,
    all_organizations: bool,
    created_by: kw,
    created_at: date,
    expires_at: date,
    revoked_at: date,
  },
} as const;

export const AGENT_MAPPING = {
  dynamic: 'strict',
  properties: {
    id: kw,
    hostname: kw,
    organization: { properties: { id: kw, name: kw } },
    system_id: kw,
    version: kw,
    os: kw,
    enrolled_at: date,
    enrolled_with: kw,
    nats_user: kw,
    revoked_at: date,
    last_seen: date,
    last_heartbeat: opaque,
  },
} as const;

export const ENROLLMENT_TOKEN_MAPPING = {
  dynamic: 'strict',
  properties: {
    id: kw,
    hash: { type: 'keyword', index: false },
    organization: { properties: { id: kw, name: kw } },
    system_id: kw,
    uses_left: { type: 'integer' },
    expires_at: date,
    created_by: kw,
    created_at: date,
    revoked_at: date,
  },
} as const;

/** Audit records: `_id` is the sequence number, written with op_type create (append only). */
export const AUDIT_MAPPING = {
  dynamic: 'strict',
  properties: {
    seq: { type: 'long' },
    time: date,
    actor: { properties: { kind: kw, id: kw, name: kw } },
    action: kw,
    method: kw,
    path: kw,
    target: { properties: { type: kw, id: kw } },
    organization_id: kw,
    status: { type: 'short' },
    outcome: kw,
    ip: kw,
    user_agent: { type: 'keyword', ignore_above: 512 },
    request_id: kw,
    before: opaque,
    after: opaque,
    prev_hash: kw,
    hash: kw,
  },
} as const;

/** Retro-hunt jobs (`resources/hunts`): small documents, rewritten after every page of a hunt. */
export const HUNT_MAPPING = {
  dynamic: 'strict',
  properties: {
    id: kw,
    rule: { properties: { id: kw, title: kw, version: { type: 'integer' } } },
    from: date,
    to: date,
    scope: { properties: { all: bool, organizations: kw, count: { type: 'integer' } } },
    state: kw,
    progress: opaque,
    error: { type: 'keyword', index: false },
    attempts: { type: 'short' },
    created_by: { properties: { kind: kw, id: kw, name: kw } },
    created_at: date,
    started_at: date,
    finished_at: date,
    updated_at: date,
    runner: { properties: { instance: kw, heartbeat_at: date } },
  },
} as const;

/** Every index the API may create: its own, and those it shares (created by whichever service starts first). */
export function indexDefinitions(ix: SocIndices): IndexDefinition[] {
  return [
    // alerts and rules: detection's too
    ...alertIndexDefinitions(ix),
    indexDefinition(ix.organizations, ORGANIZATION_MAPPING),
    indexDefinition(ix.systems, SYSTEM_MAPPING),
    indexDefinition(ix.users, USER_MAPPING),
    indexDefinition(ix.sessions, SESSION_MAPPING),
    indexDefinition(ix.apiKeys, API_KEY_MAPPING),
    indexDefinition(ix.agents, AGENT_MAPPING),
    indexDefinition(ix.enrollmentTokens, ENROLLMENT_TOKEN_MAPPING),
    indexDefinition(ix.audit, AUDIT_MAPPING),
    // ingest's too
    indexDefinition(ix.assets, ASSET_MAPPING),
    indexDefinition(ix.hunts, HUNT_MAPPING),
  ];
}
