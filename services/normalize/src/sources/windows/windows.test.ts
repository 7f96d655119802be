import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadPipeline, parseJsonValues, parseSigmaFile, SigmaEngine, type SigmaRule } from '@soc/sigma';
import { describe, expect, it } from 'vitest';
import { get } from '../../doc.ts';
import { contractBreaches, ecs, fixtureLines } from '../../testing.ts';

const CORPUS = resolve(
  process.env.SIGMA_CORPUS ?? join(import.meta.dirname, '../../../../../../shared/sigmahq'),
);
const HAS_CORPUS = existsSync(join(CORPUS, 'regression_data'));
const NOTE = HAS_CORPUS ? '' : ` [skipped: no Sigma corpus at ${CORPUS}; set SIGMA_CORPUS]`;

describe('Windows: winlogbeat-style JSON', () => {
  const [logonFail, net, reg, file] = fixtureLines('winlogbeat.jsonl').map(
    (l) => JSON.parse(l) as Record<string, unknown>,
  );

  it('Security 4625: authentication failure, user, canonical source address (IPv4-mapped)', () => {
    const { source, doc } = ecs({ event: logonFail!, input: 'winlog' });
    expect(source).toBe('windows');
    expect(get(doc, 'event.category')).toEqual(['authentication']);
    expect(get(doc, 'event.outcome')).toBe('failure');
    expect(get(doc, 'user.name')).toBe('administrator');
    expect(get(doc, 'source.ip')).toBe('203.0.113.80');
    // the data item too: an `ip` field of the contract, written canonical
    expect(get(doc, 'winlog.event_data.IpAddress')).toBe('203.0.113.80');
    expect(get(doc, 'winlog.logon.type')).toBe('3');
    expect(get(doc, 'host.name')).toBe('dc01.corp.local');
    expect(get(doc, 'host.os.type')).toBe('windows');
    expect(doc.message).toBe('An account failed to log on.');
  });

  it('Sysmon 3 / 13 / 11: network, registry and file fields where ecs.yml looks', () => {
    const n = ecs({ event: net! }).doc;
    expect(get(n, 'winlog.event_id')).toBe('3');
    expect(get(n, 'winlog.event_data.ProcessId')).toBe('4242');
    expect(get(n, 'process.pid')).toBe(4242);
    expect(get(n, 'destination.port')).toBe(4444);
    expect(get(n, 'destination.domain')).toBe('evil.example');
    expect(get(n, 'network.direction')).toBe('egress');
    expect(get(n, 'user.domain')).toBe('CORP');
    const r = ecs({ event: reg! }).doc;
    expect(get(r, 'event.category')).toEqual(['configuration', 'registry']);
    expect(get(r, 'registry.hive')).toBe('HKU');
    expect(get(r, 'registry.value')).toBe('Updater');
    expect(get(r, 'registry.data.strings')).toEqual(['C:\\Users\\bob\\AppData\\Local\\Temp\\x.exe']);
    const f = ecs({ event: file! }).doc;
    expect(get(f, 'file.extension')).toBe('dll');
    expect(get(f, 'file.directory')).toBe('C:\\Users\\Public');
    expect(get(f, 'event.type')).toEqual(['creation']);
  });

  it('a record with neither channel nor id is kept raw with the reason', () => {
    const d = ecs({ event: { winlog: { event_data: { a: 1 } } } }).doc;
    expect(get(d, 'error.message')).toMatch(/without channel and event id/);
  });
});

/** The regression directories: each holds the events (JSON) of one rule, which sits at the same path under the corpus. */
function regressionCases(): { rule: string; events: string }[] {
  const out: { rule: string; events: string }[] = [];
  const base = join(CORPUS, 'regression_data');
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) {
        const rule = `${join(CORPUS, dirname(p.slice(base.length + 1)))}.yml`;
        if (existsSync(rule)) out.push({ rule, events: p });
      }
    }
  };
  walk(base);
  return out;
}

describe(`Windows: SigmaHQ regression events, normalised, match as the raw records do${NOTE}`, () => {
  it.skipIf(!HAS_CORPUS)(
    'every rule matches the ECS documents exactly as often as the EVTX records (windows vs ecs pipeline)',
    () => {
      const windows = loadPipeline('windows');
      const ecsPipeline = loadPipeline('ecs');
      const cases = regressionCases();
      expect(cases.length).toBeGreaterThan(150);
      const disagreements: string[] = [];
      let compared = 0;
      let matched = 0;
      for (const c of cases) {
        const rule = parseSigmaFile(c.rule).documents.find((d): d is SigmaRule => d.kind === 'rule');
        if (!rule) continue;
        const raw = new SigmaEngine({ pipeline: windows });
        const norm = new SigmaEngine({ pipeline: ecsPipeline });
        if (raw.add(rule).state !== 'active' || norm.add(rule).state !== 'active') continue;
        let a = 0;
        let b = 0;
        for (const event of parseJsonValues(readFileSync(c.events, 'utf8'))) {
          a += raw.match(event).length;
          const { doc } = ecs({ event: event as Record<string, unknown>, input: 'winlog' });
          expect(contractBreaches(doc)).toEqual([]);
          b += norm.match(doc).length;
        }
        compared++;
        matched += b;
        if (a !== b) disagreements.push(`${c.rule.slice(CORPUS.length + 1)}: raw ${a}, ecs ${b}`);
      }
      expect(compared).toBeGreaterThan(150);
      expect(matched).toBeGreaterThan(150);
      expect(disagreements).toEqual([]);
    },
  );
});
