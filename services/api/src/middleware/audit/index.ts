import { createMiddleware } from 'hono/factory';
import type { AuditInput } from '../../audit/chain.ts';
import type { Env } from '../../http/env.ts';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Records every state-changing request — succeeded, refused or failed — after it ran, with
 * what the handler noted (target, before/after). Read-only routes that are POSTs only for
 * their body size (searches) mark themselves with `audit.skip`.
 * The record is written before the response leaves: a change the audit log cannot hold is
 * reported to the caller as a 503 rather than silently unaudited.
 */
export function auditTrail() {
  return createMiddleware<Env>(async (c, next) => {
    if (READS.has(c.req.method)) return next();
    await next();
    const note = c.get('audit');
    if ((note as { skip?: boolean }).skip) return;
    const p = c.get('principal');
    const status = c.res.status;
    const record: AuditInput = {
      time: c.get('deps').now().toISOString(),
      actor: p ? { kind: p.kind, id: p.id, name: p.name } : (note.actor ?? { kind: 'anonymous', id: '-' }),
      action: `${c.req.method} ${c.req.routePath ?? c.req.path}`,
      method: c.req.method,
      path: c.req.path,
      target: note.target,
      organization_id: note.organization_id,
      status,
      outcome: status < 400 ? 'success' : status === 401 || status === 403 ? 'denied' : 'failure',
      ip: c.get('clientIp'),
      user_agent: c.req.header('user-agent')?.slice(0, 512),
      request_id: c.get('requestId'),
      before: note.before,
      after: note.after,
    };
    try {
      await c.get('deps').audit.append(record);
    } catch (err) {
      c.get('deps').logger.error({ err, action: record.action }, 'audit record not written');
      if (status < 400)
        c.res = new Response(
          JSON.stringify({
            type: 'https://soc.local/problems/unavailable',
            title: 'Dependency unavailable',
            status: 503,
            detail: 'the change was made but could not be audited; retry or contact an administrator',
          }),
          { status: 503, headers: { 'content-type': 'application/problem+json' } },
        );
    }
  });
}
