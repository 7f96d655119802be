import { z } from '@hono/zod-openapi';
import { MIN_PASSWORD_LENGTH } from '../../auth/passwords.ts';
import { ROLES, type Role } from '../../rbac/roles.ts';

/** A user as stored (`users` index, `_id` = id). Never returned as is: see `publicUser`. */
export interface UserDoc {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  roles: Role[];
  organizations: string[];
  all_organizations: boolean;
  disabled: boolean;
  failed_logins: number;
  locked_until?: string;
  last_login_at?: string;
  created_at: string;
  updated_at: string;
}

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    roles: z.array(z.enum(ROLES)),
    organizations: z.array(z.string()),
    all_organizations: z.boolean(),
    disabled: z.boolean(),
    locked_until: z.string().optional(),
    last_login_at: z.string().optional(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('User');

export function publicUser(u: UserDoc): z.infer<typeof userSchema> {
  const { password_hash: _h, failed_logins: _f, ...rest } = u;
  return rest;
}

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1024);

export const emailSchema = z
  .string()
  .max(254)
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.email());

/** A user id from an email: stable, so the same account cannot be created twice. */
export const userIdOf = (email: string) => email.toLowerCase();
