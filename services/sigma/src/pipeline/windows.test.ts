import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { eventTime, fieldResolver, valuesAt } from './fields.ts';
import { loadPipeline } from './load.ts';
import { sourcesFor, sourcesOfEvent } from './route.ts';
import {
  CORPUS,
  CORPUS_NOTE,
  findEvent,
  HAS_CORPUS,
  type RegressionSample,
  RULE_ROOTS,
  regressionSamples,
  ruleLogsources,
} from './test-corpus.ts';
import type { Logsource, SourceId } from './types.ts';

const p = loadPipeline('windows');
const idOf = (name: string): SourceId => {
  const s = p.sources.find((s) => s.name === name);
  if (!s) throw new Error(`no source ${name}`);
  return s.id;
};
const names = (ids: Iterable<SourceId>) => [...ids].map((i) => p.sources[i]!.name).sort();
const shares = (event: unknown, ls: Logsource) => {
  const of = sourcesOfEvent(p, event);
  return sourcesFor(p, ls).some((s) => of.has(s));
};

/** An event as EVTX renders it to JSON. */
function evtx(channel: string, eventId: number, data: Record<string, unknown> = {}, provider = 'Provider') {
  return {
    Event: {
      System: {
        Provider: { '#attributes': { Name: provider } },
        EventID: eventId,
        TimeCreated: { '#attributes': { SystemTime: '2026-03-11T05:16:41.816327Z' } },
        Channel: channel,
        Computer: 'host1',
      },
      EventData: data,
    },
  };
}

describe('windows pipeline: logsources', () => {
  it('serves process_creation by Sysmon 1 and Security 4688', () => {
    expect(names(sourcesFor(p, { category: 'process_creation', product: 'windows' }))).toEqual([
      'process_creation_security',
      'process_creation_sysmon',
    ]);
  });

  it('serves image_load, registry_delete and ps_script by one source each', () => {
    expect(names(sourcesFor(p, { category: 'image_load', product: 'windows' }))).toEqual(['image_load']);
    expect(names(sourcesFor(p, { category: 'registry_delete', product: 'windows' }))).toEqual([
      'registry_delete',
    ]);
    expect(names(sourcesFor(p, { category: 'ps_script', product: 'windows' }))).toEqual(['ps_script']);
  });

  it('serves services by their channel entries, aliases included', () => {
    expect(names(sourcesFor(p, { product: 'windows', service: 'security' }))).toEqual(['security']);
    expect(names(sourcesFor(p, { product: 'windows', service: 'System' }))).toEqual(['system']);
    expect(names(sourcesFor(p, { product: 'windows', service: 'microsoft-servicebus-client' }))).toEqual([
      'servicebus-client',
    ]);
  });

  it('serves a product-only rule by every source, and category antivirus by Defender', () => {
    expect(sourcesFor(p, { product: 'windows' })).toHaveLength(p.sources.length);
    expect(names(sourcesFor(p, { category: 'antivirus' }))).toEqual(['antivirus_windefend']);
  });

  it('knows no source for an unknown category or another product', () => {
    expect(sourcesFor(p, { category: 'no_such_thing', product: 'windows' })).toEqual([]);
    expect(sourcesFor(p, { category: 'process_creation', product: 'linux' })).toEqual([]);
    expect(sourcesFor(p, { category: 'webserver' })).toEqual([]);
  });
});

