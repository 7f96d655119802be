import { describe, expect, it } from 'vitest';
import { cutAtCharBoundary, syslogBody } from './body.ts';

const from = { address: '192.0.2.7', port: 5140, transport: 'udp' as const };

describe('syslog message body', () => {
  it('ships the message raw with the sender, without the trailing newline', () => {
    const { body, verdict } = syslogBody(Buffer.from('<34>Oct 11 22:14:15 fw su: fail\r\n'), 1024, from);
    expect(verdict).toBe('ok');
    expect(body).toEqual({ line: '<34>Oct 11 22:14:15 fw su: fail', source: from });
  });

  it('cuts an oversize message at the bound, never inside a UTF-8 character, and marks it', () => {
    const { body, verdict } = syslogBody(Buffer.from('<13>Tiếng Việt có dấu'), 8, from);
    expect(verdict).toBe('oversize');
    expect(body.truncated).toBe(true);
    expect(body.line).toBe('<13>Ti');
    expect(cutAtCharBoundary(Buffer.from('ệ'), 2).length).toBe(0);
  });

  it('ships invalid UTF-8 and binary payloads raw with a parse-error flag', () => {
    const bad = syslogBody(Buffer.from([0x3c, 0x31, 0x3e, 0xff, 0xfe, 0x41]), 1024, from);
    expect(bad.verdict).toBe('garbage');
    expect(bad.body.line).toBe('<1>\uFFFD\uFFFDA');
    expect(bad.body.parseError).toMatch(/UTF-8/);
    const bin = syslogBody(Buffer.from([0x01, 0x02, 0x41, 0x00, 0x42]), 1024, from);
    expect(bin.verdict).toBe('garbage');
    expect(bin.body.parseError).toMatch(/binary/);
  });
});
