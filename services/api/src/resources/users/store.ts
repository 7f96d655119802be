import { hashPassword } from '../../auth/passwords.ts';
import type { Role } from '../../rbac/roles.ts';
import { SPANNING_ROLES } from '../../rbac/roles.ts';
import type { Client } from '../../store/es.ts';
import type { UserDoc } from './model.ts';
import { userIdOf } from './model.ts';

export interface NewUser {
  email: string;
  name: string;
  password: string;
  roles: Role[];
  organizations: string[];
  all_organizations: boolean;
}

/** Why a role/organisation combination is refused, or undefined when it is valid. */
export function membershipProblem(u: { roles: Role[]; organizations: string[]; all_organizations: boolean }) {
  if (u.all_organizations && u.roles.some((r) => !SPANNING_ROLES.has(r)))
    return 'a responder is bound to its organisations: all_organizations is not allowed';
  if (!u.all_organizations && !u.roles.includes('admin') && u.organizations.length === 0)
    return 'a user needs at least one organisation (or all_organizations)';
  return undefined;
}

/** Creates a user; false when the email is taken (create is atomic on `_id`). Used by the API and `soc admin create`. */
export async function createUser(es: Client, index: string, u: NewUser, now: Date): Promise<UserDoc | false> {
  const t = now.toISOString();
  const doc: UserDoc = {
    id: userIdOf(u.email),
    email: u.email,
    name: u.name,
    password_hash: await hashPassword(u.password),
    roles: u.roles,
    organizations: u.organizations,
    all_organizations: u.all_organizations,
    disabled: false,
    failed_logins: 0,
    created_at: t,
    updated_at: t,
  };
  try {
    await es.create({ index, id: doc.id, document: doc, refresh: 'wait_for' });
    return doc;
  } catch (err) {
    if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 409) return false;
    throw err;
  }
}
