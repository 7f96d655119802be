import { describe, expect, it } from 'vitest';
import { parseCsv, parseFeed, parseMisp, parseStix } from './indicators.ts';
import { IntelIndex } from './matcher.ts';

const stix = {
  type: 'bundle',
  id: 'bundle--1',
  objects: [
    { type: 'identity', id: 'identity--ncsc', name: 'NCSC' },
    {
      type: 'indicator',
      id: 'indicator--1',
      pattern: "[ipv4-addr:value = '198.51.100.7'] OR [domain-name:value = 'evil.example']",
      pattern_type: 'stix',
      confidence: 90,
      valid_until: '2026-06-01T00:00:00Z',
      created_by_ref: 'identity--ncsc',
      name: 'C2',
    },
    {
      type: 'indicator',
      id: 'indicator--2',
      pattern: `[file:hashes.'SHA-256' = 'AB${'c'.repeat(62)}']`,
      pattern_type: 'stix',
    },
    {
      type: 'indicator',
      id: 'indicator--3',
      pattern: "[ipv4-addr:value = '10.66.0.0/16']",
      pattern_type: 'stix',
      confidence: 40,
    },
    {
      type: 'indicator',
      id: 'indicator--4',
      pattern: "[ipv4-addr:value = '1.2.3.4'] AND [network-traffic:dst_port = 4444]",
      pattern_type: 'stix',
    },
    { type: 'indicator', id: 'indicator--5', pattern: 'rule x {}', pattern_type: 'yara' },
  ],
};
const misp = {
  Event: {
    uuid: 'ev-1',
    info: 'Phishing wave',
    threat_level_id: '1',
    Orgc: { name: 'VNCERT' },
    Attribute: [
      { type: 'url', value: 'http://phish.example/login', uuid: 'a1', to_ids: true },
      { type: 'ip-dst|port', value: '203.0.113.50|443', uuid: 'a2', to_ids: true },
      { type: 'md5', value: 'D41D8CD98F00B204E9800998ECF8427E', uuid: 'a3', to_ids: true },
      { type: 'domain', value: 'benign.example', uuid: 'a4', to_ids: false },
      { type: 'email-src', value: 'x@y.z', uuid: 'a5', to_ids: true },
    ],
  },
};

describe('threat-intelligence feeds', () => {
  it('STIX 2.1: OR of comparisons, hashes, networks, source and confidence; compound and non-STIX patterns reported', () => {
    const r = parseStix(stix);
    expect(r.indicators.map((i) => [i.type, i.value, i.source, i.confidence])).toEqual([
      ['ip', '198.51.100.7', 'NCSC', 90],
      ['domain', 'evil.example', 'NCSC', 90],
      ['sha256', `ab${'c'.repeat(62)}`, 'stix', 50],
      ['cidr', '10.66.0.0/16', 'stix', 40],
    ]);
    expect(r.indicators[0]!.validUntil).toBe(Date.parse('2026-06-01T00:00:00Z'));
    expect(r.problems.length).toBe(2);
  });

  it('MISP: attribute types, composite values, to_ids respected, threat level as confidence', () => {
    const r = parseMisp(misp);
    expect(r.indicators.map((i) => [i.type, i.value, i.source, i.confidence])).toEqual([
      ['url', 'http://phish.example/login', 'VNCERT', 90],
      ['ip', '203.0.113.50', 'VNCERT', 90],
      ['md5', 'd41d8cd98f00b204e9800998ecf8427e', 'VNCERT', 90],
    ]);
    expect(r.problems).toEqual(['a5: unsupported email-src']);
  });

  it('CSV, and the format sniffed from the content; bad input reported, never thrown', () => {
    const r = parseCsv(
      'type,value,confidence,valid_until,source\nip,192.0.2.9,75,,feed-a\ndomain,not a domain\nsha1,zz\n',
    );
    expect(r.indicators.map((i) => [i.type, i.value, i.confidence, i.source])).toEqual([
      ['ip', '192.0.2.9', 75, 'feed-a'],
    ]);
    expect(r.problems.length).toBe(2);
    expect(parseFeed(JSON.stringify(stix), 'f').indicators.length).toBe(4);
    expect(parseFeed(JSON.stringify([misp, misp]), 'f').indicators.length).toBe(6);
    expect(parseFeed('{oops', 'f').problems[0]).toMatch(/invalid JSON/);
    expect(parseFeed('{"a":1}', 'f').problems).toEqual(['not a MISP event']);
  });
});

describe('matching', () => {
  const index = new IntelIndex();
  for (const i of [...parseStix(stix).indicators, ...parseMisp(misp).indicators]) index.add(i);
  const before = Date.parse('2026-05-01T00:00:00Z');

  it('addresses, networks, parent domains, URLs and hashes in the ECS fields', () => {
    const doc = {
      source: { ip: '10.66.3.4' },
      destination: { ip: '198.51.100.7', domain: 'cdn.evil.example' },
      url: { original: 'http://phish.example/login' },
      file: { hash: { md5: 'd41d8cd98f00b204e9800998ecf8427e', sha256: `AB${'c'.repeat(62)}` } },
    };
    const m = index.match(doc, before);
    expect(m.map((x) => [x.indicator.type, x.field]).sort()).toEqual(
      [
        ['cidr', 'source.ip'],
        ['domain', 'destination.domain'],
        ['ip', 'destination.ip'],
        ['md5', 'file.hash.md5'],
        ['sha256', 'file.hash.sha256'],
        ['url', 'url.original'],
      ].sort(),
    );
  });

  it('nothing for near misses: another address, a domain that only ends alike, outside the network', () => {
    expect(
      index.match(
        { source: { ip: '10.67.0.1' }, destination: { ip: '198.51.100.8', domain: 'notevil.example' } },
        before,
      ),
    ).toEqual([]);
  });

  it('an expired indicator no longer matches, and prune drops it', () => {
    const doc = { destination: { ip: '198.51.100.7' } };
    expect(index.match(doc, before).length).toBe(1);
    const after = Date.parse('2026-07-01T00:00:00Z');
    expect(index.match(doc, after)).toEqual([]);
    const size = index.size;
    expect(index.prune(after)).toBe(2); // the IP and the domain of indicator--1
    expect(index.size).toBe(size - 2);
  });
});
