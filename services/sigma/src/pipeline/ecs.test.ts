import { beforeAll, describe, expect, it } from 'vitest';
import { SigmaEngine } from '../engine.ts';
import { parseSigmaText } from '../rule/load.ts';
import type { SigmaRule } from '../rule/model.ts';
import { eventTime, fieldResolver, valuesAt } from './fields.ts';
import { loadPipeline } from './load.ts';
import { sourcesFor, sourcesOfEvent } from './route.ts';
import {
  CORPUS_NOTE,
  HAS_CORPUS,
  type RegressionSample,
  RULE_ROOTS,
  regressionSamples,
  ruleLogsources,
} from './test-corpus.ts';
import type { Logsource, SourceId } from './types.ts';

const p = loadPipeline('ecs');
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
/** The values of a Sigma field in an event, resolved as the named source resolves it. */
const get = (event: unknown, source: string, field: string) =>
  valuesAt(event, fieldResolver(p, idOf(source))(field));

/** A Windows event log record as a winlogbeat-shaped ECS document. */
function winlog(
  channel: string,
  eventId: number,
  data: Record<string, unknown>,
  ecs: Record<string, unknown> = {},
) {
  return {
    '@timestamp': '2026-03-11T05:16:41.816Z',
    event: { code: String(eventId), provider: 'P' },
    host: { name: 'ws01', os: { type: 'windows' } },
    winlog: {
      channel,
      event_id: String(eventId),
      provider_name: 'P',
      computer_name: 'ws01',
      event_data: data,
    },
    ...ecs,
  };
}

const sysmonProcess = winlog(
  'Microsoft-Windows-Sysmon/Operational',
  1,
  { IntegrityLevel: 'High', User: 'CORP\\alice', Hashes: 'SHA256=AB12,IMPHASH=CD34' },
  {
    process: {
      executable: 'C:\\Windows\\System32\\cmd.exe',
      command_line: 'cmd.exe /c whoami',
      parent: { executable: 'C:\\Windows\\explorer.exe' },
      pe: { original_file_name: 'Cmd.Exe' },
      hash: { sha256: 'ab12' },
    },
    user: { name: 'alice', domain: 'CORP' },
  },
);

describe('ecs pipeline: Windows event log records', () => {
  it('routes a Sysmon process creation and maps Sysmon fields to ECS', () => {
    expect(names(sourcesOfEvent(p, sysmonProcess))).toEqual([
      'process_creation_sysmon',
      'sysmon',
      'windows_winlog',
    ]);
    expect(get(sysmonProcess, 'process_creation_sysmon', 'Image')).toEqual([
      'C:\\Windows\\System32\\cmd.exe',
    ]);
    expect(get(sysmonProcess, 'process_creation_sysmon', 'CommandLine')).toEqual(['cmd.exe /c whoami']);
    expect(get(sysmonProcess, 'process_creation_sysmon', 'ParentImage')).toEqual([
      'C:\\Windows\\explorer.exe',
    ]);
    expect(get(sysmonProcess, 'process_creation_sysmon', 'OriginalFileName')).toEqual(['Cmd.Exe']);
    expect(get(sysmonProcess, 'process_creation_sysmon', 'User')).toEqual(['alice', 'CORP\\alice']);
    expect(get(sysmonProcess, 'process_creation_sysmon', 'Hashes')).toEqual([
      'SHA256=AB12,IMPHASH=CD34',
      'ab12',
    ]);
    // no ECS equivalent: falls back to winlog.event_data
    expect(get(sysmonProcess, 'process_creation_sysmon', 'IntegrityLevel')).toEqual(['High']);
    expect(get(sysmonProcess, 'process_creation_sysmon', 'EventID')).toEqual(['1', '1']);
  });

  it('routes a Security 4688 and finds Image under ECS or the Security log name', () => {
    const e = winlog('Security', 4688, { NewProcessName: 'C:\\x.exe', SubjectUserName: 'bob' });
    expect(names(sourcesOfEvent(p, e))).toEqual(['process_creation_security', 'security', 'windows_winlog']);
    expect(get(e, 'process_creation_security', 'Image')).toEqual(['C:\\x.exe']);
    expect(get(e, 'security', 'SubjectUserName')).toEqual(['bob']);
  });

  it('maps image load, registry, network and dns fields by source', () => {
    const sysmon = 'Microsoft-Windows-Sysmon/Operational';
    const load = winlog(
      sysmon,
      7,
      { Signed: 'true' },
      { dll: { path: 'C:\\a.dll', code_signature: { signed: true } } },
    );
    expect(names(sourcesOfEvent(p, load))).toContain('image_load');
    expect(get(load, 'image_load', 'ImageLoaded')).toEqual(['C:\\a.dll']);
    expect(get(load, 'image_load', 'Signed')).toEqual([true, 'true']);
    const reg = winlog(sysmon, 13, { EventType: 'SetValue' }, { registry: { path: 'HKLM\\Run\\x' } });
    expect(names(sourcesOfEvent(p, reg))).toEqual([
      'registry_event',
      'registry_set',
      'sysmon',
      'windows_winlog',
    ]);
    expect(get(reg, 'registry_set', 'TargetObject')).toEqual(['HKLM\\Run\\x']);
    const net = winlog(
      sysmon,
      3,
      {},
      { destination: { ip: '10.0.0.1', port: 445 }, source: { ip: '10.0.0.2' } },
    );
    expect(get(net, 'network_connection', 'DestinationIp')).toEqual(['10.0.0.1']);
    expect(get(net, 'network_connection', 'DestinationPort')).toEqual([445]);
    const dns = winlog(sysmon, 22, {}, { dns: { question: { name: 'evil.example' } } });
    expect(names(sourcesOfEvent(p, dns))).toEqual(['dns', 'dns_query', 'sysmon', 'windows_winlog']);
    expect(get(dns, 'dns_query', 'QueryName')).toEqual(['evil.example']);
  });

  it('routes services by winlog.channel', () => {
    expect(names(sourcesOfEvent(p, winlog('System', 7045, { ServiceName: 'x' })))).toEqual([
      'system',
      'windows_winlog',
    ]);
    expect(names(sourcesOfEvent(p, winlog('Microsoft-Windows-PowerShell/Operational', 4104, {})))).toEqual([
      'powershell',
      'ps_script',
      'windows_winlog',
    ]);
  });
});

