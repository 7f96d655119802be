/**
 * Hand-written cases for the agreement test: rules aimed at one semantic corner each, and
 * events that sit on both sides of it. Every event is an ECS Sysmon process creation unless
 * it says otherwise; rules use `product: windows, category: process_creation`.
 */
import type { Doc } from './agreement-corpus.ts';

const proc = (fields: Doc): Doc => ({
  '@timestamp': '2024-05-06T07:08:09.000Z',
  winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: '1' },
  ...fields,
});

function rule(title: string, detection: string): string {
  return `title: ${title}\nlogsource: {product: windows, category: process_creation}\ndetection:\n${detection}\nlevel: low\n`;
}

export const HAND_RULES: string[] = [
  rule('exact', "  s: {Image: 'C:\\Windows\\cmd.exe'}\n  condition: s"),
  rule('cased', "  s: {Image|cased: 'C:\\Windows\\cmd.exe'}\n  condition: s"),
  rule('wildcards', "  s: {CommandLine: '*a?c\\*d*'}\n  condition: s"),
  rule('contains all', "  s: {CommandLine|contains|all: ['-enc', 'hidden']}\n  condition: s"),
  rule(
    'startswith endswith',
    "  s: {CommandLine|startswith: 'powershell', Image|endswith: '.EXE'}\n  condition: s",
  ),
  rule('windash many', "  s: {CommandLine|contains|windash: ' -a -b -c '}\n  condition: s"),
  rule('windash few', "  s: {CommandLine|contains|windash: ' -nop '}\n  condition: s"),
  rule('base64offset', "  s: {CommandLine|base64offset|contains: 'http://'}\n  condition: s"),
  rule('utf16 base64', "  s: {CommandLine|wide|base64offset|contains: 'ping'}\n  condition: s"),
  rule('base64 cased', "  s: {CommandLine|base64|cased: 'abc'}\n  condition: s"),
  rule('re i', "  s: {CommandLine|re|i: 'ab+c\\d{2}'}\n  condition: s"),
  rule('re anchors', "  s: {CommandLine|re: '^x[a-c]\\s.*y$'}\n  condition: s"),
  rule('re m', "  s: {CommandLine|re|m: '^two$'}\n  condition: s"),
  rule('re dot', "  s: {CommandLine|re: 'a.b'}\n  condition: s"),
  rule('re s', "  s: {CommandLine|re|s: 'a.b'}\n  condition: s"),
  rule('re alternation', "  s: {CommandLine|re: '^(foo|bar)|baz$'}\n  condition: s"),
  rule('number', '  s: {ProcessId: 4}\n  condition: s'),
  rule('number in keyword', '  s: {LogonType: 3}\n  condition: s'),
  rule('number string', "  s: {LogonType: '3'}\n  condition: s"),
  rule('boolean', '  s: {Elevated: true}\n  condition: s'),
  rule('empty', "  s: {ParentCommandLine: ''}\n  condition: s"),
  rule('null', '  s: {ParentCommandLine: null}\n  condition: s'),
  rule('exists', '  s: {ParentCommandLine|exists: true}\n  condition: s'),
  rule('neq', "  s: {User|neq: 'SYSTEM'}\n  condition: s"),
  rule(
    'not',
    "  s: {Image|endswith: 'cmd.exe'}\n  f: {CommandLine|contains: 'safe'}\n  condition: s and not f",
  ),
  rule(
    'one of them',
    "  s1: {Image|endswith: 'a.exe'}\n  s2: {Image|endswith: 'b.exe'}\n  condition: 1 of them",
  ),
  rule('all of s', "  s1: {Image|contains: 'x'}\n  s2: {CommandLine|contains: 'y'}\n  condition: all of s*"),
  rule('keywords', "  k: ['evil', 'BAD*thing']\n  condition: k"),
  rule('keywords all', "  k: {'|all': ['one', 'two']}\n  condition: k"),
  rule('unicode', "  s: {CommandLine|contains: 'Ünïcode'}\n  condition: s"),
  rule('port', '  s: {DestinationPort: 445}\n  condition: s').replace(
    'process_creation',
    'network_connection',
  ),
  rule('port contains', "  s: {DestinationPort|contains: '44'}\n  condition: s").replace(
    'process_creation',
    'network_connection',
  ),
  rule('port gt', '  s: {DestinationPort|gt: 1024}\n  condition: s').replace(
    'process_creation',
    'network_connection',
  ),
  rule(
    'cidr',
    "  s: {DestinationIp|cidr: ['10.0.0.0/8', '2001:db8::/32', '::ffff:192.168.0.0/112']}\n  condition: s",
  ).replace('process_creation', 'network_connection'),
  rule('ip prefix', "  s: {DestinationIp|startswith: '10.'}\n  condition: s").replace(
    'process_creation',
    'network_connection',
  ),
];

