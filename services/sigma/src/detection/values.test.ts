import { describe, expect, it } from 'vitest';
import { allStrings, fieldExists, fieldValues } from '../event/access.ts';
import type { EventView } from './types.ts';
import { SigmaError } from './types.ts';
import {
  type CompileOptions,
  compileFieldCondition,
  type FieldCondition,
  requiredLiterals,
} from './values.ts';

const view = (event: Record<string, unknown>): EventView => ({
  get: (f) => fieldValues(event, f),
  exists: (f) => fieldExists(event, f),
  strings: () => allStrings(event),
});

/** `key` as written in a rule (`Field|mod|mod`, or `|all` / `` for keywords). */
const cond = (key: string, value: unknown): FieldCondition => {
  const [field, ...modifiers] = key.split('|');
  return {
    field: field === '' ? undefined : field,
    modifiers,
    values: Array.isArray(value) ? value : [value],
  };
};

const matcher = (key: string, value: unknown, opts?: CompileOptions) => {
  const p = compileFieldCondition(cond(key, value), opts);
  return (event: Record<string, unknown>) => p(view(event));
};

/** Asserts which events match. */
const check = (
  key: string,
  value: unknown,
  yes: Record<string, unknown>[],
  no: Record<string, unknown>[],
  opts?: CompileOptions,
) => {
  const m = matcher(key, value, opts);
  for (const e of yes)
    expect(m(e), `${key}: ${JSON.stringify(value)} should match ${JSON.stringify(e)}`).toBe(true);
  for (const e of no)
    expect(m(e), `${key}: ${JSON.stringify(value)} should not match ${JSON.stringify(e)}`).toBe(false);
};

const rejects = (key: string, value: unknown, message: RegExp, opts?: CompileOptions) => {
  expect(() => compileFieldCondition(cond(key, value), opts)).toThrow(SigmaError);
  expect(() => compileFieldCondition(cond(key, value), opts)).toThrow(message);
};

