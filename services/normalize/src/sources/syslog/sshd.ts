import { add, categorize, type EcsDoc, int, put } from '../../doc.ts';
import { canonicalIp } from '../../ip.ts';

/**
 * OpenSSH server lines (auth.log / secure): logins accepted and failed by method, invalid
 * users, disconnects and PAM sessions. Filebeat's system.auth vocabulary: event.action
 * `ssh_login`, `system.auth.ssh.method`.
 */
const LOGIN =
  /^(Accepted|Failed|Postponed) (password|publickey|keyboard-interactive\/pam|keyboard-interactive|hostbased|none|gssapi-with-mic) for (invalid user )?(\S*) from (\S+) port (\d+)(?: (ssh2))?(?:: (\S+) (\S+))?/;
const INVALID = /^Invalid user (\S*) from (\S+)(?: port (\d+))?/;
const DISCONNECT =
  /^(?:Connection closed|Disconnected|Received disconnect) (?:by|from) (?:(authenticating|invalid) user (\S*) |user (\S+) )?(\S+) port (\d+)/;
const MAX_ATTEMPTS =
  /^error: maximum authentication attempts exceeded for (invalid user )?(\S+) from (\S+) port (\d+)/;
const PAM_SESSION =
  /^pam_unix\((sshd|su|sudo|su-l|login|cron|systemd-user):session\): session (opened|closed) for user ([^\s(]+)(?:\(uid=\d+\))?(?: by ([^\s(]*)(?:\(uid=\d+\))?)?/;
const PAM_AUTH_FAIL = /^pam_unix\((\S+):auth\): authentication failure;(.*)$/;

function sourceAddr(doc: EcsDoc, address: string | undefined, port?: string): void {
  const ip = canonicalIp(address);
  if (ip) {
    put(doc, 'source.ip', ip);
    add(doc, 'related.ip', ip);
  } else put(doc, 'source.domain', address);
  put(doc, 'source.port', int(port));
}

export function parseSshd(message: string): EcsDoc | undefined {
  const doc: EcsDoc = {};
  let m = LOGIN.exec(message);
  if (m) {
    const [, result, method, invalid, user, addr, port, , keyType, fingerprint] = m;
    const ok = result === 'Accepted';
    categorize(doc, {
      kind: 'event',
      category: 'authentication',
      type: ok ? ['start', 'info'] : 'info',
      outcome: ok ? 'success' : result === 'Failed' ? 'failure' : 'unknown',
      action: 'ssh_login',
    });
    put(doc, 'user.name', user);
    add(doc, 'related.user', user);
    sourceAddr(doc, addr, port);
    put(doc, 'system.auth.ssh.method', method);
    put(doc, 'system.auth.ssh.event', result);
    put(doc, 'system.auth.ssh.signature', keyType && fingerprint ? `${keyType} ${fingerprint}` : undefined);
    if (invalid) add(doc, 'tags', 'invalid_user');
    return doc;
  }
  m = INVALID.exec(message);
  if (m) {
    categorize(doc, {
      kind: 'event',
      category: 'authentication',
      type: 'info',
      outcome: 'failure',
      action: 'invalid_user',
    });
    put(doc, 'user.name', m[1]);
    add(doc, 'related.user', m[1]);
    sourceAddr(doc, m[2], m[3]);
    add(doc, 'tags', 'invalid_user');
    return doc;
  }
  m = MAX_ATTEMPTS.exec(message);
  if (m) {
    categorize(doc, {
      kind: 'event',
      category: 'authentication',
      type: 'info',
      outcome: 'failure',
      action: 'max_auth_attempts_exceeded',
    });
    put(doc, 'user.name', m[2]);
    sourceAddr(doc, m[3], m[4]);
    if (m[1]) add(doc, 'tags', 'invalid_user');
    return doc;
  }
  m = DISCONNECT.exec(message);
  if (m) {
    categorize(doc, {
      kind: 'event',
      category: ['network', 'session'],
      type: 'end',
      action: 'ssh_disconnect',
    });
    put(doc, 'user.name', m[2] ?? m[3]);
    sourceAddr(doc, m[4], m[5]);
    if (/\[preauth\]/.test(message)) add(doc, 'tags', 'preauth');
    return doc;
  }
  return pam(message);
}

/** PAM lines appear under sshd, su, sudo, login and cron alike. */
export function pam(message: string): EcsDoc | undefined {
  const doc: EcsDoc = {};
  let m = PAM_SESSION.exec(message);
  if (m) {
    categorize(doc, {
      kind: 'event',
      category: 'session',
      type: m[2] === 'opened' ? 'start' : 'end',
      action: m[2] === 'opened' ? 'logged-in' : 'logged-out',
      outcome: 'success',
    });
    put(doc, 'user.name', m[3]);
    add(doc, 'related.user', m[3]);
    if (m[4]) {
      put(doc, 'user.effective.name', m[3]);
      put(doc, 'user.name', m[4]);
      add(doc, 'related.user', m[4]);
    }
    return doc;
  }
  m = PAM_AUTH_FAIL.exec(message);
  if (m) {
    categorize(doc, {
      kind: 'event',
      category: 'authentication',
      type: 'info',
      outcome: 'failure',
      action: 'authentication_failure',
    });
    const kv = Object.fromEntries(
      [...m[2]!.matchAll(/(\w+)=(\S*)/g)].map((x) => [x[1]!, x[2]!] as const),
    ) as Record<string, string>;
    put(doc, 'user.name', kv.ruser || kv.user);
    put(doc, 'user.target.name', kv.user);
    const ip = canonicalIp(kv.rhost);
    put(doc, 'source.ip', ip);
    if (!ip) put(doc, 'source.domain', kv.rhost);
    return doc;
  }
  return undefined;
}
