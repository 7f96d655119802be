/** Reading, validating and compiling pipeline files. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { SigmaError } from '../detection/types.ts';
import { resolvePaths } from './fields.ts';
import { type ConditionValue, type PipelineFile, pipelineFile } from './schema.ts';
import { type Condition, normalise, type Pipeline, type PipelineSource } from './types.ts';

/** rules/pipelines at the repository root, from services/sigma/src/pipeline. */
export const PIPELINES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../rules/pipelines');

/**
 * A pipeline by name (`windows` → rules/pipelines/windows.yml) or by file path. Throws a
 * SigmaError naming the file and the reason when it cannot be read or is not a valid pipeline.
 */
export function loadPipeline(fileOrName: string): Pipeline {
  const file = /^[\w-]+$/.test(fileOrName)
    ? resolve(PIPELINES_DIR, `${fileOrName}.yml`)
    : resolve(fileOrName);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new SigmaError(`${file}: cannot read pipeline: ${reason}`);
  }
  return parsePipeline(text, file);
}

/** A pipeline from YAML text; `source` names it in messages (usually the file path). */
export function parsePipeline(yamlText: string, source: string): Pipeline {
  const lines = new LineCounter();
  const doc = parseDocument(yamlText, {
    lineCounter: lines,
    merge: true,
    uniqueKeys: true,
    prettyErrors: false,
  });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lines.linePos(yamlError.pos[0]).line;
    throw new SigmaError(`${source}${line ? `:${line}` : ''}: invalid YAML: ${firstLine(yamlError.message)}`);
  }
  const parsed = pipelineFile.safeParse(doc.toJS({ maxAliasCount: 1000 }));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String);
    const line = lineOf(doc, lines, issue.path as (string | number)[]);
    const where = path.length > 0 ? ` at ${path.join('.')}` : '';
    throw new SigmaError(
      `${source}${line ? `:${line}` : ''}: invalid pipeline${where}: ${issue.message}`,
      path.join('.'),
    );
  }
  return compile(parsed.data, source);
}

function compile(file: PipelineFile, source: string): Pipeline {
  const fields = renames(file.fields);
  const prefixes = Object.freeze([...file.fieldPrefixes]);
  const sources = file.logsources.map((e, id): PipelineSource => {
    const conditions = Object.entries(e.conditions).map(([field, value]) =>
      condition(field, resolvePaths(undefined, fields, prefixes, field), value),
    );
    return Object.freeze({
      id,
      name: e.id,
      ...(e.description !== undefined && { description: e.description }),
      logsource: Object.freeze({
        ...(e.logsource.category !== undefined && { category: lowerList(e.logsource.category) }),
        ...(e.logsource.product !== undefined && { product: lowerList(e.logsource.product) }),
        ...(e.logsource.service !== undefined && { service: lowerList(e.logsource.service) }),
      }),
      conditions: Object.freeze(conditions),
      fields: renames(e.fields),
      ...(e.fieldPrefixes !== undefined && { fieldPrefixes: Object.freeze([...e.fieldPrefixes]) }),
    });
  });
  return Object.freeze({
    name: file.name,
    description: file.description,
    file: source,
    timeFields: Object.freeze(file.timeField === undefined ? [] : list(file.timeField)),
    fieldPrefixes: prefixes,
    fields,
    sources: Object.freeze(sources),
    keywordExclude: Object.freeze([...file.keywordExclude]),
  });
}

function condition(field: string, paths: readonly string[], value: ConditionValue): Condition {
  if (typeof value === 'object' && !Array.isArray(value)) {
    return Object.freeze({ kind: 'exists', field, paths, exists: value.exists });
  }
  const exact = new Set<string>();
  const globs: RegExp[] = [];
  for (const v of Array.isArray(value) ? value : [value]) {
    const n = normalise(v)!;
    if (typeof v === 'string' && v.includes('*')) globs.push(glob(n));
    else exact.add(n);
  }
  return Object.freeze({ kind: 'values', field, paths, exact, globs: Object.freeze(globs) });
}

/** `*` matches any run of characters; everything else is literal. Matched case-insensitively. */
function glob(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

function renames(raw: Record<string, string | string[]>): ReadonlyMap<string, readonly string[]> {
  return new Map(Object.entries(raw).map(([k, v]) => [k, Object.freeze([...new Set(list(v))])]));
}

function list(v: string | string[]): string[] {
  return Array.isArray(v) ? v : [v];
}

function lowerList(v: string | string[]): readonly string[] {
  return Object.freeze(list(v).map((s) => s.toLowerCase()));
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!;
}

/** The line of the deepest node on `path` that exists in the document. */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: (string | number)[],
): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return undefined;
}
