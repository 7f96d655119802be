import { readFileSync } from 'node:fs';
import { listRuleFiles } from '@soc/sigma';
import { parse } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../../usage.ts';

export const usage = `Usage: soc sigma <check|eval|to-es|bench> …

  soc sigma check [--format json] [--placeholders FILE] PATH...
      Load and compile Sigma rule files or folders. With --format json, one line per file:
      {"file","ok","rules","errors":[...]}. Ends with "N files: X ok, Y rejected".
      Exit 0 when every file loads, 1 otherwise. An |expand placeholder without a value
      is checked as '*'.

  --placeholders FILE (check, eval): YAML or JSON, placeholder name → value or list of
      values, e.g. "Legitimate_Countries: [VN, SG]"; eval rejects rules whose placeholders
      have no value.

  soc sigma eval --rules PATH [--rules PATH ...] [--pipeline NAME|FILE ...]
                 [--placeholders FILE] [EVENTS|-]
      Evaluate events (JSON Lines or concatenated JSON objects; "-" or nothing = stdin).
      Writes one JSON line per match: {"rule":{"id","title","level"},"event":N}.
      Without --pipeline the logsource is ignored and every event is a candidate; with
      several, each event is routed by whichever pipeline's sources it belongs to.
      Correlation rules in the --rules files write one line per correlation match:
      {"rule":{"id","title","level"},"group":{FIELD:VALUE,...},"events":[N,...]}; their
      event time is @timestamp or the pipeline's time field. Rules a correlation refers to
      are not written on their own unless it says generate: true.

  soc sigma bench [--events N] [--limit N] [--rules PATH ...] [--pipeline NAME|FILE]
                  [--no-prefilter] [--format json]
      Engine speed: compile the Windows rules of the SigmaHQ corpus at $SIGMA_CORPUS
      (default ../shared/sigmahq), or --rules, then evaluate N (default 1,000,000) events
      varied from its regression samples. Prints compile time, events/s, memory.`;

export function ruleFiles(paths: string[]): string[] {
  try {
    return listRuleFiles(paths);
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}

export async function readInput(path: string | undefined): Promise<string> {
  if (path && path !== '-') return readFileSync(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const placeholderFile = z.record(
  z.string(),
  z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v])),
);

/** The `--placeholders FILE` table for `|expand`, validated. */
export function readPlaceholders(file: string | undefined): Record<string, string[]> | undefined {
  if (file === undefined) return undefined;
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--placeholders ${file}: ${(err as Error).message.split('\n')[0]}`, usage);
  }
  const r = placeholderFile.safeParse(data ?? {});
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new UsageError(`--placeholders ${file}: ${i.path.join('.') || '(top)'}: ${i.message}`, usage);
  }
  return r.data;
}
