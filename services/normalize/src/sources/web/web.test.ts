import { describe, expect, it } from 'vitest';
import { get } from '../../doc.ts';
import { contractBreaches, ecs, fixtureLines } from '../../testing.ts';

describe('web server logs', () => {
  it('nginx access (combined): request, status, agent; time from the line with its zone', () => {
    const [sqlmap, login, tls] = fixtureLines('nginx-access.log');
    const a = ecs({ line: sqlmap!, path: '/var/log/nginx/access.log' });
    expect(a.source).toBe('web.access');
    expect(get(a.doc, 'event.dataset')).toBe('nginx.access');
    expect(a.doc['@timestamp']).toBe('2026-03-11T03:10:00.000Z');
    expect(get(a.doc, 'url.path')).toBe('/cgi-bin/a.cgi');
    expect(get(a.doc, 'url.query')).toBe('f=../../etc/passwd');
    expect(get(a.doc, 'url.extension')).toBe('cgi');
    expect(get(a.doc, 'http.response.status_code')).toBe(404);
    expect(get(a.doc, 'event.outcome')).toBe('failure');
    expect(get(a.doc, 'user_agent.original')).toMatch(/^sqlmap/);
    const b = ecs({ line: login!, path: '/var/log/nginx/access.log' }).doc;
    expect(get(b, 'user.name')).toBe('alice');
    expect(get(b, 'http.version')).toBe('2.0');
    expect(get(b, 'http.response.bytes')).toBe(0);
    expect(get(b, 'http.request.referrer')).toBe('https://portal.example.gov.vn/');
    // TLS bytes sent to the plain-text port: kept, tagged, not a parse failure
    const c = ecs({ line: tls!, path: '/var/log/nginx/access.log' }).doc;
    expect(get(c, 'tags')).toEqual(['invalid_request']);
    expect(get(c, 'url.original')).toBeUndefined();
    expect(get(c, 'http.response.status_code')).toBe(400);
  });

  it('Apache vhost_combined access, chosen by path', () => {
    const [line] = fixtureLines('apache-access.log');
    const d = ecs({ line: line!, path: '/var/log/apache2/other_vhosts_access.log' }).doc;
    expect(get(d, 'event.dataset')).toBe('apache.access');
    expect(get(d, 'url.domain')).toBe('portal.example.gov.vn');
    expect(get(d, 'destination.port')).toBe(443);
    expect(get(d, 'source.ip')).toBe('203.0.113.10');
  });

  it('nginx and Apache error logs', () => {
    const [ng] = fixtureLines('nginx-error.log');
    const n = ecs({ line: ng! });
    expect(n.source).toBe('web.error');
    expect(get(n.doc, 'event.dataset')).toBe('nginx.error');
    expect(get(n.doc, 'log.level')).toBe('error');
    expect(get(n.doc, 'source.ip')).toBe('203.0.113.9');
    expect(get(n.doc, 'url.original')).toBe('/.env');
    expect(get(n.doc, 'url.domain')).toBe('portal.example.gov.vn');
    expect(n.doc['@timestamp']).toBe('2026-03-11T03:11:00.000Z');
    const [a24, a22] = fixtureLines('apache-error.log');
    const a = ecs({ line: a24! }).doc;
    expect(get(a, 'event.dataset')).toBe('apache.error');
    expect(get(a, 'apache.error.module')).toBe('core');
    expect(get(a, 'error.code')).toBe('AH00126');
    expect(get(a, 'source.port')).toBe(55555);
    expect(get(a, 'process.thread.id')).toBe(140000);
    expect(get(ecs({ line: a22! }).doc, 'message')).toBe('File does not exist: /var/www/html/phpmyadmin');
  });

  it('a cut access line is a parse failure kept raw', () => {
    const [line] = fixtureLines('nginx-access.log');
    const cut = line!.slice(0, 70);
    const d = ecs({ line: cut, path: '/var/log/nginx/access.log' }, { parsers: { logs: 'web.access' } }).doc;
    expect(get(d, 'tags')).toContain('_parse_failure');
    expect(d.message).toBe(cut);
  });

  it('within the mapping contract', () => {
    for (const f of ['nginx-access.log', 'apache-access.log', 'nginx-error.log', 'apache-error.log'])
      for (const line of fixtureLines(f)) expect(contractBreaches(ecs({ line }).doc)).toEqual([]);
  });
});
