import { add, type EcsDoc, merge, put } from '../../doc.ts';
import { canonicalIp } from '../../ip.ts';
import { ParseError, type ParseInput, type Parser } from '../../types.ts';
import { parseCefBody } from '../cef.ts';
import { parseLeefBody } from '../leef.ts';
import { parseCron } from './cron.ts';
import { headerFields, looksLikeSyslog, parseSyslogHeader } from './header.ts';
import { looksLikeNetfilter, parseNetfilter } from './netfilter.ts';
import { pam, parseSshd } from './sshd.ts';
import { parseSu } from './su.ts';
import { parseSudo } from './sudo.ts';
import { parseSystemd } from './systemd.ts';

type ProgramParser = (message: string) => EcsDoc | undefined;

/** Program parsers by syslog tag; the auth ones go to `system.auth` as Filebeat files them. */
const PROGRAMS: Record<string, { parse: ProgramParser; auth: boolean }> = {
  sshd: { parse: parseSshd, auth: true },
  'sshd-session': { parse: parseSshd, auth: true },
  sudo: { parse: parseSudo, auth: true },
  su: { parse: parseSu, auth: true },
  login: { parse: pam, auth: true },
  'systemd-logind': { parse: parseSystemd, auth: true },
  systemd: { parse: parseSystemd, auth: false },
  cron: { parse: parseCron, auth: false },
  CRON: { parse: parseCron, auth: false },
  crond: { parse: parseCron, auth: false },
  kernel: { parse: (m) => (looksLikeNetfilter(m) ? parseNetfilter(m) : undefined), auth: false },
};
/** Programs that only run on Linux: their events say `host.os.type: linux` for Sigma's linux rules. */
const LINUX = new Set([
  ...Object.keys(PROGRAMS),
  'useradd',
  'userdel',
  'groupadd',
  'usermod',
  'passwd',
  'chpasswd',
  'auditd',
  'polkitd',
]);

export function programName(app: string | undefined): string | undefined {
  // `systemd[1]`, `CRON`, `/usr/sbin/cron`: the base name decides.
  return app?.slice(app.lastIndexOf('/') + 1);
}

export function parseSyslog(input: ParseInput): EcsDoc {
  const line = input.line ?? '';
  const h = parseSyslogHeader(line, input);
  const doc = headerFields(h);
  const hostIp = canonicalIp(h.hostname);
  if (hostIp) {
    put(doc, 'host.ip', [hostIp]);
    add(doc, 'related.ip', hostIp);
  }
  put(doc, 'event.kind', 'event');
  put(doc, 'event.module', 'system');
  const program = programName(h.app);
  const path = input.msg.source?.path ?? '';
  const authFile = /\/(auth\.log|secure)(\.\d+)?$/.test(path);
  // CEF/LEEF carried in a syslog message: the header is the transport, the body the event.
  if (/^CEF:\d+\|/.test(h.message) || h.message.includes('CEF:0|')) {
    return merge(doc, parseCefBody(h.message, input));
  }
  if (/^LEEF:[12]\.\d\|/.test(h.message)) return merge(doc, parseLeefBody(h.message, input));
  return programFields(doc, program, h.message, authFile);
}

/**
 * What the program's own message says (sshd, sudo, systemd…), its dataset (`system.auth` or
 * `system.syslog`, as Filebeat files them) and, for Linux-only programs, the OS: the same for
 * a syslog line and for a journal entry (sources/journald.ts).
 */
export function programFields(
  doc: EcsDoc,
  program: string | undefined,
  message: string,
  auth: boolean,
): EcsDoc {
  const known = program ? PROGRAMS[program] : undefined;
  if (program && LINUX.has(program)) put(doc, 'host.os.type', 'linux');
  put(doc, 'event.dataset', known?.auth || auth ? 'system.auth' : 'system.syslog');
  if (known) {
    let fields: EcsDoc | undefined;
    try {
      fields = known.parse(message);
    } catch (err) {
      throw new ParseError(`${program}: ${(err as Error).message}`, doc);
    }
    if (fields) merge(doc, fields);
  }
  return doc;
}

export const syslogParser: Parser = {
  id: 'syslog',
  sniff: (input) => input.line !== undefined && looksLikeSyslog(input.line),
  parse(input) {
    if (input.line === undefined) throw new ParseError('syslog needs a text line');
    return parseSyslog(input);
  },
};