describe('ecs pipeline: other documents', () => {
  it('routes endpoint telemetry without winlog by event.category and host.os.type', () => {
    const win = { host: { os: { type: 'windows' } }, event: { category: ['process'], type: ['start'] } };
    expect(names(sourcesOfEvent(p, win))).toEqual(['windows_host', 'windows_process_creation']);
    const linux = {
      host: { os: { type: 'linux' } },
      event: { category: ['process'], type: ['start'] },
      process: {
        executable: '/usr/bin/curl',
        command_line: 'curl http://x | sh',
        parent: { executable: '/bin/bash' },
      },
    };
    expect(names(sourcesOfEvent(p, linux))).toEqual(['linux_host', 'linux_process_creation']);
    expect(get(linux, 'linux_process_creation', 'CommandLine')).toEqual(['curl http://x | sh']);
    expect(get(linux, 'linux_process_creation', 'ParentImage')).toEqual(['/bin/bash']);
    expect(sourcesFor(p, { category: 'process_creation', product: 'linux' })).toEqual([
      idOf('linux_process_creation'),
    ]);
  });

  it('routes auth and syslog by dataset or file, and sshd by process name', () => {
    const auth = {
      host: { os: { type: 'linux' } },
      log: { file: { path: '/var/log/auth.log.1' } },
      process: { name: 'sshd' },
    };
    expect(names(sourcesOfEvent(p, auth))).toEqual(['linux_auth_file', 'linux_host', 'linux_sshd']);
    expect(names(sourcesOfEvent(p, { event: { dataset: 'system.syslog' } }))).toEqual([
      'linux_syslog_dataset',
    ]);
    expect(names(sourcesFor(p, { product: 'linux', service: 'auth' }))).toEqual([
      'linux_auth_dataset',
      'linux_auth_file',
    ]);
  });

  it('routes web server access logs and maps the W3C field names', () => {
    const access = {
      '@timestamp': '2026-01-02T03:04:05.000Z',
      event: { dataset: 'nginx.access', category: ['web'] },
      source: { ip: '203.0.113.9' },
      url: {
        original: '/cgi-bin/a.cgi?f=../../etc/passwd',
        path: '/cgi-bin/a.cgi',
        query: 'f=../../etc/passwd',
      },
      http: { request: { method: 'GET', referrer: 'http://x/' }, response: { status_code: 200 } },
      user_agent: { original: 'sqlmap/1.7' },
    };
    expect(names(sourcesOfEvent(p, access))).toEqual(['webserver_dataset']);
    const r = fieldResolver(p, idOf('webserver_dataset'));
    expect(valuesAt(access, r('cs-method'))).toEqual(['GET']);
    expect(valuesAt(access, r('cs-uri-query'))).toContain('f=../../etc/passwd');
    expect(valuesAt(access, r('cs-uri-query'))).toContain('/cgi-bin/a.cgi?f=../../etc/passwd');
    expect(valuesAt(access, r('cs-uri-stem'))).toEqual(['/cgi-bin/a.cgi']);
    expect(valuesAt(access, r('c-ip'))).toEqual(['203.0.113.9']);
    expect(valuesAt(access, r('sc-status'))).toEqual([200]);
    expect(valuesAt(access, r('cs-user-agent'))).toEqual(['sqlmap/1.7']);
    expect(valuesAt(access, r('cs-referer'))).toEqual(['http://x/']);
    expect(eventTime(p, access)).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
  });

  it('routes proxy, firewall, dns and malware documents', () => {
    expect(names(sourcesOfEvent(p, { observer: { type: 'proxy' }, url: { original: 'http://x' } }))).toEqual([
      'proxy_observer',
    ]);
    const fw = { observer: { type: 'firewall' }, source: { ip: '1.2.3.4' }, destination: { port: 3389 } };
    expect(names(sourcesOfEvent(p, fw))).toEqual(['firewall_observer']);
    expect(get(fw, 'firewall_observer', 'src_ip')).toEqual(['1.2.3.4']);
    expect(get(fw, 'firewall_observer', 'dst_port')).toEqual([3389]);
    const dns = { dns: { question: { name: 'a.example', type: 'TXT' } } };
    expect(names(sourcesOfEvent(p, dns))).toEqual(['dns']);
    expect(get(dns, 'dns', 'record_type')).toEqual(['TXT']);
    const av = {
      event: { category: ['malware'] },
      rule: { name: 'Backdoor.Cobalt' },
      file: { path: 'C:\\t.exe' },
    };
    expect(names(sourcesOfEvent(p, av))).toEqual(['antivirus_ecs']);
    expect(get(av, 'antivirus_ecs', 'Signature')).toEqual(['Backdoor.Cobalt']);
  });

  it('puts a document of no known kind nowhere', () => {
    expect(sourcesOfEvent(p, { message: 'hello' }).size).toBe(0);
  });
});

