import { describe, expect, it } from 'vitest';
import { get } from '../doc.ts';
import { contractBreaches, ecs, fixtureLines } from '../testing.ts';

const json = (name: string) => fixtureLines(name).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('Suricata EVE', () => {
  const [alert, dns, http, tls, flow] = json('eve.jsonl');

  it('alert: kind alert, rule, severity, the http record of the flow', () => {
    const { source, doc } = ecs({ event: alert!, input: 'suricata' });
    expect(source).toBe('suricata');
    expect(get(doc, 'event.kind')).toBe('alert');
    expect(get(doc, 'event.category')).toEqual(['network', 'intrusion_detection']);
    expect(get(doc, 'rule.id')).toBe('2024897');
    expect(get(doc, 'event.severity')).toBe(1);
    expect(get(doc, 'source.ip')).toBe('203.0.113.66');
    expect(get(doc, 'destination.port')).toBe(80);
    expect(get(doc, 'url.original')).toContain('jndi:ldap');
    expect(get(doc, 'suricata.eve.flow_id')).toBe('1234567890123456');
    expect(doc['@timestamp']).toBe('2026-03-11T03:30:00.123Z');
  });

  it('dns, http, tls, flow', () => {
    const d = ecs({ event: dns! }).doc;
    expect(get(d, 'dns.question.name')).toBe('evil.example');
    expect(get(d, 'dns.answers')).toEqual([
      { name: 'evil.example', type: 'A', ttl: 60, data: '198.51.100.99' },
    ]);
    expect(get(d, 'dns.resolved_ip')).toEqual(['198.51.100.99']);
    const h = ecs({ event: http! }).doc;
    expect(get(h, 'http.request.method')).toBe('GET');
    expect(get(h, 'url.path')).toBe('/payload.ps1');
    expect(get(h, 'user_agent.original')).toBe('PowerShell/7');
    const t = ecs({ event: tls! }).doc;
    expect(get(t, 'tls.client.server_name')).toBe('evil.example');
    expect(get(t, 'tls.version')).toBe('1.2');
    expect(get(t, 'tls.client.ja3')).toBe('e7d705a3286e19ea42f587b344ee6865');
    const f = ecs({ event: flow! }).doc;
    expect(get(f, 'network.bytes')).toBe(10500);
    expect(get(f, 'event.type')).toEqual(['connection', 'end']);
  });

  it('within the mapping contract', () => {
    for (const e of json('eve.jsonl')) expect(contractBreaches(ecs({ event: e }).doc)).toEqual([]);
  });
});

describe('CEF and LEEF', () => {
  const [fgt, av] = fixtureLines('cef.log');
  const [leef1, leef2] = fixtureLines('leef.log');

  it('CEF over syslog from a firewall: observer, addresses, labelled custom strings, escapes', () => {
    const { source, doc } = ecs({ line: fgt!, input: 'syslog' });
    expect(source).toBe('cef');
    expect(get(doc, 'observer.vendor')).toBe('Fortinet');
    expect(get(doc, 'observer.type')).toBe('firewall');
    expect(get(doc, 'observer.hostname')).toBe('fgt01');
    expect(get(doc, 'source.ip')).toBe('203.0.113.50');
    expect(get(doc, 'destination.port')).toBe(445);
    expect(get(doc, 'network.transport')).toBe('tcp');
    expect(get(doc, 'event.action')).toBe('deny');
    expect(get(doc, 'cef.extensions.policyname')).toBe('block smb');
    expect(doc.message).toBe('Denied by policy = block smb');
    expect(get(doc, 'event.severity')).toBe(5);
  });

  it('CEF alone: severity word, file path with escaped backslashes, rt time', () => {
    const d = ecs({ line: av! }).doc;
    expect(get(d, 'event.severity')).toBe(8);
    expect(get(d, 'file.path')).toBe('C:\\Users\\a\\Downloads\\eicar.com');
    expect(d['@timestamp']).toBe('2026-03-11T03:20:01.000Z');
  });

  it('LEEF 1.0 (tabs) and 2.0 (custom delimiter)', () => {
    const a = ecs({ line: leef1! });
    expect(a.source).toBe('leef');
    expect(get(a.doc, 'user.name')).toBe('alice');
    expect(get(a.doc, 'source.port')).toBe(1200);
    expect(a.doc['@timestamp']).toBe('2026-03-11T03:21:00.000Z');
    const b = ecs({ line: leef2! }).doc;
    expect(get(b, 'destination.port')).toBe(21);
    expect(get(b, 'observer.product')).toBe('StealthWatch');
  });

  it('a CEF header cut short is a parse failure kept raw', () => {
    const d = ecs({ line: 'CEF:0|Vendor|Product|1.0|100' }).doc;
    expect(get(d, 'error.message')).toMatch(/CEF header/);
  });
});

