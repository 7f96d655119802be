import { type Alert, withSeverityRank } from '@soc/core';
import type { ApiDeps } from '../../http/env.ts';
import { ApiProblem } from '../../http/problem.ts';
import { canSeeOrg, type Principal } from '../../rbac/principal.ts';
import { getVersioned, isConflict } from '../../store/es.ts';

export type AlertAction =
  | { action: 'acknowledge' }
  | { action: 'close'; reason: NonNullable<Alert['close_reason']>; comment?: string | undefined }
  | { action: 'reopen' }
  | { action: 'assign'; assignee: { id: string; name?: string } | null };

/** The workflow fields an action sets, or the reason it does not apply to the alert's state. */
export function applyAction(a: Alert, act: AlertAction, now: string): Partial<Alert> | string {
  switch (act.action) {
    case 'acknowledge':
      if (a.status === 'closed') return 'a closed alert cannot be acknowledged; reopen it first';
      return { status: 'acknowledged', updated_at: now };
    case 'close':
      return {
        status: 'closed',
        close_reason: act.reason,
        ...(act.comment ? { close_comment: act.comment } : {}),
        updated_at: now,
      };
    case 'reopen':
      if (a.status !== 'closed') return 'only a closed alert can be reopened';
      return { status: 'open', close_reason: undefined, close_comment: undefined, updated_at: now };
    case 'assign':
      return { assignee: act.assignee, updated_at: now };
  }
}

export type ActionResult =
  | { ok: true; before: Alert; after: Alert }
  | { ok: false; code: 'not_found' | 'invalid_state' | 'conflict'; detail: string };

/**
 * Changes an alert's workflow fields only, with optimistic concurrency: detection may be
 * folding new events into the same alert; on a conflict the alert is read again and the
 * action re-applied (a few times), so neither writer loses the other's change.
 */
export async function changeAlert(
  deps: ApiDeps,
  p: Principal,
  id: string,
  act: AlertAction,
): Promise<ActionResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await getVersioned<Alert>(deps.es, deps.indices.alerts, id);
    if (!found || !canSeeOrg(p, found.doc.organization?.id))
      return { ok: false, code: 'not_found', detail: 'alert not found' };
    const change = applyAction(found.doc, act, deps.now().toISOString());
    if (typeof change === 'string') return { ok: false, code: 'invalid_state', detail: change };
    // The rank too: an alert written before `severity_rank` existed gets it on its first change.
    const after = JSON.parse(JSON.stringify(withSeverityRank({ ...found.doc, ...change }))) as Alert;
    try {
      await deps.es.index({
        index: deps.indices.alerts,
        id,
        document: after,
        if_seq_no: found.seqNo,
        if_primary_term: found.primaryTerm,
      });
      return { ok: true, before: found.doc, after };
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
  return { ok: false, code: 'conflict', detail: 'the alert kept changing; retry' };
}

export function throwFor(r: Extract<ActionResult, { ok: false }>): never {
  if (r.code === 'not_found') throw new ApiProblem('not-found', r.detail);
  throw new ApiProblem('conflict', r.detail);
}

/** The workflow part of an alert, for audit before/after (the event copy is not repeated). */
export const workflowOf = (a: Alert) => ({
  status: a.status,
  close_reason: a.close_reason,
  close_comment: a.close_comment,
  assignee: a.assignee,
});
