/**
 * Roles and what they may do. One table, read by the permission middleware of every route
 * and by the authorisation matrix test, so the rules exist in exactly one place.
 *
 * Organisation scope is separate from permissions: a principal sees the organisations it is
 * a member of; `admin` sees all of them; other roles see all only when the user was created
 * with `all_organizations` (provincial SOC staff, the national liaison) — never `responder`,
 * which the brief binds to its own organisation.
 */
export const ROLES = ['admin', 'analyst', 'responder', 'manager', 'assessor', 'national_liaison'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'org:read',
  'org:write',
  'system:read',
  'system:write',
  'assessment:write',
  'agent:read',
  'agent:write',
  'event:read',
  'alert:read',
  'alert:write',
  'rule:read',
  'rule:write',
  'audit:read',
  'user:admin',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ALL = new Set<Permission>(PERMISSIONS);

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  admin: ALL,
  // Layer 2: triage, search, tune rules; sees agents to judge coverage.
  analyst: new Set([
    'org:read',
    'system:read',
    'agent:read',
    'event:read',
    'alert:read',
    'alert:write',
    'rule:read',
    'rule:write',
  ]),
  // Layer 1: works its own organisation's alerts and evidence.
  responder: new Set(['org:read', 'system:read', 'agent:read', 'event:read', 'alert:read', 'alert:write']),
  // Reads state and compliance; keeps the system register (levels, contacts) of its organisation.
  manager: new Set(['org:read', 'system:read', 'system:write', 'agent:read', 'alert:read']),
  // Layer 3: read-only on evidence, plus recording assessments.
  assessor: new Set([
    'org:read',
    'system:read',
    'assessment:write',
    'event:read',
    'alert:read',
    'rule:read',
    'audit:read',
  ]),
  // Layer 4: reads what is to be reported to the national centre (reports come in a later issue).
  national_liaison: new Set(['org:read', 'system:read', 'alert:read']),
};

/** Roles that may be granted every organisation; `responder` is bound to its own. */
export const SPANNING_ROLES: ReadonlySet<Role> = new Set([
  'admin',
  'analyst',
  'manager',
  'assessor',
  'national_liaison',
]);

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r]) out.add(p);
  return out;
}
