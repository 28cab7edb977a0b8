/** One thing wrong with one field of one environment. */
export interface ConfigProblem {
  readonly environment: string;
  /** Dotted path of the field, e.g. `network.subnets.public[1]`. */
  readonly path: string;
  readonly reason: string;
}

/** Thrown before synthesis when any environment is invalid; lists every problem. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid environment configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.environment}: ${p.path}: ${p.reason}`).join("\n"),
    );
    this.name = "ConfigValidationError";
  }
}
