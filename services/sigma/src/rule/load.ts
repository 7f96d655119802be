import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { type Document, isMap, LineCounter, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import type { Origin, RuleProblem, SigmaDocument } from './model.ts';
import { correlationSchema, filterSchema, ruleSchema } from './schema.ts';

export interface LoadResult {
  documents: SigmaDocument[];
  problems: RuleProblem[];
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] = isPlain(out[k]) && isPlain(v) ? deepMerge(out[k] as Plain, v) : v;
  return out;
}

/**
 * Parses one rule file: one or many YAML documents. Collections follow the Sigma rule
 * collection convention: `action: global` sets what later documents inherit, `action:
 * reset` forgets it, `action: repeat` re-uses the previous document with changes. Each
 * invalid document is reported with its line; the valid ones still load.
 */
export function parseSigmaText(text: string, file: string): LoadResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const result: LoadResult = { documents: [], problems: [] };
  const yamlDocs = Array.isArray(docs) ? docs : [docs];
  let global: Plain = {};
  let previous: Plain | undefined;

  yamlDocs.forEach((doc, index) => {
    const startLine = lineCounter.linePos(doc.contents?.range?.[0] ?? 0).line;
    const problem = (message: string, path?: (string | number)[], fallbackLine = startLine): RuleProblem => {
      const { line, col } = locate(doc, lineCounter, path) ?? { line: fallbackLine, col: undefined };
      return {
        file,
        line,
        column: col,
        document: index,
        path: path?.length ? path.join('.') : undefined,
        message,
      };
    };
    if (doc.errors.length) {
      for (const e of doc.errors) {
        const pos = e.linePos?.[0];
        // The parser's message quotes the source; keep its first sentence only.
        result.problems.push({
          file,
          line: pos?.line ?? startLine,
          column: pos?.col,
          document: index,
          message: `invalid YAML: ${e.message.split('\n')[0]}`,
        });
      }
      return;
    }
    const raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (raw === null || raw === undefined) return; // an empty document, e.g. after a trailing ---
    if (!isPlain(raw)) {
      result.problems.push(problem('a Sigma document must be a mapping'));
      return;
    }
    const { action, ...body } = raw;
    if (action === 'global') {
      global = deepMerge(global, body);
      return;
    }
    if (action === 'reset') {
      global = {};
      return;
    }
    let merged: Plain;
    if (action === 'repeat') {
      if (!previous) {
        result.problems.push(problem('action: repeat needs a previous document to repeat', ['action']));
        return;
      }
      merged = deepMerge(previous, body);
    } else if (action !== undefined) {
      result.problems.push(
        problem(`unknown action ${JSON.stringify(action)}: expected global, reset or repeat`, ['action']),
      );
      return;
    } else {
      merged = deepMerge(global, body);
    }
    previous = merged;
    const origin: Origin = { file, line: startLine, document: index };
    const parsed = toDocument(merged, origin);
    if ('issues' in parsed) for (const i of parsed.issues) result.problems.push(problem(i.message, i.path));
    else result.documents.push(parsed.document);
  });
  return result;
}

type Issue = { message: string; path: (string | number)[] };

function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({
    message: i.message,
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
  }));
}

function toDocument(raw: Plain, origin: Origin): { document: SigmaDocument } | { issues: Issue[] } {
  if ('correlation' in raw) {
    const r = correlationSchema.safeParse(raw);
    if (!r.success) return { issues: issuesOf(r.error) };
    const d = r.data;
    return {
      document: {
        kind: 'correlation',
        origin,
        id: d.id,
        name: d.name,
        title: d.title,
        level: d.level,
        doc: d,
      },
    };
  }
  if ('filter' in raw) {
    const r = filterSchema.safeParse(raw);
    if (!r.success) return { issues: issuesOf(r.error) };
    const d = r.data;
    return { document: { kind: 'filter', origin, id: d.id, title: d.title, logsource: d.logsource, doc: d } };
  }
  const r = ruleSchema.safeParse(raw);
  if (!r.success) return { issues: issuesOf(r.error) };
  const d = r.data;
  return {
    document: {
      kind: 'rule',
      origin,
      id: d.id,
      name: d.name,
      title: d.title,
      level: d.level,
      status: d.status,
      tags: d.tags ?? [],
      logsource: d.logsource,
      detection: d.detection as Record<string, unknown>,
      doc: d,
    },
  };
}

/** Line and column of the deepest node on `path` that exists in this YAML document. */
function locate(
  doc: Document,
  lc: LineCounter,
  path?: (string | number)[],
): { line: number; col: number } | undefined {
  if (!path?.length || !isMap(doc.contents)) return undefined;
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lc.linePos(node.range[0]);
    // The key itself exists even when its value is empty: look for the pair.
    const parent = n > 1 ? doc.getIn(path.slice(0, n - 1), true) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === path[n - 1]);
      const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lc.linePos(range[0]);
    }
  }
  return undefined;
}

/** Rule files larger than this are refused unread: SigmaHQ's largest is under 200 KiB. */
export const MAX_RULE_FILE_BYTES = 8 * 1024 * 1024;

export function parseSigmaFile(file: string): LoadResult {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_RULE_FILE_BYTES) {
      const message = `file of ${size} bytes is larger than the ${MAX_RULE_FILE_BYTES}-byte limit for rule files`;
      return { documents: [], problems: [{ file, line: 0, document: 0, message }] };
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { documents: [], problems: [{ file, line: 0, document: 0, message: (err as Error).message }] };
  }
  return parseSigmaText(text, file);
}

/** Every `.yml`/`.yaml` under the given files and folders, in a stable order. */
export function listRuleFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) walk(join(p, name));
    } else if (['.yml', '.yaml'].includes(extname(p))) out.push(p);
  };
  for (const p of paths) walk(p);
  return out;
}

/**
 * Line of a compile-time problem inside a rule file. Compile paths look like
 * `detection.<identifier>[i].<field|modifiers>`; field names may contain dots, so only the
 * first two segments are split and the rest is one key.
 */
export function lineOfPath(
  text: string,
  document: number,
  path: string,
): { line: number; col: number } | undefined {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const doc = (Array.isArray(docs) ? docs : [docs])[document];
  if (!doc) return undefined;
  const m = /^([^.[]+)\.([^.[]+)((?:\[\d+\])*)(?:\.(.+))?$/.exec(path);
  if (!m) return locate(doc, lineCounter, path.split('.'));
  const parts: (string | number)[] = [m[1]!, m[2]!];
  for (const i of m[3]!.matchAll(/\[(\d+)\]/g)) parts.push(Number(i[1]));
  if (m[4] !== undefined) parts.push(m[4]);
  return locate(doc, lineCounter, parts);
}