describe('windows pipeline: events', () => {
  it('routes a Security 4688 to process_creation and resolves Image to NewProcessName', () => {
    const e = evtx('Security', 4688, {
      NewProcessName: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'cmd /c',
    });
    expect(names(sourcesOfEvent(p, e))).toEqual(['process_creation_security', 'security', 'windows']);
    const r = fieldResolver(p, idOf('process_creation_security'));
    expect(valuesAt(e, r('Image'))).toEqual(['C:\\Windows\\System32\\cmd.exe']);
    expect(valuesAt(e, r('CommandLine'))).toEqual(['cmd /c']);
    expect(valuesAt(e, r('EventID'))).toEqual([4688]);
    expect(valuesAt(e, r('Computer'))).toEqual(['host1']);
    // the security service itself keeps the Security log's own names
    expect(valuesAt(e, fieldResolver(p, idOf('security'))('Image'))).toEqual([]);
  });

  it('routes Sysmon registry events by EventType', () => {
    const sysmon = 'Microsoft-Windows-Sysmon/Operational';
    expect(names(sourcesOfEvent(p, evtx(sysmon, 12, { EventType: 'DeleteValue' })))).toEqual([
      'registry_delete',
      'registry_event',
      'sysmon',
      'windows',
    ]);
    expect(names(sourcesOfEvent(p, evtx(sysmon, 13, { EventType: 'SetValue' })))).toEqual([
      'registry_event',
      'registry_set',
      'sysmon',
      'windows',
    ]);
  });

  it('routes PowerShell, classic PowerShell and Kernel-File events', () => {
    expect(names(sourcesOfEvent(p, evtx('PowerShellCore/Operational', 4104)))).toEqual([
      'powershell',
      'ps_script',
      'windows',
    ]);
    const classic = evtx('Windows PowerShell', 400, {
      Data: { '#text': ['Available', 'HostApplication=x'] },
    });
    expect(names(sourcesOfEvent(p, classic))).toEqual(['powershell-classic', 'ps_classic_start', 'windows']);
    expect(valuesAt(classic, fieldResolver(p, idOf('ps_classic_start'))('Data'))).toContain(
      'HostApplication=x',
    );
    const rename = evtx('Microsoft-Windows-Kernel-File/Analytic', 19, {}, 'Microsoft-Windows-Kernel-File');
    expect(names(sourcesOfEvent(p, rename))).toEqual(['file_access', 'file_rename', 'windows']);
  });

  it('reads an EventID rendered with qualifiers', () => {
    const e = evtx('System', 0);
    (e.Event.System as Record<string, unknown>).EventID = {
      '#attributes': { Qualifiers: 16384 },
      '#text': 7045,
    };
    expect(names(sourcesOfEvent(p, e))).toEqual(['system', 'windows']);
    expect(valuesAt(e, fieldResolver(p, idOf('system'))('EventID'))).toContain(7045);
  });

  it('puts an event of an unknown channel under product windows only, and a non-Windows event nowhere', () => {
    expect(names(sourcesOfEvent(p, evtx('Microsoft-Windows-Something/Operational', 1)))).toEqual(['windows']);
    expect(sourcesOfEvent(p, { '@timestamp': '2026-01-01T00:00:00Z', message: 'x' }).size).toBe(0);
  });

  it('reads the event time from System/TimeCreated', () => {
    expect(eventTime(p, evtx('Security', 4624))).toBe(Date.parse('2026-03-11T05:16:41.816Z'));
  });
});

