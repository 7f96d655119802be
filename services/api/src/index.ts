export { API_BASE, createApi } from './app.ts';
export { type AuditInput, AuditLog, type AuditRecord, verifyChain } from './audit/chain.ts';
export { apiSchema, apiServiceSchema, buildDeps } from './config.ts';
export type { ApiDeps } from './http/env.ts';
export type { RouteInfo } from './http/router.ts';
export { ROLES, type Role } from './rbac/roles.ts';
export { createUser, membershipProblem } from './resources/users/store.ts';
export { ensureIndices } from './store/es.ts';
