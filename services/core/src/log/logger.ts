import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { REDACT_PATHS, REDACTED } from './redact.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
  /** Human-readable lines for a terminal (`npm start`); JSON otherwise, for log shippers. */
  pretty?: boolean;
}

/** Structured JSON logs, one line per event, secrets redacted before they are written. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.service,
      level: options.level ?? 'info',
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ??
      (options.pretty
        ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service,name' })
        : pino.destination({ dest: 1, sync: false })),
  );
}