describe('plain values', () => {
  it('strings match whole values, case-insensitively', () => {
    check(
      'EventLog',
      'Security',
      [{ EventLog: 'Security' }, { EventLog: 'SECURITY' }],
      [{ EventLog: 'Security2' }, { EventLog: 'xSecurity' }, { Other: 'Security' }, {}],
    );
  });

  it('a list is OR (spec: Maps, EventID 517 or 1102)', () => {
    check(
      'EventID',
      [517, 1102],
      [{ EventID: 517 }, { EventID: 1102 }, { EventID: '1102' }],
      [{ EventID: 4688 }, {}],
    );
  });

  it('wildcards * and ? (spec: String Wildcard)', () => {
    check(
      'Image',
      'prog?.exe',
      [{ Image: 'progA.exe' }, { Image: 'PROGb.EXE' }],
      [{ Image: 'prog.exe' }, { Image: 'progAB.exe' }],
    );
    check(
      'Image',
      'antivirus_V*.exe',
      [{ Image: 'antivirus_V1.exe' }, { Image: 'antivirus_V21.2.1.exe' }],
      [{ Image: 'antivirus_V1.dll' }],
    );
    check(
      'Image',
      '*\\cmd.exe',
      [{ Image: 'C:\\Windows\\System32\\cmd.exe' }],
      [{ Image: 'C:\\cmd.exe.bak' }],
    );
    check('CommandLine', '*a*b*', [{ CommandLine: 'xaxbx' }], [{ CommandLine: 'xbxax' }]);
  });

  it('escaping (spec: Escape Character)', () => {
    check('F', 'a\\*b', [{ F: 'a*b' }], [{ F: 'axxb' }, { F: 'ab' }]);
    check('F', 'what\\?', [{ F: 'what?' }], [{ F: 'whatx' }]);
    check('F', 'C:\\Windows\\x', [{ F: 'C:\\Windows\\x' }], [{ F: 'C:\\\\Windows\\\\x' }]);
    check('F', 'C:\\\\Windows', [{ F: 'C:\\Windows' }], [{ F: 'C:\\\\Windows' }]);
    check('F', 'dir\\\\*', [{ F: 'dir\\' }, { F: 'dir\\sub' }], [{ F: 'dir*' }, { F: 'dirx' }]);
    check('F', 'dir\\\\\\*', [{ F: 'dir\\*' }], [{ F: 'dir\\x' }]);
    check('F', '\\\\\\\\srv', [{ F: '\\\\srv' }], [{ F: '\\srv' }]);
  });

  it('empty string matches only the empty string (spec: Special Field Values)', () => {
    check('F', '', [{ F: '' }], [{ F: ' ' }, { F: null }, {}, { F: 0 }]);
  });

  it('null matches an absent or null field', () => {
    check(
      'PasswordLastSet',
      null,
      [{}, { PasswordLastSet: null }, { PasswordLastSet: [] }],
      [{ PasswordLastSet: '' }, { PasswordLastSet: 'x' }, { PasswordLastSet: 0 }],
    );
  });

  it('null cannot be part of a list or take modifiers (spec: Invalid Example)', () => {
    rejects('FieldB', ['', null], /null cannot be part of a list/);
    rejects('FieldB|contains', null, /null cannot be used with the modifier 'contains'/);
    rejects('', [null], /keyword cannot be null/);
  });

  it('numbers match numbers and their decimal string form, both ways', () => {
    check(
      'EventID',
      4688,
      [{ EventID: 4688 }, { EventID: '4688' }, { EventID: '4688.0' }],
      [{ EventID: 46880 }, { EventID: '4688 ' }, { EventID: 'x4688' }, { EventID: true }],
    );
    check(
      'EventID',
      '4688',
      [{ EventID: 4688 }, { EventID: '4688' }],
      [{ EventID: 4689 }, { EventID: '04688' }],
    );
    check(
      'TicketOptions',
      '0x40810000',
      [{ TicketOptions: '0x40810000' }, { TicketOptions: '0X40810000' }],
      [{ TicketOptions: 1082195968 }],
    );
    check('Ratio', 1.5, [{ Ratio: 1.5 }, { Ratio: '1.5' }, { Ratio: '1.50' }], [{ Ratio: 15 }]);
    check('EventID', '46*', [{ EventID: 4688 }], [{ EventID: 5688 }]);
  });

  it('booleans match booleans and true / false strings', () => {
    check(
      'Enabled',
      true,
      [{ Enabled: true }, { Enabled: 'true' }, { Enabled: 'True' }],
      [{ Enabled: false }, { Enabled: 'false' }, { Enabled: 1 }, {}],
    );
    check('Enabled', 'false', [{ Enabled: false }, { Enabled: 'FALSE' }], [{ Enabled: true }]);
  });

  it('an array field matches when any element does', () => {
    check(
      'Tags',
      'b',
      [{ Tags: ['a', 'b'] }, { Tags: [['c'], ['B']] }],
      [{ Tags: ['a', 'c'] }, { Tags: [] }],
    );
    check('p.name', 'x', [{ p: [{ name: 'y' }, { name: 'x' }] }, { 'p.name': 'X' }], [{ p: { name: 'y' } }]);
  });

  it('rejects values of other types and missing values', () => {
    rejects('F', [{ a: 1 }], /unsupported value/);
    rejects('F', [], /no value/);
  });
});

describe('contains / startswith / endswith / all', () => {
  it('contains', () => {
    check(
      'CommandLine|contains',
      'Test executable',
      [{ CommandLine: 'a TEST executable b' }],
      [{ CommandLine: 'Test exe' }],
    );
    check(
      'CommandLine|contains',
      ['a\\*b', 'q?r'],
      [{ CommandLine: 'xa*bx' }, { CommandLine: 'qXr' }],
      [{ CommandLine: 'axb' }, { CommandLine: 'qr' }],
    );
  });

  it('startswith / endswith', () => {
    check(
      'Image|startswith',
      'C:\\Windows\\',
      [{ Image: 'c:\\windows\\x.exe' }],
      [{ Image: 'D:\\C:\\Windows\\' }],
    );
    check('Image|endswith', '\\example.exe', [{ Image: 'C:\\tmp\\EXAMPLE.exe' }], [{ Image: 'example.exe' }]);
    check('Image|endswith', ['\\a.exe', '\\b.exe'], [{ Image: 'x\\b.exe' }], [{ Image: 'x\\c.exe' }]);
  });

  it('contains|all needs every value (in any element of the field)', () => {
    check(
      'CommandLine|contains|all',
      ['-enc', 'hidden'],
      [{ CommandLine: 'powershell -w HIDDEN -enc AAA' }, { CommandLine: ['-enc x', 'hidden'] }],
      [{ CommandLine: 'powershell -enc AAA' }, { CommandLine: 'hidden' }],
    );
  });

  it('all on a single value is rejected (spec)', () => {
    rejects('CommandLine|contains|all', ['x'], /'all' needs a list of at least two values/);
  });

  it('numbers with contains become strings', () => {
    check('EventID|contains', 68, [{ EventID: 4688 }, { EventID: 'x68' }], [{ EventID: 4600 }]);
  });
});

