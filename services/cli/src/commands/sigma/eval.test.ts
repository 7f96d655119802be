import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The CLI is run as users run it (bin/soc.js), so stdout and stderr are the real contract.
const SOC = resolve(import.meta.dirname, '../../../bin/soc.js');
const dir = mkdtempSync(join(tmpdir(), 'soc-sigma-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function soc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [SOC, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const lines = (out: string) =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

// The specification's complete example, plus a rule no correlation uses.
const rules = (generate = '') => `title: Multiple Failed Logins Followed by Successful Login
id: b180ead8-d58f-40b2-ae54-c8940995b9b6
level: high
${generate}correlation:
    type: temporal_ordered
    rules: [multiple_failed_login, successful_login]
    group-by: [User]
    timespan: 10m
---
title: Multiple failed logons
id: a8418a5a-5fc4-46b5-b23b-6c73beb19d41
name: multiple_failed_login
correlation:
    type: event_count
    rules: [failed_login]
    group-by: [User]
    timespan: 10m
    condition: {gte: 10}
---
title: Single failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
logsource: {product: windows, service: security}
detection:
    selection: {EventID: [529, 4625]}
    condition: selection
---
title: Successful login
id: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
name: successful_login
level: low
logsource: {product: windows, service: security}
detection:
    selection: {EventID: [528, 4624]}
    condition: selection
---
title: Logoff
id: 9a7b8f52-3a43-4f5b-9d0e-1c2b3a4d5e6f
level: informational
logsource: {product: windows, service: security}
detection:
    selection: {EventID: 4634}
    condition: selection
`;

const at = (s: number) => new Date(Date.UTC(2024, 0, 1) + s * 1000).toISOString();
const events = [
  ...Array.from({ length: 10 }, (_, i) => ({ '@timestamp': at(i * 5), EventID: 4625, User: 'bob' })),
  { '@timestamp': at(60), EventID: 4634, User: 'bob' },
  { '@timestamp': at(90), EventID: 4624, User: 'bob' },
  { '@timestamp': at(95), EventID: 4624, User: 'alice' },
];
const jsonl = (evs: unknown[]) => `${evs.map((e) => JSON.stringify(e)).join('\n')}\n`;

describe('soc sigma eval with correlations', () => {
  it('writes one line per correlation match with its group and events, and hides the rules it consumes', async () => {
    const r = await soc([
      'sigma',
      'eval',
      '--rules',
      file('bf.yml', rules()),
      file('ev.jsonl', jsonl(events)),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      {
        rule: { id: '9a7b8f52-3a43-4f5b-9d0e-1c2b3a4d5e6f', title: 'Logoff', level: 'informational' },
        event: 10,
      },
      {
        rule: {
          id: 'b180ead8-d58f-40b2-ae54-c8940995b9b6',
          title: 'Multiple Failed Logins Followed by Successful Login',
          level: 'high',
        },
        group: { User: 'bob' },
        events: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11],
      },
    ]);
  });

  it('with generate: true also writes the referenced rules’ own matches', async () => {
    const r = await soc([
      'sigma',
      'eval',
      '--rules',
      file('bf-gen.yml', rules('generate: true\n')),
      file('ev2.jsonl', jsonl(events)),
    ]);
    const out = lines(r.stdout);
    expect(out.filter((l) => l.rule.title === 'Successful login').map((l) => l.event)).toEqual([11, 12]);
    // The inner event_count correlation is output too, with its own group.
    expect(out.filter((l) => l.rule.title === 'Multiple failed logons').map((l) => l.group)).toEqual([
      { User: 'bob' },
    ]);
    expect(out.filter((l) => 'group' in l)).toHaveLength(2);
  });

  it('reports an event without a usable time once on stderr, and goes on', async () => {
    const timeless = events.map((e, i) => (i < 3 ? { EventID: e.EventID, User: e.User } : e));
    const r = await soc([
      'sigma',
      'eval',
      '--rules',
      file('bf3.yml', rules()),
      file('ev3.jsonl', jsonl(timeless)),
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([
      'event 0 has no usable time (@timestamp): correlations ignore events without one',
    ]);
    // 7 failures with a time are not 10: no correlation match; the Logoff line still comes.
    expect(lines(r.stdout).map((l) => l.rule.title)).toEqual(['Logoff']);
  });

  it("with --pipeline windows, takes the time from the pipeline's time field", async () => {
    const evtx = (s: number, id: number, user: string) => ({
      Event: {
        System: { EventID: id, Channel: 'Security', TimeCreated: { '#attributes': { SystemTime: at(s) } } },
        EventData: { User: user },
      },
    });
    const input = [...Array.from({ length: 10 }, (_, i) => evtx(i * 5, 4625, 'bob')), evtx(700, 4624, 'bob')];
    const rulesFile = file('bf4.yml', rules());
    const late = await soc([
      'sigma',
      'eval',
      '--pipeline',
      'windows',
      '--rules',
      rulesFile,
      file('ev4.jsonl', jsonl(input)),
    ]);
    expect(late.stderr).toBe('');
    expect(lines(late.stdout)).toEqual([]); // the success comes 655 s after the 10th failure: beyond 10m
    input[10] = evtx(300, 4624, 'bob');
    const inTime = await soc([
      'sigma',
      'eval',
      '--pipeline',
      'windows',
      '--rules',
      rulesFile,
      file('ev5.jsonl', jsonl(input)),
    ]);
    expect(lines(inTime.stdout).map((l) => [l.group, l.events.length])).toEqual([[{ User: 'bob' }, 11]]);
  });

  it('rejects a correlation referring to an unknown rule with its file and line, exit 1', async () => {
    const bad = file(
      'bad.yml',
      'title: ok\nlogsource: {product: x}\ndetection:\n  s: {a: 1}\n  condition: s\n---\ntitle: broken\ncorrelation:\n  type: event_count\n  rules: [nope]\n  group-by: [x]\n  timespan: 1m\n  condition: {gte: 2}\n',
    );
    const r = await soc(['sigma', 'eval', '--rules', bad, file('one.jsonl', '{"a":1}\n')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${bad}:7: correlation.rules: refers to "nope", which is no loaded rule's name or id`,
    );
    expect(lines(r.stdout)).toEqual([{ rule: { title: 'ok' }, event: 0 }]);
  });

  it('reports a malformed event line with its position and line, evaluates the others, exit 1', async () => {
    const rule = file(
      'whoami.yml',
      'title: w\nlogsource: {product: x}\ndetection:\n  s: {a: 1}\n  condition: s\n',
    );
    const r = await soc([
      'sigma',
      'eval',
      '--rules',
      rule,
      file('bad.jsonl', '{"a":1}\n{"a": broken\n{"a":1}\n'),
    ]);
    expect(r.code).toBe(1);
    expect(lines(r.stdout).map((l) => l.event)).toEqual([0, 2]);
    expect(r.stderr).toMatch(/^event 1 \(line 2\): not JSON: /m);
    expect(r.stderr).toContain('1 of 3 events could not be read');
  });
});
