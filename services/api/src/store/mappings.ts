import {
  ALERT_INDEX_SORT,
  ALERT_MAPPING,
  ALERTS_REFRESH_INTERVAL,
  ASSET_MAPPING,
  ORGANIZATION_MAPPING,
  RULE_STATE_MAPPING,
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

export interface IndexDefinition {
  name: string;
  mappings: object;
  alias?: string;
  /** Index settings beyond shards and replicas; only applied when the index is created. */
  settings?: object;
}

export function indexDefinitions(ix: SocIndices): IndexDefinition[] {
  return [
    // Detection creates it too (same mapping and sort, from @soc/core): whichever starts first.
    {
      name: ix.alertsConcrete,
      mappings: ALERT_MAPPING,
      alias: ix.alerts,
      settings: { sort: ALERT_INDEX_SORT, refresh_interval: ALERTS_REFRESH_INTERVAL },
    },
    { name: ix.organizations, mappings: ORGANIZATION_MAPPING },
    { name: ix.systems, mappings: SYSTEM_MAPPING },
    { name: ix.users, mappings: USER_MAPPING },
    { name: ix.sessions, mappings: SESSION_MAPPING },
    { name: ix.apiKeys, mappings: API_KEY_MAPPING },
    { name: ix.agents, mappings: AGENT_MAPPING },
    { name: ix.enrollmentTokens, mappings: ENROLLMENT_TOKEN_MAPPING },
    { name: ix.rules, mappings: RULE_STATE_MAPPING },
    { name: ix.audit, mappings: AUDIT_MAPPING },
    // Ingest creates it too (same mapping, from @soc/core): whichever starts first.
    { name: ix.assets, mappings: ASSET_MAPPING },
    { name: ix.hunts, mappings: HUNT_MAPPING },
  ];
}
