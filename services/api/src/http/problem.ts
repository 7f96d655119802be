import { PROBLEM_BASE, problem } from '@soc/core';
import type { Context } from 'hono';
import type { z } from 'zod';

/**
 * The stable problem types clients switch on (`type` is `PROBLEM_BASE` + the key). Titles
 * are fixed per type; the `detail` and `errors` say what was wrong with this request.
 */
export const PROBLEMS = {
  validation: { title: 'Invalid request', status: 400 },
  'malformed-json': { title: 'Malformed JSON body', status: 400 },
  unauthenticated: { title: 'Authentication required', status: 401 },
  'invalid-credentials': { title: 'Invalid credentials', status: 401 },
  forbidden: { title: 'Forbidden', status: 403 },
  'csrf-or-origin': { title: 'Cross-origin request refused', status: 403 },
  'not-found': { title: 'Not found', status: 404 },
  conflict: { title: 'Conflict', status: 409 },
  'payload-too-large': { title: 'Request body too large', status: 413 },
  'unsupported-media-type': { title: 'Unsupported media type', status: 415 },
  'account-locked': { title: 'Account locked', status: 423 },
  'rate-limited': { title: 'Too many requests', status: 429 },
  internal: { title: 'Internal error', status: 500 },
  unavailable: { title: 'Dependency unavailable', status: 503 },
} as const;
export type ProblemKey = keyof typeof PROBLEMS;

export interface FieldError {
  /** JSON pointer-ish dotted path of the offending field, prefixed by where it was (`body.status`). */
  field: string;
  message: string;
}

/** Thrown by handlers and middleware; `onError` turns it into `application/problem+json`. */
export class ApiProblem extends Error {
  constructor(
    readonly key: ProblemKey,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? PROBLEMS[key].title);
    this.name = 'ApiProblem';
  }
}

export function sendProblem(c: Context, key: ProblemKey, detail?: string, errors?: FieldError[]): Response {
  const p = PROBLEMS[key];
  return problem(c, {
    type: `${PROBLEM_BASE}${key}`,
    title: p.title,
    status: p.status,
    ...(detail ? { detail } : {}),
    ...(errors?.length ? { errors } : {}),
  });
}

const WHERE: Record<string, string> = { json: 'body', param: 'path', query: 'query', header: 'header' };

export function zodErrors(where: string, error: z.ZodError): FieldError[] {
  return error.issues.slice(0, 50).map((i) => ({
    // The request's part as clients know it: body, query, path.
    field: [WHERE[where] ?? where, ...i.path.map(String)].join('.'),
    // zod's messages never echo the value, so they are safe to return.
    message: i.message,
  }));
}

export const notFound = (what: string) => new ApiProblem('not-found', `${what} not found`);
export const forbidden = (detail: string) => new ApiProblem('forbidden', detail);