describe('SNMP, FIM and inventory from the agents', () => {
  const [fim, fimDel, inv, trap, authFail, down, up] = json('endpoint.jsonl');

  it('FIM: file fields, ECS type by action, previous state', () => {
    const d = ecs({ event: fim!, input: 'fim' }).doc;
    expect(get(d, 'event.category')).toEqual(['file']);
    expect(get(d, 'event.type')).toEqual(['change']);
    expect(get(d, 'file.path')).toBe('/etc/passwd');
    expect(get(d, 'file.hash.sha256')).toBe('ab12cd');
    expect(get(d, 'file.uid')).toBe('0');
    expect(get(d, 'fim.previous.size')).toBe(2380);
    expect(get(d, 'host.os.type')).toBe('linux');
    expect(get(ecs({ event: fimDel! }).doc, 'event.type')).toEqual(['deletion']);
  });

  it('inventory: host.os, addresses, packages, ports, users', () => {
    const d = ecs({ event: inv! }).doc;
    expect(get(d, 'event.kind')).toBe('state');
    expect(get(d, 'host.os.kernel')).toBe('6.1.0-18-amd64');
    expect(get(d, 'host.ip')).toEqual(['10.20.1.10', 'fe80::1']);
    expect(get(d, 'host.mac')).toEqual(['52-54-00-12-34-56']);
    expect(get(d, 'inventory.packages')).toHaveLength(2);
    expect(get(d, 'inventory.listening')).toEqual([
      { transport: 'tcp', ip: '0.0.0.0', port: 22, process: 'sshd' },
    ]);
  });

  it('SNMP traps and polls', () => {
    const t = ecs({ event: trap!, input: 'snmp' }).doc;
    expect(get(t, 'event.action')).toBe('link-down');
    expect(get(t, 'observer.ip')).toBe('10.30.0.1');
    expect(get(t, 'snmp.varbinds')).toEqual([
      { oid: '1.3.6.1.2.1.2.2.1.1.3', name: 'ifIndex', type: 'Integer', value: '3' },
      { oid: '1.3.6.1.2.1.2.2.1.2.3', name: 'ifDescr', type: 'OctetString', value: 'Gi0/3' },
    ]);
    expect(get(ecs({ event: authFail! }).doc, 'event.outcome')).toBe('failure');
    expect(get(ecs({ event: down! }).doc, 'event.kind')).toBe('alert');
    expect(get(ecs({ event: up! }).doc, 'snmp.interfaces')).toEqual([
      { index: '1', name: 'Gi0/1', oper_status: 'up', in_errors: 0 },
    ]);
  });

  it('an FIM event without a path is kept raw with the reason', () => {
    const d = ecs({ event: { type: 'fim', action: 'created' } }).doc;
    expect(get(d, 'error.message')).toBe('fim: FIM event without path');
    expect(get(d, 'event.original')).toBe('{"type":"fim","action":"created"}');
  });

  it('within the mapping contract', () => {
    for (const e of json('endpoint.jsonl')) expect(contractBreaches(ecs({ event: e }).doc)).toEqual([]);
  });
});