describe('cased', () => {
  it('matches case-sensitively', () => {
    check('Image|cased', 'CMD.exe', [{ Image: 'CMD.exe' }], [{ Image: 'cmd.exe' }]);
    check('Image|contains|cased', 'Mimi', [{ Image: 'xMimikatz' }], [{ Image: 'mimikatz' }]);
    check(
      'Image|endswith|cased',
      ['\\A.EXE', '\\b.exe'],
      [{ Image: 'x\\A.EXE' }, { Image: 'x\\b.exe' }],
      [{ Image: 'x\\a.exe' }, { Image: 'x\\B.EXE' }],
    );
  });
});

describe('neq', () => {
  it('negates the whole condition (pySigma semantics)', () => {
    check('User|neq', 'SYSTEM', [{ User: 'admin' }, {}], [{ User: 'system' }, { User: 'SYSTEM' }]);
    check('User|neq', ['a', 'b'], [{ User: 'c' }], [{ User: 'a' }, { User: 'B' }]);
    check('Port|neq', 443, [{ Port: 80 }], [{ Port: 443 }, { Port: '443' }]);
    check('F|neq', null, [{ F: 'x' }, { F: '' }], [{ F: null }, {}]);
    check('Image|endswith|neq', '.exe', [{ Image: 'a.dll' }], [{ Image: 'a.EXE' }]);
  });
});

describe('exists', () => {
  it('checks presence only, whatever the value (spec: Field Existence)', () => {
    check(
      'PasswordLastSet|exists',
      true,
      [{ PasswordLastSet: 'x' }, { PasswordLastSet: null }, { PasswordLastSet: '' }],
      [{}, { Other: 1 }],
    );
    check('PasswordLastSet|exists', false, [{}, { Other: 1 }], [{ PasswordLastSet: null }]);
    check('a.b|exists', 'true', [{ a: { b: 1 } }], [{ a: {} }]);
  });

  it('takes one boolean', () => {
    rejects('F|exists', 'yes', /'exists' takes true or false/);
    rejects('F|exists', [true, false], /single value/);
    rejects('F|exists|contains', true, /cannot be combined/);
  });
});

describe('windash', () => {
  it('matches every dash form at the start of a flag (spec: 5 characters)', () => {
    const yes = ['-', '/', '\u2013', '\u2014', '\u2015'].map((d) => ({
      CommandLine: `svchost.exe ${d}n evil`,
    }));
    check('CommandLine|contains|windash', ' -n ', yes, [
      { CommandLine: 'svchost.exe +n evil' },
      { CommandLine: 'x-n y' },
    ]);
  });

  it('expands every position independently', () => {
    check(
      'CommandLine|windash|contains',
      '-a -b',
      [{ CommandLine: 'x /a \u2014b' }, { CommandLine: '\u2015a -b' }],
      [{ CommandLine: '-a +b' }],
    );
  });

  it('leaves dashes inside words alone', () => {
    check('CommandLine|windash', 'foo-bar', [{ CommandLine: 'foo-bar' }], [{ CommandLine: 'foo/bar' }]);
  });

  it('uses a regex for many positions and stays exact', () => {
    check(
      'CommandLine|windash|contains',
      '-a -b -c -d',
      [{ CommandLine: 'x /a \u2013b -c \u2015d y' }],
      [
        { CommandLine: 'x /a \u2013b -c +d y' },
        { CommandLine: 'x /a \u2013b -c -e' },
        { CommandLine: 'x -a -b -c' },
      ],
    );
  });
});

