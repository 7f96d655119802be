import type { JournaldInputConfig } from '../config.ts';

/**
 * journalctl's arguments: every entry as one line of JSON, following, from just after the saved
 * cursor (or, the first time, from `startAt`). `--all` keeps fields over 4 KiB that the JSON
 * output would otherwise print as null; `--quiet` keeps hints off stderr.
 */
export function journalctlArgs(cfg: JournaldInputConfig, cursor: string | undefined): string[] {
  const args = ['--output=json', '--follow', '--all', '--no-pager', '--quiet'];
  if (cfg.directory) args.push(`--directory=${cfg.directory}`);
  if (cursor) args.push(`--after-cursor=${cursor}`, '--lines=all');
  else args.push(cfg.startAt === 'beginning' ? '--lines=all' : '--lines=0');
  for (const u of cfg.units) args.push(`--unit=${u}`);
  for (const t of cfg.identifiers) args.push(`--identifier=${t}`);
  if (cfg.priority !== undefined) args.push(`--priority=${cfg.priority}`);
  return args;
}
