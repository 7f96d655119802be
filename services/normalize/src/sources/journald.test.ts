import { describe, expect, it } from 'vitest';
import { get } from '../doc.ts';
import { contractBreaches, ecs, fixtureLines } from '../testing.ts';

// journald.jsonl: entries written to a real journal (systemd-journal-remote), read back with
// `journalctl -o json --all` and passed through the endpoint agent's entry decoding.
const entries = fixtureLines('journald.jsonl').map((l) => JSON.parse(l) as Record<string, unknown>);
const [sshd, sudo, systemd, logind, custom, binary] = entries;

describe('journald entries', () => {
  it('are recognised by their journal fields', () => {
    for (const e of entries) expect(ecs({ event: e, input: 'journal' }).source).toBe('journald');
  });

  it('sshd: the same ECS as the auth.log line (dataset, outcome, source, user), plus the journal fields', () => {
    const d = ecs({ event: sshd!, input: 'journal' }).doc;
    expect(d['@timestamp']).toBe('2026-03-11T03:50:00.123Z');
    expect(get(d, 'event.dataset')).toBe('system.auth');
    expect(get(d, 'event.category')).toEqual(['authentication']);
    expect(get(d, 'event.outcome')).toBe('failure');
    expect(get(d, 'source.ip')).toBe('203.0.113.7');
    expect(get(d, 'user.name')).toBe('admin');
    expect(get(d, 'process.name')).toBe('sshd');
    expect(get(d, 'process.pid')).toBe(812);
    expect(get(d, 'process.executable')).toBe('/usr/sbin/sshd');
    expect(get(d, 'host.os.type')).toBe('linux');
    expect(get(d, 'host.name')).toBe('web01');
    expect(get(d, 'host.id')).toBe('5f1e6a0c2b8a4a0e9d3c7b1a2f4e6d8c');
    expect(get(d, 'systemd.unit')).toBe('ssh.service');
    expect(get(d, 'log.syslog.facility.name')).toBe('authpriv');
    expect(get(d, 'log.syslog.severity.name')).toBe('informational');
    expect(get(d, 'log.syslog.priority')).toBe(86);
    expect(get(d, 'message')).toMatch(/^Failed password for invalid user admin/);
  });

  it('sudo, systemd and logind go through the syslog program parsers', () => {
    const s = ecs({ event: sudo! }).doc;
    expect(get(s, 'event.dataset')).toBe('system.auth');
    expect(get(s, 'user.name')).toBe('alice');
    expect(get(s, 'sudo.command')).toBe('/usr/bin/cat /etc/shadow');
    expect(get(s, 'user.target.name')).toBe('root');
    const u = ecs({ event: systemd! }).doc;
    expect(get(u, 'event.dataset')).toBe('system.syslog');
    expect(get(u, 'event.action')).toBe('unit-started');
    expect(get(u, 'systemd.unit')).toBe('nginx.service');
    expect(get(u, 'log.origin.file.line')).toBe(581);
    expect(get(u, 'log.syslog.msgid')).toBe('39f53479d3a045ac8e11786248231fbf');
    const l = ecs({ event: logind! }).doc;
    expect(get(l, 'event.action')).toBe('logged-in');
    expect(get(l, 'user.name')).toBe('alice');
  });

  it("keeps a program's own fields under journald.custom, and the first of repeated values", () => {
    const d = ecs({ event: custom! }).doc;
    expect(get(d, 'journald.custom.order_id')).toBe('1734');
    expect(get(d, 'systemd.transport')).toBe('syslog');
    expect(get(d, 'event.dataset')).toBe('system.syslog');
    expect(get(d, 'message')).toBe('order 1734 paid');
    expect(get(ecs({ event: binary! }).doc, 'message')).toBe('bad \uFFFD\uFFFD bytes');
    expect(get(ecs({ event: binary! }).doc, 'log.level')).toBe('error');
  });

  it('without a time of its own, takes the time the agent read it', () => {
    const { __REALTIME_TIMESTAMP: _, ...rest } = sshd!;
    const d = ecs({ event: { ...rest, __REALTIME_TIMESTAMP: 'garbage' } }).doc;
    expect(d['@timestamp']).toBe('2026-03-11T03:59:59.000Z');
  });

  it('within the mapping contract', () => {
    for (const e of entries) expect(contractBreaches(ecs({ event: e }).doc)).toEqual([]);
  });
});