describe(`ecs pipeline against the SigmaHQ corpus${CORPUS_NOTE}`, () => {
  let samples: RegressionSample[] = [];
  beforeAll(() => {
    if (HAS_CORPUS) samples = regressionSamples();
  });

  /** A regression EVTX record as the ingest writes it: winlog.* with the event data kept. */
  function toEcs(event: unknown): unknown {
    const { System: sys, EventData: data } = (
      event as { Event: { System: Record<string, unknown>; EventData: unknown } }
    ).Event;
    const provider = (sys.Provider as { '#attributes': { Name: string } })['#attributes'].Name;
    return {
      '@timestamp': (sys.TimeCreated as { '#attributes': { SystemTime: string } })['#attributes'].SystemTime,
      event: { code: String(sys.EventID), provider },
      host: { name: sys.Computer, os: { type: 'windows' } },
      winlog: {
        channel: sys.Channel,
        event_id: String(sys.EventID),
        provider_name: provider,
        computer_name: sys.Computer,
        event_data: data,
      },
    };
  }

  it.skipIf(!HAS_CORPUS)('makes every Windows regression sample, as ECS, a candidate for its rule', () => {
    const windows = samples.filter((s) => s.events.every((e) => (e as { Event?: unknown }).Event));
    expect(windows.length).toBeGreaterThan(100);
    const missed = windows
      .filter((s) => !s.events.some((e) => shares(toEcs(e), s.logsource)))
      .map((s) => `${s.file} ${JSON.stringify(s.logsource)}`);
    expect(missed).toEqual([]);
  });

  it.skipIf(!HAS_CORPUS)(
    'has a source for every Windows, Linux, macOS and network-category logsource',
    () => {
      const wanted = [...ruleLogsources(RULE_ROOTS).values()].filter(
        ({ logsource: ls }) =>
          ['windows', 'linux', 'macos'].includes(ls.product ?? '') ||
          ['webserver', 'proxy', 'firewall', 'dns', 'antivirus'].includes(ls.category ?? ''),
      );
      expect(wanted.length).toBeGreaterThan(80);
      const unserved = wanted
        .filter(({ logsource }) => sourcesFor(p, logsource).length === 0)
        .map(({ logsource, file }) => `${JSON.stringify(logsource)} (${file})`);
      expect(unserved).toEqual([]);
    },
  );
});

describe('ecs pipeline: keyword searches leave the verbatim event out', () => {
  const rule = (keywords: string[]) =>
    parseSigmaText(
      [
        'title: keywords',
        'logsource: { product: windows }',
        'detection:',
        `  k: [${keywords.map((k) => `'${k}'`).join(', ')}]`,
        '  condition: k',
      ].join('\n'),
      'k.yml',
    ).documents[0] as SigmaRule;
  const engine = new SigmaEngine({ pipeline: p });
  engine.add(rule(['sekurlsa::']));
  const doc = (original: string, data: Record<string, unknown> = {}) =>
    winlog('Security', 4688, data, { event: { code: '4688', provider: 'P', original } });

  it('a keyword only in event.original does not match; in a parsed field it does', () => {
    expect(p.keywordExclude).toEqual(['event.original']);
    expect(engine.match(doc('"CommandLine": "mimikatz sekurlsa::logonpasswords"'))).toHaveLength(0);
    expect(
      engine.match(doc('raw', { CommandLine: 'mimikatz sekurlsa::logonpasswords' })).map((r) => r.title),
    ).toEqual(['keywords']);
  });

  it('a flat dotted event.original key is left out too', () => {
    const flat = { ...doc('x'), 'event.original': 'sekurlsa::' };
    expect(engine.match(flat)).toHaveLength(0);
  });
});
