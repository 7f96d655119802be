import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Test support: real journal files, written by systemd-journal-remote (Debian package
 * `systemd-journal-remote`) from journal export format, read back with `journalctl --directory`.
 */
const CANDIDATES = ['/lib/systemd/systemd-journal-remote', '/usr/lib/systemd/systemd-journal-remote'];
export const journalRemote = CANDIDATES.find((p) => existsSync(p));
export const journalctlOnPath = spawnSync('journalctl', ['--version']).status === 0;
export const journalSkipReason = !journalctlOnPath
  ? 'needs journalctl (Debian package systemd)'
  : !journalRemote
    ? 'needs systemd-journal-remote to write journal files (apt-get install systemd-journal-remote)'
    : '';

export interface ExportEntry {
  message: string | Buffer;
  identifier?: string;
  unit?: string;
  priority?: number;
  pid?: number;
  extra?: Record<string, string>;
}

const BOOT = '0123456789abcdef0123456789abcdef';
let monotonic = 1;

/** One field of the export format: `KEY=value`, or the binary form for values with newlines or bytes that are not UTF-8. */
function field(key: string, value: string | Buffer): Buffer {
  const text = typeof value === 'string' ? value : undefined;
  if (text !== undefined && !text.includes('\n')) return Buffer.from(`${key}=${text}\n`);
  const data = typeof value === 'string' ? Buffer.from(value) : value;
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(data.length));
  return Buffer.concat([Buffer.from(`${key}\n`), size, data, Buffer.from('\n')]);
}

export function exportFormat(entries: ExportEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const now = BigInt(Date.now()) * 1000n;
    parts.push(
      field('__REALTIME_TIMESTAMP', String(now)),
      field('__MONOTONIC_TIMESTAMP', String(monotonic++)),
      field('_BOOT_ID', BOOT),
      field('_HOSTNAME', 'journal-host'),
      field('_TRANSPORT', 'syslog'),
      field('PRIORITY', String(e.priority ?? 6)),
      field('SYSLOG_IDENTIFIER', e.identifier ?? 'test'),
      field('_PID', String(e.pid ?? 4242)),
      field('MESSAGE', e.message),
    );
    if (e.unit) parts.push(field('_SYSTEMD_UNIT', e.unit));
    for (const [k, v] of Object.entries(e.extra ?? {})) parts.push(field(k, v));
    parts.push(Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** Appends entries to `<dir>/remote.journal` (created on first use). */
export function appendJournal(dir: string, entries: ExportEntry[]): void {
  if (!journalRemote) throw new Error(journalSkipReason);
  const r = spawnSync(journalRemote, ['-o', join(dir, 'remote.journal'), '-'], {
    input: exportFormat(entries),
  });
  if (r.status !== 0) throw new Error(`systemd-journal-remote failed: ${r.stderr.toString()}`);
}
