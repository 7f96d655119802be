import type { Context } from 'hono';

/** RFC 9457 problem details; `type` is a stable URI clients can switch on. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

export const PROBLEM_BASE = 'https://soc.local/problems/';

export function problem(c: Context, p: Problem): Response {
  return c.body(JSON.stringify(p), p.status as 400, { 'content-type': 'application/problem+json' });
}