describe('re', () => {
  it('is a case-sensitive search', () => {
    check(
      'CommandLine|re',
      '\\s-enc\\s',
      [{ CommandLine: 'p -enc x' }],
      [{ CommandLine: 'p -ENC x' }, { CommandLine: '-enc' }],
    );
  });

  it('i, m, s sub-modifiers', () => {
    check(
      'F|re|i',
      '^c:\\\\users\\\\[^\\\\]+\\\\ntuser\\.dat$',
      [{ F: 'C:\\Users\\bob\\NTUSER.DAT' }],
      [{ F: 'C:\\Users\\bob\\x\\NTUSER.DAT' }],
    );
    check('F|re|m', '^b$', [{ F: 'a\nb\nc' }], [{ F: 'a\nbb' }]);
    check('F|re|s', 'a.b', [{ F: 'a\nb' }], [{ F: 'ab' }]);
    check('F|re', 'a.b', [{ F: 'axb' }], [{ F: 'a\nb' }]);
  });

  it('PCRE inline (?i) as used by SigmaHQ rules', () => {
    check(
      'cs-uri|re',
      '(?i)(ipfs\\.io/|ipfs\\.io\\s).+\\..+@.+\\.[a-z]+',
      [{ 'cs-uri': 'https://IPFS.io/x.y@z.COM' }],
      [{ 'cs-uri': 'https://ipfs.io/xy' }],
    );
  });

  it('list is OR, all is AND', () => {
    check('F|re', ['^a', 'b$'], [{ F: 'ax' }, { F: 'xb' }], [{ F: 'xx' }]);
    check('F|re|all', ['^a', 'b$'], [{ F: 'axb' }], [{ F: 'ax' }]);
  });

  it('tests numbers through their string form', () => {
    check('EventID|re', '^46\\d\\d$', [{ EventID: 4688 }], [{ EventID: 5688 }]);
  });

  it('rejects invalid and backtracking-prone expressions', () => {
    rejects('F|re', '(unclosed', /invalid regular expression/);
    rejects('F|re', '(a+)+', /nested quantifiers.*simple structural check/);
    rejects('F|re', '(.*)*', /nested quantifiers/);
    rejects('F|re', '(\\w+\\s?)*', /nested quantifiers/);
  });

  it('tests at most 64 KiB of a value', () => {
    const long = `${'x'.repeat(70 * 1024)}needle`;
    check('F|re', 'needle', [{ F: `needle${long}` }], [{ F: long }]);
  });
});

describe('base64 / base64offset / utf16', () => {
  it('base64 matches the encoded value', () => {
    const enc = Buffer.from('cmd.exe /c whoami').toString('base64');
    check('F|base64', 'cmd.exe /c whoami', [{ F: enc }], [{ F: 'cmd.exe /c whoami' }]);
    check(
      'F|base64|contains',
      'whoami',
      [{ F: `x${Buffer.from('whoami').toString('base64')}y` }],
      [{ F: 'whoami' }],
    );
  });

  it('base64offset|contains finds a value at any offset of an encoded text', () => {
    const m = matcher('CommandLine|base64offset|contains', '/bin/bash');
    for (const prefix of ['', 'a', 'ab', 'echo hi; ']) {
      const encoded = Buffer.from(`${prefix}/bin/bash -i`).toString('base64');
      expect(m({ CommandLine: `echo ${encoded} | base64 -d` }), prefix).toBe(true);
    }
    expect(m({ CommandLine: Buffer.from('/bin/sh -i').toString('base64') })).toBe(false);
  });

  it('base64offset of http:// has the three known forms', () => {
    check(
      'F|base64offset|contains',
      'http://',
      [{ F: 'xxaHR0cDovLxx' }, { F: 'h0dHA6Ly' }, { F: 'odHRwOi8v' }],
      [{ F: 'http://' }],
    );
  });

  it('wide|base64offset|contains: UTF-16LE before base64, like PowerShell -enc', () => {
    const m = matcher('ScriptBlockText|wide|base64offset|contains', 'Invoke-Mimikatz');
    for (const prefix of ['', 'I', 'IE', 'IEX (']) {
      const enc = Buffer.from(`${prefix}Invoke-Mimikatz -Dump`, 'utf16le').toString('base64');
      expect(m({ ScriptBlockText: `powershell -enc ${enc}` }), prefix).toBe(true);
    }
    const utf8 = Buffer.from('Invoke-Mimikatz').toString('base64');
    expect(m({ ScriptBlockText: utf8 })).toBe(false);
  });

  it('utf16le / utf16be / utf16 bytes feed base64', () => {
    const le = Buffer.from('cmd', 'utf16le').toString('base64');
    const be = Buffer.from([0, 0x63, 0, 0x6d, 0, 0x64]).toString('base64');
    const bom = Buffer.from([0xff, 0xfe, 0x63, 0, 0x6d, 0, 0x64, 0]).toString('base64');
    check('F|utf16le|base64', 'cmd', [{ F: le }], [{ F: be }]);
    check('F|utf16be|base64', 'cmd', [{ F: be }], [{ F: le }]);
    check('F|utf16|base64', 'cmd', [{ F: bom }], [{ F: le }]);
  });

  it('utf16le without base64 matches the wide string', () => {
    check('F|wide|contains', 'cmd', [{ F: 'xc\u0000m\u0000d\u0000y' }], [{ F: 'cmd' }]);
  });

  it('windash before an encoding spells out every variant', () => {
    const m = matcher('F|windash|base64offset|contains', ' -enc');
    expect(m({ F: Buffer.from('x /enc y').toString('base64') })).toBe(true);
    expect(m({ F: Buffer.from('x \u2013enc y').toString('base64') })).toBe(true);
  });

  it('rejects wildcards and too-short values', () => {
    rejects('F|base64', 'a*b', /cannot encode a value with wildcards/);
    rejects('F|base64offset|contains', 'a', /at least 2 bytes/);
  });
});

