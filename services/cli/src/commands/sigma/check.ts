import { readFileSync } from 'node:fs';
import { formatProblem, lineOfPath, parseSigmaText, type RuleProblem, SigmaEngine } from '@soc/sigma';
import { parseFlags } from '../../args.ts';
import { EXIT, UsageError } from '../../usage.ts';
import { readPlaceholders, ruleFiles, usage } from './shared.ts';

export async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { format: { type: 'string' }, placeholders: { type: 'string' } },
    usage,
  );
  if (values.format !== undefined && values.format !== 'json' && values.format !== 'text') {
    throw new UsageError(`--format must be json or text, got ${values.format}`, usage);
  }
  if (!positionals.length) throw new UsageError('check needs at least one PATH', usage);
  const files = ruleFiles(positionals);
  // Compiling needs no pipeline: a rule is valid whatever the logsource it names; nor
  // placeholder values: a rule is valid before an operator has configured them.
  const placeholders = readPlaceholders(values.placeholders);
  const engine = new SigmaEngine({ compile: { placeholders, unknownPlaceholders: 'wildcard' } });
  let ok = 0;
  for (const file of files) {
    const problems: RuleProblem[] = [];
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push({ file, line: 0, document: 0, message: (err as Error).message });
    }
    const loaded = parseSigmaText(text, file);
    problems.push(...loaded.problems);
    for (const doc of loaded.documents) {
      if (doc.kind !== 'rule') continue;
      const status = engine.add(doc);
      if (status.state === 'rejected') {
        // Point at the offending key (e.g. the `Image|re` line), not the document's start.
        const at = status.path ? lineOfPath(text, doc.origin.document, status.path) : undefined;
        problems.push({
          file,
          line: at?.line ?? doc.origin.line,
          column: at?.col,
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
