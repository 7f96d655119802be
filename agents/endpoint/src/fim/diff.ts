import type { FileState } from './state.ts';

export type FimAction = 'created' | 'modified' | 'deleted' | 'permissions';

/**
 * What changed between the baseline and now, or nothing. Content first: a file whose bytes and
 * permissions both changed is `modified` (its `previous` shows the old permissions too). With no
 * hash on either side (a file over maxHashBytes) size and mtime stand in for the content. A
 * changed mtime alone (`touch`) is no change of content and not reported.
 */
export function classify(before: FileState | undefined, now: FileState | undefined): FimAction | undefined {
  if (!before && !now) return undefined;
  if (!before) return 'created';
  if (!now) return 'deleted';
  const hashed = before.sha256 !== undefined && now.sha256 !== undefined;
  const content = hashed
    ? before.sha256 !== now.sha256 || before.size !== now.size
    : before.size !== now.size || before.mtimeMs !== now.mtimeMs || before.ino !== now.ino;
  if (content) return 'modified';
  if (before.mode !== now.mode || before.uid !== now.uid || before.gid !== now.gid) return 'permissions';
  return undefined;
}

/** The fields the normaliser reads from a FIM event and from its `previous`. */
function fields(s: FileState): Record<string, unknown> {
  const f: Record<string, unknown> = {};
  if (s.sha256) f.hash = { sha256: s.sha256 };
  f.size = s.size;
  f.mode = s.mode;
  f.uid = s.uid;
  f.gid = s.gid;
  if (s.owner !== undefined) f.owner = s.owner;
  if (s.group !== undefined) f.group = s.group;
  f.mtime = s.mtime;
  return f;
}

/**
 * The `{ type: 'fim' }` event of services/normalize/src/sources/endpoint.ts: the file as it is
 * now at the top level (nothing, once deleted), as it was in `previous`.
 */
export function fimEvent(
  action: FimAction,
  path: string,
  before: FileState | undefined,
  now: FileState | undefined,
  os: string,
  time: Date,
): Record<string, unknown> {
  const e: Record<string, unknown> = { type: 'fim', action, path, os, time: time.toISOString() };
  if (now) Object.assign(e, fields(now));
  if (before) e.previous = fields(before);
  return e;
}
