/**
 * A prerequisite the stack cannot provide by itself. The message says what is missing and
 * how to provide it; the CLI prints it without a stack trace and exits non-zero.
 */
export class PrerequisiteError extends Error {
  constructor(
    readonly what: string,
    readonly remedy: string,
  ) {
    super(`${what}\n  → ${remedy}`);
    this.name = 'PrerequisiteError';
  }
}
