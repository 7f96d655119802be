import { add, categorize, type EcsDoc, put } from '../../doc.ts';
import { pam } from './sshd.ts';

/** su: `(to root) alice on pts/0`, `FAILED SU (to root) alice on pts/0`, and PAM lines. */
const SWITCH = /^(FAILED SU |Successful su |)\(to (\S+)\) (\S+) on (\S+)/;
const FAILED_ALT = /^FAILED su for (\S+) by (\S+)/;

export function parseSu(message: string): EcsDoc | undefined {
  const doc: EcsDoc = {};
  let m = SWITCH.exec(message);
  if (m) {
    const failed = m[1] === 'FAILED SU ';
    categorize(doc, {
      kind: 'event',
      category: ['authentication', 'session'],
      type: failed ? 'info' : 'start',
      outcome: failed ? 'failure' : 'success',
      action: 'su',
    });
    put(doc, 'user.name', m[3]);
    put(doc, 'user.target.name', m[2]);
    put(doc, 'user.effective.name', m[2]);
    add(doc, 'related.user', m[3]);
    add(doc, 'related.user', m[2]);
    put(doc, 'process.tty.name', m[4]);
    return doc;
  }
  m = FAILED_ALT.exec(message);
  if (m) {
    categorize(doc, {
      kind: 'event',
      category: 'authentication',
      type: 'info',
      outcome: 'failure',
      action: 'su',
    });
    put(doc, 'user.name', m[2]);
    put(doc, 'user.target.name', m[1]);
    return doc;
  }
  return pam(message);
}
