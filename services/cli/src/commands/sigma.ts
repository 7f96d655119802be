import { readFileSync } from 'node:fs';
import {
  formatProblem,
  listRuleFiles,
  loadPipeline,
  parseJsonValues,
  parseSigmaFile,
  type RuleProblem,
  SigmaEngine,
  type SigmaFilter,
  type SigmaRule,
} from '@soc/sigma';
import { parseFlags } from '../args.ts';
import { type Command, EXIT, UsageError } from '../usage.ts';

const usage = `Usage: soc sigma <check|eval> …

  soc sigma check [--format json] PATH...
      Load and compile Sigma rule files or folders. With --format json, one line per file:
      {"file","ok","rules","errors":[...]}. Ends with "N files: X ok, Y rejected".
      Exit 0 when every file loads, 1 otherwise.

  soc sigma eval --rules PATH [--rules PATH ...] [--pipeline NAME|FILE ...] [EVENTS|-]
      Evaluate events (JSON Lines or concatenated JSON objects; "-" or nothing = stdin).
      Writes one JSON line per match: {"rule":{"id","title","level"},"event":N}.
      Without --pipeline the logsource is ignored and every event is a candidate.`;

function ruleFiles(paths: string[]): string[] {
  try {
    return listRuleFiles(paths);
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { format: { type: 'string' } }, usage);
  if (values.format !== undefined && values.format !== 'json' && values.format !== 'text') {
    throw new UsageError(`--format must be json or text, got ${values.format}`, usage);
  }
  if (!positionals.length) throw new UsageError('check needs at least one PATH', usage);
  const files = ruleFiles(positionals);
  // Compiling needs no pipeline: a rule is valid whatever the logsource it names.
  const engine = new SigmaEngine();
  let ok = 0;
  for (const file of files) {
    const loaded = parseSigmaFile(file);
    const problems: RuleProblem[] = [...loaded.problems];
    for (const doc of loaded.documents) {
      if (doc.kind !== 'rule') continue;
      const status = engine.add(doc);
      if (status.state === 'rejected') {
        problems.push({
          file,
          line: doc.origin.line,
          document: doc.origin.document,
          message: status.reason ?? 'rejected',
        });
      }
    }
    if (problems.length === 0) ok++;
    if (values.format === 'json') {
      console.log(
        JSON.stringify({
          file,
          ok: problems.length === 0,
          rules: loaded.documents.length,
          errors: problems.map((p) => ({
            line: p.line,
            document: p.document,
            path: p.path,
            message: p.message,
          })),
        }),
      );
    } else {
      for (const p of problems) console.log(formatProblem(p));
    }
  }
  console.log(`${files.length} files: ${ok} ok, ${files.length - ok} rejected`);
  return ok === files.length ? EXIT.ok : EXIT.failure;
}

async function readInput(path: string | undefined): Promise<string> {
  if (path && path !== '-') return readFileSync(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function evaluate(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { rules: { type: 'string', multiple: true }, pipeline: { type: 'string', multiple: true } },
    usage,
  );
  if (!values.rules?.length) throw new UsageError('eval needs --rules PATH', usage);
  if (positionals.length > 1)
    throw new UsageError(`eval takes one EVENTS file, got ${positionals.length}`, usage);
  if ((values.pipeline?.length ?? 0) > 1)
    throw new UsageError('only one --pipeline is supported for now', usage);
  const pipeline = values.pipeline?.[0] ? loadPipeline(values.pipeline[0]) : undefined;
  const engine = new SigmaEngine({ pipeline });
  const rules: SigmaRule[] = [];
  let failed = false;
  for (const file of ruleFiles(values.rules)) {
    const loaded = parseSigmaFile(file);
    for (const p of loaded.problems) {
      console.error(formatProblem(p));
      failed = true;
    }
    for (const d of loaded.documents) if (d.kind === 'filter') engine.addFilter(d as SigmaFilter);
    for (const d of loaded.documents) if (d.kind === 'rule') rules.push(d);
  }
  for (const r of rules) {
    const status = engine.add(r);
    if (status.state !== 'active') console.error(`${r.origin.file}: ${status.state}: ${status.reason}`);
    if (status.state === 'rejected') failed = true;
  }
  let n = 0;
  const out: string[] = [];
  for (const event of parseJsonValues(await readInput(positionals[0]))) {
    for (const rule of engine.match(event)) {
      out.push(JSON.stringify({ rule: { id: rule.id, title: rule.title, level: rule.level }, event: n }));
      if (out.length >= 1000) process.stdout.write(`${out.splice(0).join('\n')}\n`);
    }
    n++;
  }
  if (out.length) process.stdout.write(`${out.join('\n')}\n`);
  return failed ? EXIT.failure : EXIT.ok;
}

export const sigmaCommand: Command = {
  name: 'sigma',
  summary: 'check Sigma rules and evaluate them over events (check|eval)',
  usage,
  async run(argv) {
    const [action, ...rest] = argv;
    if (action === '--help' || action === '-h' || action === 'help') {
      console.log(usage);
      return EXIT.ok;
    }
    if (action === 'check') return check(rest);
    if (action === 'eval') return evaluate(rest);
    throw new UsageError(action ? `unknown action: ${action}` : 'missing action', usage);
  },
};
