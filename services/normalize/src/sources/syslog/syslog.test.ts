import { describe, expect, it } from 'vitest';
import { get } from '../../doc.ts';
import { normalize } from '../../normalize.ts';
import { agentMessage, contractBreaches, ecs, fixtureLines } from '../../testing.ts';

const auth = fixtureLines('auth.log');
const one = (line: string, path = '/var/log/auth.log') => ecs({ line, path });

describe('syslog: RFC 3164 lines from files, program parsers', () => {
  it('reads the header: time in the configured zone, year from when the agent read it', () => {
    const { source, doc } = one(auth[0]!);
    expect(source).toBe('syslog');
    // Mar 11 09:58:01 in Asia/Ho_Chi_Minh (UTC+7)
    expect(doc['@timestamp']).toBe('2026-03-11T02:58:01.000Z');
    expect(get(doc, 'host.name')).toBe('web01');
    expect(get(doc, 'process.name')).toBe('sshd');
    expect(get(doc, 'process.pid')).toBe(2211);
    expect(get(doc, 'host.os.type')).toBe('linux');
    expect(get(doc, 'event.dataset')).toBe('system.auth');
    expect(get(doc, 'log.file.path')).toBe('/var/log/auth.log');
    expect(get(doc, 'event.original')).toBe(auth[0]);
  });

  it('puts a December line read in January in the previous year', () => {
    const r = ecs({ line: 'Dec 31 23:59:59 h prog: x' });
    expect(r.doc['@timestamp']).toBe('2025-12-31T16:59:59.000Z');
  });

  it('sshd: accepted password and publickey, failed, invalid user', () => {
    const ok = one(auth[0]!).doc;
    expect(get(ok, 'event.category')).toEqual(['authentication']);
    expect(get(ok, 'event.outcome')).toBe('success');
    expect(get(ok, 'event.action')).toBe('ssh_login');
    expect(get(ok, 'user.name')).toBe('alice');
    expect(get(ok, 'source.ip')).toBe('10.20.1.15');
    expect(get(ok, 'source.port')).toBe(51234);
    expect(get(ok, 'system.auth.ssh.method')).toBe('password');
    const key = one(auth[1]!).doc;
    expect(get(key, 'system.auth.ssh.method')).toBe('publickey');
    expect(get(key, 'system.auth.ssh.signature')).toMatch(/^ED25519 SHA256:/);
    const failedInvalid = one(auth[2]!).doc;
    expect(get(failedInvalid, 'event.outcome')).toBe('failure');
    expect(get(failedInvalid, 'user.name')).toBe('admin');
    expect(get(failedInvalid, 'tags')).toContain('invalid_user');
    expect(get(one(auth[3]!).doc, 'user.name')).toBe('root');
    const invalid = one(auth[4]!).doc;
    expect(get(invalid, 'event.action')).toBe('invalid_user');
    expect(get(invalid, 'source.ip')).toBe('203.0.113.77');
    expect(get(one(auth[5]!).doc, 'event.type')).toEqual(['end']);
    const session = one(auth[6]!).doc;
    expect(get(session, 'event.category')).toEqual(['session']);
    expect(get(session, 'user.name')).toBe('alice');
  });

  it('sudo: command run and denied, target user where the ecs pipeline looks for USER', () => {
    const run = one(auth[7]!).doc;
    expect(get(run, 'user.name')).toBe('alice');
    expect(get(run, 'user.target.name')).toBe('root');
    expect(get(run, 'sudo.command')).toBe('/usr/bin/cat /etc/shadow');
    expect(get(run, 'event.outcome')).toBe('success');
    const denied = one(auth[8]!).doc;
    expect(get(denied, 'event.outcome')).toBe('failure');
    expect(get(denied, 'event.reason')).toBe('3 incorrect password attempts');
  });

  it('su, cron, systemd', () => {
    expect(get(one(auth[9]!).doc, 'user.target.name')).toBe('root');
    expect(get(one(auth[10]!).doc, 'event.outcome')).toBe('failure');
    const cron = one(auth[11]!, '/var/log/syslog').doc;
    expect(get(cron, 'cron.command')).toBe('/usr/local/bin/backup.sh --full >/dev/null 2>&1');
    expect(get(cron, 'event.dataset')).toBe('system.syslog');
    expect(get(one(auth[12]!).doc, 'systemd.unit')).toBe('nginx.service');
    expect(get(one(auth[13]!).doc, 'event.action')).toBe('logged-in');
    const failed = one(auth[14]!).doc;
    expect(get(failed, 'event.outcome')).toBe('failure');
    expect(get(failed, 'systemd.unit')).toBe('backup.service');
  });

  it('kernel: iptables (ufw) and nftables log lines as firewall events', () => {
    const ufw = one(auth[15]!, '/var/log/kern.log').doc;
    expect(get(ufw, 'event.dataset')).toBe('iptables.log');
    expect(get(ufw, 'event.type')).toEqual(['connection', 'denied']);
    expect(get(ufw, 'rule.name')).toBe('UFW BLOCK');
    expect(get(ufw, 'source.ip')).toBe('198.51.100.23');
    expect(get(ufw, 'destination.port')).toBe(3389);
    expect(get(ufw, 'network.transport')).toBe('tcp');
    expect(get(ufw, 'source.mac')).toBe('52-54-00-65-43-21');
    const nft = one(auth[16]!).doc;
    expect(get(nft, 'observer.product')).toBe('nftables');
    expect(get(nft, 'network.transport')).toBe('udp');
    expect(get(nft, 'destination.port')).toBe(1900);
  });
});

