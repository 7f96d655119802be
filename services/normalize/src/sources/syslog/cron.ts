import { add, categorize, type EcsDoc, put } from '../../doc.ts';
import { pam } from './sshd.ts';

/** cron/crond: `(root) CMD (command)`, crontab edits (`(alice) REPLACE (alice)`), PAM sessions. */
const CMD = /^\((\S+)\) CMD \(([\s\S]*)\)\s*$/;
const CRONTAB = /^\((\S+)\) (REPLACE|BEGIN EDIT|END EDIT|DELETE|LIST|RELOAD) \(([^)]*)\)/;

export function parseCron(message: string): EcsDoc | undefined {
  const doc: EcsDoc = {};
  let m = CMD.exec(message);
  if (m) {
    // A command cron runs: the process event of the job (cron's own process.name stays).
    categorize(doc, { kind: 'event', category: 'process', type: 'info', action: 'cron-command' });
    put(doc, 'user.name', m[1]);
    add(doc, 'related.user', m[1]);
    put(doc, 'cron.command', m[2]);
    return doc;
  }
  m = CRONTAB.exec(message);
  if (m) {
    categorize(doc, {
      kind: 'event',
      category: 'configuration',
      type: m[2] === 'REPLACE' || m[2] === 'DELETE' ? 'change' : 'info',
      action: `crontab-${m[2]!.toLowerCase().replace(' ', '-')}`,
    });
    put(doc, 'user.name', m[1]);
    put(doc, 'user.target.name', m[3]);
    return doc;
  }
  return pam(message);
}
