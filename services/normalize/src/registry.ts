import { cefParser } from './sources/cef.ts';
import { fimParser, inventoryParser } from './sources/endpoint.ts';
import { jsonParser, rawParser } from './sources/generic.ts';
import { journaldParser } from './sources/journald.ts';
import { leefParser } from './sources/leef.ts';
import { snmpParser } from './sources/snmp.ts';
import { suricataParser } from './sources/suricata.ts';
import { syslogParser } from './sources/syslog/index.ts';
import { accessParser } from './sources/web/access.ts';
import { errorLogParser } from './sources/web/error.ts';
import { windowsParser } from './sources/windows/index.ts';
import type { Parser } from './types.ts';

/**
 * Every parser, in the order their `sniff` is tried: the most specific first, then the
 * generic JSON and raw-text fall-backs (last, which claims everything).
 */
export const PARSERS: readonly Parser[] = [
  windowsParser,
  suricataParser,
  fimParser,
  inventoryParser,
  journaldParser,
  snmpParser,
  jsonParser,
  cefParser,
  leefParser,
  accessParser,
  errorLogParser,
  syslogParser,
  rawParser,
];

export function parserFor(id: string): Parser | undefined {
  return PARSERS.find((p) => p.id === id);
}
