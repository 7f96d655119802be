import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SOC = resolve(import.meta.dirname, '../../../bin/soc.js');
const dir = mkdtempSync(join(tmpdir(), 'soc-sigma-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function soc(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [SOC, ...args], { timeout: 120_000 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const good = file(
  'good.yml',
  `title: Whoami
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\\whoami.exe'
  condition: sel
`,
);
const bad = file(
  'bad.yml',
  `title: Backtracking
logsource: {product: windows}
detection:
  sel:
    Image|endswith: '\\cmd.exe'
    CommandLine|re: '(a+)+$'
  condition: sel
`,
);
const broken = file('broken.yml', 'title: x\ndetection:\n  condition: [unclosed\n');

describe('soc sigma check', () => {
  it('points a compile error at the offending key, with line and column', async () => {
    const r = await soc(['sigma', 'check', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `${bad}:6:21: detection.selection.CommandLine|re:`.replace('selection', 'sel'),
    );
    expect(r.stdout).toMatch(/backtrack/);
    expect(r.stdout.trim().split('\n').pop()).toBe('1 files: 0 ok, 1 rejected');
  });

  it('writes one JSON line per file with --format json, then the summary line', async () => {
    const r = await soc(['sigma', 'check', '--format', 'json', good, bad, broken]);
    expect(r.code).toBe(1);
    const out = r.stdout.trim().split('\n');
    expect(out.pop()).toBe('3 files: 1 ok, 2 rejected');
    const byFile = Object.fromEntries(out.map((l) => JSON.parse(l)).map((j) => [j.file, j]));
    expect(byFile[good]).toMatchObject({ ok: true, rules: 1, errors: [] });
    expect(byFile[bad]).toMatchObject({ ok: false, errors: [{ line: 6 }] });
    expect(byFile[broken].ok).toBe(false);
    expect(byFile[broken].errors[0].line).toBeGreaterThan(0);
  });

  it('exits 0 when every file loads', async () => {
    const r = await soc(['sigma', 'check', good]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('1 files: 1 ok, 0 rejected');
  });

  it('checks an |expand rule without placeholder values (as *); eval needs them, from --placeholders', async () => {
    const rule = file(
      'expand.yml',
      "title: Login from elsewhere\nlogsource: {product: x}\ndetection:\n  sel: {country|expand: '%Legit%'}\n  condition: not sel\n",
    );
    expect((await soc(['sigma', 'check', rule])).code).toBe(0);
    const events = file('countries.jsonl', '{"country":"VN"}\n{"country":"RU"}\n');
    const without = await soc(['sigma', 'eval', '--rules', rule, events]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/placeholder %Legit% cannot be expanded/);
    const table = file('ph.yml', 'Legit: [VN, SG]\n');
    const withValues = await soc(['sigma', 'eval', '--placeholders', table, '--rules', rule, events]);
    expect(withValues.code).toBe(0);
    expect(
      withValues.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).event),
    ).toEqual([1]);
    const bad = await soc([
      'sigma',
      'check',
      '--placeholders',
      file('bad-ph.yml', 'Legit: [1, {a: 2}]\n'),
      rule,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--placeholders .*bad-ph.yml: Legit/);
  });
});
