import { add, categorize, type EcsDoc, put } from '../../doc.ts';
import { pam } from './sshd.ts';

/**
 * sudo's log line: `alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id`,
 * optionally preceded by a failure reason (`3 incorrect password attempts ;`,
 * `user NOT in sudoers ;`, `command not allowed ;`).
 */
const LINE = /^\s*(\S+) : (?:([^=;]*?) ; )?((?:[A-Z]+=.*?(?: ; |$))+)/;

export function parseSudo(message: string): EcsDoc | undefined {
  const m = LINE.exec(message);
  if (!m) return pam(message);
  const doc: EcsDoc = {};
  const fields: Record<string, string> = {};
  for (const part of m[3]!.split(' ; ')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const reason = m[2];
  categorize(doc, {
    kind: 'event',
    category: ['process', 'authentication'],
    type: 'info',
    outcome: reason ? 'failure' : 'success',
    action: reason ? 'sudo_denied' : 'sudo_command',
  });
  put(doc, 'user.name', m[1]);
  add(doc, 'related.user', m[1]);
  put(doc, 'user.effective.name', fields.USER);
  put(doc, 'user.target.name', fields.USER);
  add(doc, 'related.user', fields.USER);
  put(doc, 'sudo.user', fields.USER);
  put(doc, 'sudo.tty', fields.TTY);
  put(doc, 'sudo.pwd', fields.PWD);
  put(doc, 'sudo.command', fields.COMMAND);
  put(doc, 'process.working_directory', fields.PWD);
  put(doc, 'event.reason', reason);
  return doc;
}