describe('lt / lte / gt / gte', () => {
  it('compares numbers and numeric strings', () => {
    check(
      'Size|gt',
      100,
      [{ Size: 101 }, { Size: '150' }, { Size: [1, 200] }],
      [{ Size: 100 }, { Size: 'big' }, {}],
    );
    check('Size|gte', '100', [{ Size: 100 }, { Size: 100.5 }], [{ Size: 99.9 }]);
    check('Size|lt', 10, [{ Size: 9 }, { Size: -1 }], [{ Size: 10 }, { Size: '0x1' }, { Size: true }]);
    check('Size|lte', 10, [{ Size: 10 }, { Size: '1e1' }], [{ Size: 11 }]);
  });

  it('a list is OR, all is AND', () => {
    check('Size|gt|all', [10, 20], [{ Size: 21 }], [{ Size: 15 }]);
    check('Size|gt', [10, 20], [{ Size: 15 }], [{ Size: 5 }]);
  });

  it('rejects non-numeric values', () => {
    rejects('Size|gt', 'ten', /'gt' needs a number, got 'ten'/);
    rejects('Size|lt', true, /'lt' needs a number/);
  });
});

describe('time modifiers', () => {
  const ts = '2024-03-05T23:07:09.000+07:00';
  it.each([
    ['minute', 7, 8],
    ['hour', 23, 16],
    ['day', 5, 4],
    ['week', 10, 11],
    ['month', 3, 4],
    ['year', 2024, 2023],
  ])('%s extracts a component of the timestamp', (mod, yes, no) => {
    check(`UtcTime|${mod}`, yes, [{ UtcTime: ts }], [{ UtcTime: 'not a time' }, {}]);
    check(`UtcTime|${mod}`, no, [], [{ UtcTime: ts }]);
  });

  it('combines with a comparison (extension) and reads epoch numbers', () => {
    check(
      'UtcTime|hour|gte',
      20,
      [{ UtcTime: ts }, { UtcTime: '2024-01-01 21:00:00' }],
      [{ UtcTime: '2024-01-01 08:00' }],
    );
    check('t|hour', [22, 23], [{ t: 1_709_679_600 }], [{ t: 1_709_600_000 }]);
  });

  it('rejects values out of range', () => {
    rejects('t|hour', 24, /'hour' needs a whole number from 0 to 23/);
    rejects('t|month', 'march', /'month' needs a number/);
    rejects('t|minute', 1.5, /whole number/);
  });
});

describe('cidr', () => {
  it('matches IPv4 and IPv6 networks (spec example 10.0.0.0/8)', () => {
    check(
      'DestinationIp|cidr',
      '10.0.0.0/8',
      [{ DestinationIp: '10.1.2.3' }, { DestinationIp: '::ffff:10.1.2.3' }],
      [{ DestinationIp: '11.1.2.3' }, { DestinationIp: 'x' }, {}],
    );
    check(
      'DestinationIp|cidr',
      ['fe80::/10', '127.0.0.0/8'],
      [{ DestinationIp: 'FE80::1' }, { DestinationIp: '127.0.0.1' }],
      [{ DestinationIp: '2001:db8::1' }],
    );
    check(
      'DestinationIp|cidr|neq',
      '10.0.0.0/8',
      [{ DestinationIp: '8.8.8.8' }],
      [{ DestinationIp: '10.0.0.1' }],
    );
  });

  it('rejects a bad network', () => {
    rejects('DestinationIp|cidr', '10.0.0.0/33', /not a CIDR network/);
    rejects('DestinationIp|cidr', 'localhost', /not a CIDR network/);
    rejects('DestinationIp|cidr', 10, /'cidr' needs a network string/);
  });
});

