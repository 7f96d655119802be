import { describe, expect, it } from 'vitest';
import { FramingError, SyslogFramer } from './framing.ts';

const text = (frames: { bytes: Buffer; oversize: boolean }[]) =>
  frames.map((f) => `${f.bytes.toString()}${f.oversize ? ' [cut]' : ''}`);

describe('RFC 6587 framing', () => {
  it('octet-counted frames, split anywhere across chunks, may contain newlines', () => {
    const f = new SyslogFramer(1024);
    const a = '<13>1 - h app - - - one\nline';
    const stream = Buffer.from(`${Buffer.byteLength(a)} ${a}5 <13>x`);
    const got: string[] = [];
    for (let i = 0; i < stream.length; i += 3) got.push(...text(f.push(stream.subarray(i, i + 3))));
    expect(got).toEqual([a, '<13>x']);
  });

  it('newline framing, mixed with counted frames on one connection, last frame without LF at close', () => {
    const f = new SyslogFramer(1024);
    expect(text(f.push(Buffer.from('<13>a\n<13>b\r\n3 <1>')))).toEqual(['<13>a', '<13>b\r', '<1>']);
    expect(text(f.push(Buffer.from('<13>tail')))).toEqual([]);
    expect(text(f.end())).toEqual(['<13>tail']);
  });

  it('cuts an oversize frame of either kind at the bound and resumes at the next frame', () => {
    const f = new SyslogFramer(8);
    const long = 'x'.repeat(30);
    expect(text(f.push(Buffer.from(`${long}\n<1>ok\n30 ${long}4 <2>y`)))).toEqual([
      'xxxxxxxx [cut]',
      '<1>ok',
      'xxxxxxxx [cut]',
      '<2>y',
    ]);
  });

  it('an oversize counted frame whose rest arrives later is skipped without buffering it', () => {
    const f = new SyslogFramer(4);
    expect(text(f.push(Buffer.from('1000 abcdefg')))).toEqual(['abcd [cut]']);
    expect(text(f.push(Buffer.alloc(993, 0x41)))).toEqual([]);
    expect(text(f.push(Buffer.from('3 <1>')))).toEqual(['<1>']);
  });

  it('rejects a stream that is not syslog framing', () => {
    expect(() => new SyslogFramer(64).push(Buffer.from('12x <13>a'))).toThrow(FramingError);
    expect(() => new SyslogFramer(64).push(Buffer.from('99999999999 <13>a'))).toThrow(/too long/);
  });
});
