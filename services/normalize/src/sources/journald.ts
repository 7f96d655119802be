import { type EcsDoc, int, put, str } from '../doc.ts';
import { iso } from '../time.ts';
import { ParseError, type Parser } from '../types.ts';
import { FACILITIES, SEVERITIES } from './syslog/header.ts';
import { programFields, programName } from './syslog/index.ts';

/**
 * Journal entries from the endpoint agent's journald input: the fields of `journalctl -o json`
 * as they are (`MESSAGE`, `PRIORITY`, `_PID`, `_SYSTEMD_UNIT`, `__REALTIME_TIMESTAMP`
 * in microseconds…; a field with several values is a list, bytes were made text by the agent).
 * The message goes through the same program parsers as syslog (sshd, sudo, systemd…), so a
 * failed SSH login is the same ECS event whether it came from auth.log or the journal.
 */

/** Fields mapped to ECS below, or journald's own bookkeeping: not repeated under `journald.custom`. */
const KNOWN = new Set([
  'MESSAGE',
  'MESSAGE_ID',
  'PRIORITY',
  'SYSLOG_FACILITY',
  'SYSLOG_IDENTIFIER',
  'SYSLOG_PID',
  'SYSLOG_TIMESTAMP',
  'SYSLOG_RAW',
  'CODE_FILE',
  'CODE_LINE',
  'CODE_FUNC',
]);
/** User-defined fields kept, at most (a hostile program can log hundreds). */
const MAX_CUSTOM = 50;
/** syslog facilities whose messages are authentication records: auth and authpriv. */
const AUTH_FACILITIES = new Set([4, 10]);

/** A field's value as text: the first of several values. */
function first(v: unknown): string | undefined {
  return str(Array.isArray(v) ? v[0] : v);
}

/** Journal times are microseconds since the epoch, as a decimal string. */
function micros(v: unknown): string | undefined {
  const s = first(v);
  if (!s || !/^\d{1,19}$/.test(s)) return undefined;
  const ms = Number(BigInt(s) / 1000n);
  return ms > 0 ? iso(ms) : undefined;
}

export const journaldParser: Parser = {
  id: 'journald',
  sniff: ({ event }) => typeof event?.__CURSOR === 'string' && event.__REALTIME_TIMESTAMP !== undefined,
  parse({ event }) {
    if (!event) throw new ParseError('journal entries are shipped as JSON');
    const f = (k: string) => first(event[k]);
    const doc: EcsDoc = {};
    // The time the program gave, when it did; else when journald received the entry.
    put(doc, '@timestamp', micros(event._SOURCE_REALTIME_TIMESTAMP) ?? micros(event.__REALTIME_TIMESTAMP));
    const message = f('MESSAGE') ?? '';
    put(doc, 'message', message);
    const severity = int(f('PRIORITY'));
    const facility = int(f('SYSLOG_FACILITY'));
    if (severity !== undefined && severity >= 0 && severity <= 7) {
      put(doc, 'log.syslog.severity.code', severity);
      put(doc, 'log.syslog.severity.name', SEVERITIES[severity]);
      put(doc, 'log.level', SEVERITIES[severity]);
    }
    if (facility !== undefined && facility >= 0 && facility < FACILITIES.length) {
      put(doc, 'log.syslog.facility.code', facility);
      put(doc, 'log.syslog.facility.name', FACILITIES[facility]);
      if (severity !== undefined) put(doc, 'log.syslog.priority', facility * 8 + severity);
    }
    const identifier = f('SYSLOG_IDENTIFIER');
    put(doc, 'log.syslog.appname', identifier);
    put(doc, 'log.syslog.msgid', f('MESSAGE_ID'));
    const program = programName(identifier ?? f('_COMM'));
    put(doc, 'process.name', program);
    put(doc, 'process.pid', int(f('SYSLOG_PID') ?? f('_PID')));
    put(doc, 'process.executable', f('_EXE'));
    put(doc, 'process.command_line', f('_CMDLINE'));
    put(doc, 'user.id', f('_UID'));
    put(doc, 'group.id', f('_GID'));
    const host = f('_HOSTNAME');
    put(doc, 'host.hostname', host);
    put(doc, 'host.name', host);
    put(doc, 'host.id', f('_MACHINE_ID'));
    put(doc, 'host.boot.id', f('_BOOT_ID'));
    put(doc, 'systemd.unit', f('_SYSTEMD_UNIT'));
    put(doc, 'systemd.user_unit', f('_SYSTEMD_USER_UNIT'));
    put(doc, 'systemd.slice', f('_SYSTEMD_SLICE'));
    put(doc, 'systemd.cgroup', f('_SYSTEMD_CGROUP'));
    put(doc, 'systemd.invocation_id', f('_SYSTEMD_INVOCATION_ID'));
    put(doc, 'systemd.transport', f('_TRANSPORT'));
    put(doc, 'log.origin.file.name', f('CODE_FILE'));
    put(doc, 'log.origin.file.line', int(f('CODE_LINE')));
    put(doc, 'log.origin.function', f('CODE_FUNC'));
    let custom = 0;
    for (const [k, v] of Object.entries(event)) {
      if (k.startsWith('_') || KNOWN.has(k) || custom >= MAX_CUSTOM) continue;
      const values = (Array.isArray(v) ? v : [v]).map(str).filter((x): x is string => !!x);
      if (!values.length) continue;
      put(doc, `journald.custom.${k.toLowerCase()}`, values.length === 1 ? values[0] : values);
      custom++;
    }
    put(doc, 'event.kind', 'event');
    put(doc, 'event.module', 'system');
    // journald exists on Linux only.
    put(doc, 'host.os.type', 'linux');
    return programFields(doc, program, message, facility !== undefined && AUTH_FACILITIES.has(facility));
  },
};