describe('syslog: on the wire (RFC 5424, RFC 3164 with PRI)', () => {
  const r5424 = fixtureLines('rfc5424.log');
  const r3164 = fixtureLines('rfc3164.log');

  it('RFC 5424: priority, zone-aware time, structured data, BOM dropped', () => {
    const a = ecs({ line: r5424[0]!, input: 'syslog' }).doc;
    expect(a['@timestamp']).toBe('2026-03-11T03:05:00.123Z');
    expect(get(a, 'log.syslog.facility.name')).toBe('auth');
    expect(get(a, 'log.syslog.severity.name')).toBe('informational');
    expect(get(a, 'host.name')).toBe('fw01.so-tttt.gov.vn');
    expect(get(a, 'user.name')).toBe('netadmin');
    // the device is the host; the agent that received it is the observer
    expect(get(a, 'observer.hostname')).toBe('collector01');
    const b = ecs({ line: r5424[1]!, input: 'syslog' }).doc;
    expect(get(b, 'log.syslog.msgid')).toBe('ID47');
    expect(get(b, 'log.syslog.structured_data')).toEqual({
      'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
      meta: { sequenceId: '7]x' },
    });
    expect(b.message).toBe('An application event log entry');
    const c = ecs({ line: r5424[2]!, input: 'syslog' }).doc;
    expect(c.message).toBe('no header fields at all');
    expect(get(c, 'host.name')).toBe('collector01');
  });

  it('RFC 3164 with PRI: sudo, IPv6 netfilter in canonical form, a device line', () => {
    const sudo = ecs({ line: r3164[0]!, input: 'syslog' }).doc;
    expect(get(sudo, 'log.syslog.facility.name')).toBe('authpriv');
    expect(get(sudo, 'user.target.name')).toBe('postgres');
    const nf = ecs({ line: r3164[1]!, input: 'syslog' }).doc;
    expect(get(nf, 'source.ip')).toBe('2001:db8::1');
    expect(get(nf, 'network.type')).toBe('ipv6');
    expect(get(nf, 'observer.egress.interface.name')).toBe('ens4');
    const dev = ecs({ line: r3164[2]!, input: 'syslog' }).doc;
    expect(get(dev, 'host.name')).toBe('switch01');
    expect(get(dev, 'process.name')).toBe('%LINK-3-UPDOWN');
    expect(get(dev, 'host.os.type')).toBeUndefined();
  });

  it('a network sender: its address kept; it names the host only when the message does not', () => {
    const sender = { address: '::ffff:10.8.0.7', port: 51514, transport: 'udp' as const };
    const named = ecs({ line: r5424[0]!, input: 'syslog', sender }).doc;
    expect(get(named, 'log.source.address')).toBe('10.8.0.7:51514');
    // the header's host wins; the sender may be a relay
    expect(get(named, 'host.name')).toBe('fw01.so-tttt.gov.vn');
    expect(get(named, 'host.ip')).toBeUndefined();
    const anonymous = ecs({ line: r5424[2]!, input: 'syslog', sender }).doc;
    expect(get(anonymous, 'host.name')).toBe('10.8.0.7');
    expect(get(anonymous, 'host.ip')).toEqual(['10.8.0.7']);
    expect(get(anonymous, 'observer.hostname')).toBe('collector01');
    expect(contractBreaches(anonymous)).toEqual([]);
  });

  it('malformed lines end as raw events with the reason, never thrown', () => {
    const lines = fixtureLines('malformed.log');
    const docs = lines.map((line) => ecs({ line, input: 'syslog' }));
    expect(get(docs[0]!.doc, 'error.message')).toMatch(/priority out of range/);
    expect(get(docs[1]!.doc, 'error.message')).toMatch(/bad syslog timestamp/);
    expect(get(docs[2]!.doc, 'error.message')).toMatch(/RFC 5424/);
    for (const d of docs.slice(0, 3)) {
      expect(get(d.doc, 'tags')).toContain('_parse_failure');
      expect(d.doc.message).toBeTypeOf('string');
    }
    // no header at all: plain text, not a failure
    expect(docs[3]!.source).toBe('raw');
    expect(docs[3]!.doc.message).toBe(lines[3]);
  });

  it('writes every fixture line within the mapping contract', () => {
    for (const line of [...auth, ...r5424, ...r3164, ...fixtureLines('malformed.log')])
      expect(contractBreaches(ecs({ line }).doc), line).toEqual([]);
  });
});

describe('syslog: the year of a year-less time', () => {
  it('is the latest year that does not put the line in the future of its reading', () => {
    const read = (line: string, observed: string) =>
      normalize(JSON.stringify(agentMessage({ line }, new Date(observed))));
    const march = read('Mar 11 09:58:01 h p: x', '2026-11-25T09:00:00Z');
    expect(march.ok && march.doc['@timestamp']).toBe('2026-03-11T02:58:01.000Z');
    const skew = read('Nov 26 10:00:00 h p: x', '2026-11-25T23:00:00Z');
    expect(skew.ok && skew.doc['@timestamp']).toBe('2026-11-26T03:00:00.000Z');
  });
});
