import type { ApiDeps } from '../http/env.ts';
import { notFound } from '../http/problem.ts';
import { canSeeOrg, type Principal } from '../rbac/principal.ts';
import { getVersioned, type Versioned } from './es.ts';

/**
 * Reads one organisation-owned document for a principal. A document of an organisation the
 * principal cannot see answers exactly like a missing one (404), so ids of other
 * organisations' data cannot be probed.
 */
export async function loadScoped<T>(
  deps: ApiDeps,
  p: Principal,
  index: string,
  id: string,
  what: string,
  orgOf: (doc: T) => string | undefined,
): Promise<Versioned<T>> {
  const found = await getVersioned<T>(deps.es, index, id);
  if (!found || !canSeeOrg(p, orgOf(found.doc))) throw notFound(what);
  return found;
}

/** Checks a client-named organisation against the principal's scope, then that it exists. */
export async function requireOrgInScope(
  deps: ApiDeps,
  p: Principal,
  orgId: string,
): Promise<{ id: string; name: string }> {
  if (!canSeeOrg(p, orgId)) throw notFound('organisation');
  const org = await getVersioned<{ id: string; name: string }>(deps.es, deps.indices.organizations, orgId);
  if (!org) throw notFound('organisation');
  return { id: org.doc.id, name: org.doc.name };
}