const net = (fields: Doc): Doc => ({
  '@timestamp': '2024-05-06T07:08:09.000Z',
  winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: '3' },
  ...fields,
});

export const HAND_EVENTS: Doc[] = [
  proc({ process: { executable: 'C:\\Windows\\cmd.exe', command_line: 'xabc\\*d', pid: 4 } }),
  proc({ process: { executable: 'c:\\windows\\CMD.EXE', command_line: 'aXc*d' } }),
  proc({ process: { executable: 'C:\\Windows\\cmd.exe.bak', command_line: 'abc*d' } }),
  proc({ process: { command_line: 'powershell -ENC xyz -w HIDDEN' } }),
  proc({ process: { command_line: 'POWERSHELL /nop', executable: 'C:\\x\\P.exe' } }),
  proc({ process: { command_line: 'x \u2013a /b \u2015c y' } }),
  proc({ process: { command_line: 'x -a -b +c y' } }),
  proc({ process: { command_line: 'x /nop y' } }),
  proc({ process: { command_line: `x ${Buffer.from('get http://evil').toString('base64')} y` } }),
  proc({ process: { command_line: `${Buffer.from('  ping -n 1', 'utf16le').toString('base64')}` } }),
  proc({ process: { command_line: 'YWJj' } }),
  proc({ process: { command_line: 'ywjj' } }),
  proc({ process: { command_line: 'zzABBBC12z' } }),
  proc({ process: { command_line: 'xb\ty' } }),
  proc({ process: { command_line: 'xb\t\nmid\ny' } }),
  proc({ process: { command_line: 'one\ntwo\r\nthree' } }),
  proc({ process: { command_line: 'a\nb' } }),
  proc({ process: { command_line: 'foo tail' } }),
  proc({ process: { command_line: 'head baz' } }),
  proc({ process: { command_line: 'head bar' } }),
  proc({ process: { pid: 40 }, winlog: { channel: 'microsoft-windows-sysmon/operational', event_id: '01' } }),
  proc({
    winlog: {
      channel: 'Microsoft-Windows-Sysmon/Operational',
      event_id: '1',
      event_data: { LogonType: '3' },
    },
  }),
  proc({
    winlog: {
      channel: 'Microsoft-Windows-Sysmon/Operational',
      event_id: '1.0',
      event_data: { LogonType: '03' },
    },
  }),
  proc({
    winlog: {
      channel: 'Microsoft-Windows-Sysmon/Operational',
      event_id: '+1',
      event_data: { LogonType: '3.0' },
    },
  }),
  proc({
    winlog: {
      channel: 'Microsoft-Windows-Sysmon/Operational',
      event_id: '1',
      event_data: { Elevated: 'TRUE' },
    },
  }),
  proc({
    winlog: {
      channel: 'Microsoft-Windows-Sysmon/Operational',
      event_id: '1',
      event_data: { Elevated: 'false' },
    },
  }),
  proc({ process: { parent: { command_line: '' } } }),
  proc({ process: { parent: { command_line: 'x' } }, user: { name: 'system' } }),
  proc({ user: { name: ['SYSTEM', 'bob'] } }),
  proc({ process: { executable: 'C:\\cmd.exe', command_line: 'is SAFE' } }),
  proc({ process: { executable: 'C:\\a.exe', command_line: 'y' } }),
  proc({ process: { executable: 'C:\\xb.exe', command_line: 'no' } }),
  proc({ message: 'an EVIL deed', process: { command_line: 'bad_thing' } }),
  proc({ message: 'two', process: { command_line: 'ONE' } }),
  proc({ message: 'bad-THING' }),
  proc({ process: { command_line: 'the ünïcode way' } }),
  net({ destination: { port: 445, ip: '10.1.2.3' } }),
  net({ destination: { port: 8443, ip: '2001:db8::1' } }),
  net({ destination: { port: 80, ip: '::ffff:192.168.1.1' } }),
  net({ destination: { port: 1024, ip: '192.168.1.1' } }),
  net({ destination: { ip: 'not-an-ip' } }),
];