describe(`windows pipeline against the SigmaHQ corpus${CORPUS_NOTE}`, () => {
  let samples: RegressionSample[] = [];
  beforeAll(() => {
    if (HAS_CORPUS) samples = regressionSamples();
  });

  it.skipIf(!HAS_CORPUS)('routes a Sysmon EventID 1 sample to process_creation_sysmon', () => {
    const e = findEvent(
      samples,
      (s) => s.EventID === 1 && s.Channel === 'Microsoft-Windows-Sysmon/Operational',
    );
    expect(e).toBeDefined();
    expect(names(sourcesOfEvent(p, e))).toEqual(['process_creation_sysmon', 'sysmon', 'windows']);
    const image = valuesAt(e, fieldResolver(p, idOf('process_creation_sysmon'))('Image'));
    expect(image).toHaveLength(1);
    expect(String(image[0])).toMatch(/\.exe$/i);
  });

  it.skipIf(!HAS_CORPUS)('routes a Sysmon EventID 7 sample to image_load', () => {
    const e = findEvent(samples, (s) => s.EventID === 7);
    expect(names(sourcesOfEvent(p, e))).toEqual(['image_load', 'sysmon', 'windows']);
    expect(valuesAt(e, fieldResolver(p, idOf('image_load'))('ImageLoaded'))).toHaveLength(1);
  });

  it.skipIf(!HAS_CORPUS)('routes Security and Defender samples, with Defender names without spaces', () => {
    const sec = findEvent(samples, (s) => s.Channel === 'Security');
    expect(names(sourcesOfEvent(p, sec))).toEqual(['security', 'windows']);
    const defender = findEvent(samples, (s) => s.EventID === 1119);
    expect(names(sourcesOfEvent(p, defender))).toEqual(['windefend', 'windows']);
    const r = fieldResolver(p, idOf('windefend'));
    expect(valuesAt(defender, r('ThreatName'))).toEqual(['Tool:Win32/EICAR_Test_File']);
    expect(valuesAt(defender, r('SourceName'))).toEqual(['Real-Time Protection']);
  });

  it.skipIf(!HAS_CORPUS)('finds the data of a UserData event (WMI-Activity 5858)', () => {
    const wmi = findEvent(samples, (s) => s.EventID === 5858);
    expect(names(sourcesOfEvent(p, wmi))).toEqual(['windows', 'wmi']);
    const operation = valuesAt(wmi, fieldResolver(p, idOf('wmi'))('Operation'));
    expect(operation).toHaveLength(1);
    expect(String(operation[0])).toContain('Win32_NTEventlogFile');
  });

  it.skipIf(!HAS_CORPUS)('makes every regression sample a candidate for the rule it must trigger', () => {
    expect(samples.length).toBeGreaterThan(100);
    const missed = samples
      .filter((s) => !s.events.some((e) => shares(e, s.logsource)))
      .map((s) => `${s.file} ${JSON.stringify(s.logsource)}`);
    expect(missed).toEqual([]);
  });

  it.skipIf(!HAS_CORPUS)('has a source for every logsource of the Windows rules', () => {
    const windowsRules = join(CORPUS, 'rules', 'windows');
    const windows = [...ruleLogsources(RULE_ROOTS).values()].filter(
      ({ logsource, file }) => logsource.product === 'windows' || file.startsWith(windowsRules),
    );
    expect(windows.length).toBeGreaterThan(50);
    const unserved = windows
      .filter(({ logsource }) => sourcesFor(p, logsource).length === 0)
      .map(({ logsource, file }) => `${JSON.stringify(logsource)} (${file})`);
    expect(unserved).toEqual([]);
  });

  it.skipIf(!HAS_CORPUS)(
    'covers every Windows logsource of tests/thor.yml with its channel and event ids',
    () => {
      type ThorEntry = {
        category?: string;
        product?: string;
        service?: string;
        conditions?: Record<string, unknown>;
        rewrite?: { product?: string; service?: string };
        fieldmappings?: Record<string, string>;
        sources?: string[];
      };
      const thor = parse(readFileSync(join(CORPUS, 'tests', 'thor.yml'), 'utf8')) as {
        logsources: Record<string, ThorEntry>;
      };
      const entries = Object.entries(thor.logsources).filter(
        ([, e]) => e.product === 'windows' || e.rewrite?.product === 'windows',
      );
      const channelsOf = new Map<string, string[]>();
      for (const [, e] of entries) {
        if (e.service && e.sources)
          channelsOf.set(
            e.service,
            e.sources.map((s) => s.replace(/^WinEventLog:/, '')),
          );
      }
      expect(entries.length).toBeGreaterThan(80);
      const problems: string[] = [];
      for (const [name, e] of entries) {
        const ls: Logsource = { category: e.category, product: e.product, service: e.service };
        if (sourcesFor(p, ls).length === 0) problems.push(`${name}: no source`);
        const service = e.rewrite?.service ?? e.service;
        const channels = (service && channelsOf.get(service)) || [];
        if (channels.length === 0) problems.push(`${name}: no channel for service ${service}`);
        const { EventID, ...others } = e.conditions ?? {};
        const ids = EventID === undefined ? [1] : Array.isArray(EventID) ? EventID : [EventID];
        for (const channel of channels) {
          for (const id of ids as number[]) {
            const event = evtx(channel, id, others);
            if (!shares(event, ls)) problems.push(`${name}: event ${channel}/${id} not routed`);
            for (const [field, target] of Object.entries(e.fieldmappings ?? {})) {
              const of = sourcesOfEvent(p, event);
              const mapped = sourcesFor(p, ls).some(
                (s) => of.has(s) && fieldResolver(p, s)(field).includes(`Event.EventData.${target}`),
              );
              if (!mapped) problems.push(`${name}: ${field} is not mapped to ${target}`);
            }
          }
        }
      }
      expect(problems).toEqual([]);
    },
  );
});
