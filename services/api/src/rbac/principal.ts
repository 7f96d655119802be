import { type Permission, permissionsOf, type Role } from './roles.ts';

/** Who is calling: a user (by access token) or an integration (by API key). */
export interface Principal {
  kind: 'user' | 'api_key';
  id: string;
  name: string;
  roles: Role[];
  permissions: Set<Permission>;
  /** The organisations this principal may see, or 'all'. Server-side only; never from the request. */
  organizations: string[] | 'all';
}

export function userPrincipal(u: {
  id: string;
  email: string;
  roles: Role[];
  organizations: string[];
  all_organizations: boolean;
}): Principal {
  const all = u.roles.includes('admin') || u.all_organizations;
  return {
    kind: 'user',
    id: u.id,
    name: u.email,
    roles: u.roles,
    permissions: permissionsOf(u.roles),
    organizations: all ? 'all' : u.organizations,
  };
}

export function canSeeOrg(p: Principal, orgId: string | undefined): boolean {
  if (p.organizations === 'all') return true;
  return orgId !== undefined && p.organizations.includes(orgId);
}

/**
 * The Elasticsearch filter every query of organisation-owned documents is wrapped in.
 * `field` is where the document keeps its organisation id. A principal with no
 * organisation sees nothing (a terms filter on an empty list matches no document).
 */
export function orgFilter(p: Principal, field: string): object[] {
  if (p.organizations === 'all') return [];
  return [{ terms: { [field]: p.organizations } }];
}
