import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage.ts';

/** Strict flag parsing: an unknown or malformed flag is a usage error, never silently ignored. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}
