import { describe, expect, it } from 'vitest';
import { SigmaEngine } from '../engine.ts';
import { parseSigmaText } from '../rule/load.ts';
import type { SigmaRule } from '../rule/model.ts';
import { loadPipeline } from './load.ts';
import { mergePipelines } from './merge.ts';

const rule = parseSigmaText(
  `title: Whoami
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\\whoami.exe'}
  condition: sel
`,
  'r.yml',
).documents[0] as SigmaRule;

const raw = {
  Event: {
    System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' },
    EventData: { Image: 'C:\\Windows\\System32\\whoami.exe' },
  },
};
const ecs = {
  event: { category: ['process'], type: ['start'], code: '1', provider: 'Microsoft-Windows-Sysmon' },
  host: { os: { type: 'windows' } },
  winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: '1' },
  process: { executable: 'C:\\Windows\\System32\\whoami.exe', name: 'whoami.exe' },
};

describe('mergePipelines', () => {
  it('routes each event by the pipeline whose sources it satisfies, with that pipeline’s field names', () => {
    const windows = new SigmaEngine({ pipeline: loadPipeline('windows') });
    const both = new SigmaEngine({
      pipeline: mergePipelines([loadPipeline('windows'), loadPipeline('ecs')]),
    });
    windows.add(rule);
    expect(both.add(rule).state).toBe('active');
    expect(windows.match(raw)).toHaveLength(1);
    expect(windows.match(ecs)).toHaveLength(0);
    expect(both.match(raw)).toHaveLength(1);
    expect(both.match(ecs)).toHaveLength(1);
    expect(both.match({ ...ecs, process: { executable: 'C:\\x\\cmd.exe' } })).toHaveLength(0);
  });

  it('keeps every source, named after its pipeline, and the time fields of both', () => {
    const w = loadPipeline('windows');
    const e = loadPipeline('ecs');
    const m = mergePipelines([w, e]);
    expect(m.sources).toHaveLength(w.sources.length + e.sources.length);
    expect(m.sources.map((s) => s.id)).toEqual(m.sources.map((_, i) => i));
    expect(m.sources[0]!.name).toBe(`windows/${w.sources[0]!.name}`);
    expect(m.timeFields).toEqual([...new Set([...w.timeFields, ...e.timeFields])]);
  });
});
