/** One bad configuration key, named the way the operator wrote it (env var or file path). */
export interface ConfigProblem {
  /** Dotted key inside the configuration, e.g. `nats.url`. */
  key: string;
  /** Where the value came from: `env NATS_URL`, `file /etc/soc.yaml`, or `default`. */
  source: string;
  message: string;
}

export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${p.key} (${p.source}): ${p.message}`);
    super(`Invalid configuration:\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