describe('expand', () => {
  const opts = { placeholders: { Servers: ['srv*', 'DC01'], Admins: ['root'] } };

  it('replaces placeholders with every configured value (spec: Placeholders)', () => {
    check(
      'Computer|expand',
      '%Servers%',
      [{ Computer: 'SRV-12' }, { Computer: 'dc01' }],
      [{ Computer: 'ws-1' }],
      opts,
    );
    check('User|expand', '%Admins%@%Servers%', [{ User: 'root@srvx' }], [{ User: 'bob@srvx' }], opts);
    check(
      'Path|contains|expand',
      '\\%plain%Admins%',
      [{ Path: 'x%plainrootx' }],
      [{ Path: 'x%plain%Admins%' }],
      opts,
    );
  });

  it('without expand a placeholder is literal text', () => {
    check('Computer', '%Servers%', [{ Computer: '%servers%' }], [{ Computer: 'srv1' }], opts);
  });

  it('an empty placeholder list matches nothing', () => {
    check('Computer|expand', '%None%', [], [{ Computer: '' }, { Computer: 'x' }], {
      placeholders: { None: [] },
    });
  });

  it('rejects unknown placeholders', () => {
    rejects('Computer|expand', '%Nope%', /unknown placeholder %Nope%/, opts);
    rejects('Computer|expand', '%Servers%', /no placeholder values are configured/);
  });
});

describe('fieldref', () => {
  it('compares two fields of the event, case-insensitively', () => {
    check(
      'TargetUserName|fieldref',
      'SubjectUserName',
      [
        { TargetUserName: 'Bob', SubjectUserName: 'bob' },
        { TargetUserName: ['x', 'y'], SubjectUserName: ['z', 'Y'] },
        { TargetUserName: 5, SubjectUserName: '5' },
      ],
      [
        { TargetUserName: 'bob', SubjectUserName: 'alice' },
        { TargetUserName: 'bob' },
        { SubjectUserName: 'bob' },
        {},
      ],
    );
  });

  it('cased, contains/startswith/endswith and neq', () => {
    check('A|fieldref|cased', 'B', [{ A: 'X', B: 'X' }], [{ A: 'X', B: 'x' }]);
    check(
      'CommandLine|fieldref|contains',
      'Image',
      [{ CommandLine: '"C:\\a.exe" -x', Image: 'c:\\A.EXE' }],
      [{ CommandLine: 'b.exe', Image: 'c:\\a.exe' }],
    );
    check('A|fieldref|startswith', 'B', [{ A: 'abc', B: 'ab' }], [{ A: 'abc', B: 'bc' }]);
    check('A|fieldref|endswith', 'B', [{ A: 'abc', B: 'bc' }], [{ A: 'abc', B: 'ab' }]);
    check('A|fieldref|neq', 'B', [{ A: 'x', B: 'y' }, { A: 'x' }], [{ A: 'x', B: 'X' }]);
  });

  it('list is OR, all is AND', () => {
    check('A|fieldref', ['B', 'C'], [{ A: 'x', B: 'y', C: 'x' }], [{ A: 'x', B: 'y', C: 'z' }]);
    check('A|fieldref|all', ['B', 'C'], [{ A: 'x', B: 'x', C: 'X' }], [{ A: 'x', B: 'y', C: 'x' }]);
  });

  it('rejects a non-name', () => {
    rejects('A|fieldref', 'B*', /cannot hold wildcards/);
    rejects('A|fieldref', 5, /needs a field name/);
  });
});

