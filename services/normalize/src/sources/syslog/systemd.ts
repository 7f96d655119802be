import { add, categorize, type EcsDoc, put } from '../../doc.ts';

/** systemd (PID 1 and the user manager) and systemd-logind lines: units and sessions. */
const UNIT = /^(Started|Starting|Stopped|Stopping|Reloaded|Reloading) (.+?)\.?$/;
const FAILED =
  /^(\S+\.(?:service|socket|timer|mount|scope|target)): (?:Failed with result '([^']+)'|Main process exited, code=(\w+), status=(\S+))/;
const LOGIN = /^New session (\S+) of user (\S+)\./;
const LOGOUT = /^(?:Removed session|Session) (\S+?)(?: logged out)?\./;

export function parseSystemd(message: string): EcsDoc | undefined {
  const doc: EcsDoc = {};
  let m = LOGIN.exec(message);
  if (m) {
    categorize(doc, {
      kind: 'event',
      category: 'session',
      type: 'start',
      action: 'logged-in',
      outcome: 'success',
    });
    put(doc, 'user.name', m[2]);
    add(doc, 'related.user', m[2]);
    put(doc, 'systemd.session', m[1]);
    return doc;
  }
  m = LOGOUT.exec(message);
  if (m) {
    categorize(doc, { kind: 'event', category: 'session', type: 'end', action: 'logged-out' });
    put(doc, 'systemd.session', m[1]);
    return doc;
  }
  m = FAILED.exec(message);
  if (m) {
    categorize(doc, {
      kind: 'event',
      category: 'host',
      type: 'info',
      outcome: 'failure',
      action: 'unit-failed',
    });
    put(doc, 'systemd.unit', m[1]);
    put(doc, 'event.reason', m[2] ?? `${m[3]} status=${m[4]}`);
    return doc;
  }
  m = UNIT.exec(message);
  if (m) {
    const verb = m[1]!.toLowerCase();
    const type = verb.startsWith('start') ? 'start' : verb.startsWith('stop') ? 'end' : 'change';
    categorize(doc, { kind: 'event', category: 'host', type, action: `unit-${verb}` });
    // `Started nginx.service - A high performance web server.` names the unit first.
    const unit = /^(\S+\.(?:service|socket|timer|mount|scope|target|slice))/.exec(m[2]!);
    put(doc, 'systemd.unit', unit?.[1]);
    put(doc, 'systemd.description', m[2]);
    return doc;
  }
  return undefined;
}
