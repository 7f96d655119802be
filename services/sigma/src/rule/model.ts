import type { CorrelationDoc, FilterDoc, Logsource, RuleDoc } from './schema.ts';

/** Where a document came from, for every message about it. */
export interface Origin {
  file: string;
  /** 1-based line of the document's first key. */
  line: number;
  /** 0-based index of the document in a multi-document file. */
  document: number;
}

export interface SigmaRule {
  kind: 'rule';
  origin: Origin;
  id: string | undefined;
  name: string | undefined;
  title: string;
  level: RuleDoc['level'];
  status: RuleDoc['status'];
  tags: string[];
  logsource: Logsource;
  detection: Record<string, unknown>;
  doc: RuleDoc;
}

export interface SigmaCorrelation {
  kind: 'correlation';
  origin: Origin;
  id: string | undefined;
  name: string | undefined;
  title: string;
  level: CorrelationDoc['level'];
  doc: CorrelationDoc;
}

export interface SigmaFilter {
  kind: 'filter';
  origin: Origin;
  id: string | undefined;
  title: string;
  logsource: Logsource;
  doc: FilterDoc;
}

export type SigmaDocument = SigmaRule | SigmaCorrelation | SigmaFilter;

/** A rejected document, located to the line of the offending key where it can be found. */
export interface RuleProblem {
  file: string;
  line: number;
  column?: number;
  document: number;
  /** Dotted path of the offending key, when there is one. */
  path?: string;
  message: string;
}

export function formatProblem(p: RuleProblem): string {
  return `${p.file}:${p.line}${p.column ? `:${p.column}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}