describe('keyword search', () => {
  it('matches a value anywhere in any string of the event (spec: Keywords search)', () => {
    check(
      '',
      ['event::clear', 'event::drop'],
      [{ a: 'mimikatz # EVENT::Clear' }, { n: { x: ['y', 'event::drop'] } }],
      [{ a: 'event:clear' }, { a: 1 }],
    );
  });

  it('|all needs every keyword, each in any string', () => {
    check(
      '|all',
      ['OabVirtualDirectory', ' -ExternalUrl '],
      [
        { a: 'Set-OabVirtualDirectory -ExternalUrl http://x' },
        { a: 'OabVirtualDirectory', b: 'x -externalurl y' },
      ],
      [{ a: 'Set-OabVirtualDirectory' }],
    );
  });

  it('numbers are keywords too, matched in strings only', () => {
    check('', [4688], [{ a: 'id 4688' }], [{ a: 4688 }]);
  });

  it('wildcards, cased, re and startswith work on keywords', () => {
    check('', ['evil*.exe'], [{ a: 'run EVIL123.exe now' }], [{ a: 'evil.dll' }]);
    check('|cased', ['Evil'], [{ a: 'xEvilx' }], [{ a: 'evil' }]);
    check('|re', ['^ab+c$'], [{ a: 'x', b: 'abbc' }], [{ a: 'xabc' }]);
    check('|startswith', ['abc'], [{ a: 'abcd' }], [{ a: 'xabc' }]);
  });

  it('rejects field-only modifiers', () => {
    rejects('|exists', [true], /needs a field/);
    rejects('|gt', [1], /needs a field/);
  });
});

describe('requiredLiterals', () => {
  const lits = (key: string, value: unknown) => requiredLiterals(cond(key, value));

  it('returns the literal parts, lowercased unless cased', () => {
    expect(lits('Image|endswith', '\\CMD.exe')).toEqual(['\\cmd.exe']);
    expect(lits('Image|endswith|cased', '\\CMD.exe')).toEqual(['\\CMD.exe']);
    expect(lits('F', 'abc*def?ghi')).toEqual(['abc', 'def', 'ghi']);
    expect(lits('', ['Mimikatz'])).toEqual(['mimikatz']);
  });

  it('all: every value contributes; OR: only literals common to all values', () => {
    expect(lits('CommandLine|contains|all', ['-enc', 'Hidden'])).toEqual(['-enc', 'hidden']);
    expect(lits('CommandLine|contains', ['-enc', 'Hidden'])).toEqual([]);
    expect(lits('F', ['ab*x', 'cd*x'])).toEqual(['x']);
  });

  it('windash positions and placeholders split literals', () => {
    expect(lits('F|windash|contains', ' -nop -w hidden')).toEqual([' ', 'nop ', 'w hidden']);
    expect(lits('F|expand', 'pre%x%post')).toEqual(['pre', 'post']);
  });

  it('base64 gives the encoded literal, base64offset none', () => {
    expect(lits('F|base64|contains', 'whoami')).toEqual([
      Buffer.from('whoami').toString('base64').toLowerCase(),
    ]);
    expect(lits('F|base64offset|contains', 'whoami')).toEqual([]);
  });

  it('gives none when a value could match an event number or boolean', () => {
    expect(lits('EventID', '4688')).toEqual([]);
    expect(lits('EventID', 4688)).toEqual([]);
    expect(lits('Enabled', 'tru*')).toEqual([]);
    expect(lits('Enabled', true)).toEqual([]);
  });

  it('gives none for typed modifiers, neq, null and invalid conditions', () => {
    expect(lits('F|re', 'abc')).toEqual([]);
    expect(lits('F|cidr', '10.0.0.0/8')).toEqual([]);
    expect(lits('F|neq', 'abc')).toEqual([]);
    expect(lits('F', null)).toEqual([]);
    expect(lits('F|exists', true)).toEqual([]);
    expect(lits('F|bogus', 'abc')).toEqual([]);
  });

  it('every match of a condition contains its literals', () => {
    const samples = [
      'C:\\Windows\\cmd.exe',
      'x -nop /w hidden',
      'a\\*b',
      'Set-Oab -ExternalUrl',
      'abcdefghi',
    ];
    const conds: [string, unknown][] = [
      ['F|endswith', '\\cmd.exe'],
      ['F|windash|contains', ' -nop -w hidden'],
      ['F|contains', 'a\\*b'],
      ['F|contains|all', ['oab', ' -externalurl']],
      ['F', 'abc*def?hi'],
    ];
    for (const [key, value] of conds) {
      const p = compileFieldCondition(cond(key, value));
      const required = requiredLiterals(cond(key, value));
      expect(required.length).toBeGreaterThan(0);
      for (const s of samples) {
        if (p(view({ F: s }))) for (const l of required) expect(s.toLowerCase()).toContain(l);
      }
    }
  });
});
