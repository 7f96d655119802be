export interface CheckResult {
  ok: boolean;
  detail?: string;
}

export type ReadinessCheck = () => Promise<CheckResult>;

/** Named dependency checks behind `/readyz`; each is bounded so one hung dependency is reported, not waited on. */
export class Readiness {
  readonly #checks = new Map<string, ReadinessCheck>();

  add(name: string, check: ReadinessCheck): void {
    this.#checks.set(name, check);
  }

  async evaluate(timeoutMs = 2_000): Promise<{ ok: boolean; checks: Record<string, CheckResult> }> {
    const entries = await Promise.all(
      [...this.#checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<CheckResult>((resolve) => {
          timer = setTimeout(
            () => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }),
            timeoutMs,
          );
        });
        const result = await Promise.race([
          // A check that throws synchronously is as failed as one that rejects.
          Promise.resolve()
            .then(check)
            .catch((err: unknown) => ({ ok: false, detail: (err as Error).message })),
          timeout,
        ]);
        clearTimeout(timer);
        return [name, result] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    return { ok: entries.every(([, r]) => r.ok), checks };
  }
}
