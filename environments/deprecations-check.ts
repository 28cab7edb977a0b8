import { type DeprecationKind, deprecationFindings, today } from "../modules/common/deprecations";
import type { EnvironmentConfig } from "./types";
import type { ConfigProblem } from "./problems";

/** Deprecation findings of the configuration: errors fail validation, warnings are printed. */
export interface DeprecationProblems {
  /** Values that can no longer be created on the day checked. */
  readonly problems: readonly ConfigProblem[];
  /** Values deprecated, or blocked within 90 days, or missing from the calendar. */
  readonly warnings: readonly ConfigProblem[];
}

/** The engine of the cache (modules/redis-cluster creates `engine = "redis"`). */
const CACHE_ENGINE = "redis";

/**
 * Checks the configured versions of every environment against the
 * deprecation calendar on `day`: `database.engineVersion` (RDS for
 * PostgreSQL: a major alone, e.g. "15", is judged by the major's end of
 * standard support) and `cache.engineVersion` (ElastiCache). Lambda runtimes
 * and the GPU AMI are not configuration: the policy rule ECG_DEPRECATION_1
 * checks them in the synthesized Terraform.
 */
export function deprecationProblems(configs: readonly EnvironmentConfig[], day: Date): DeprecationProblems {
  const problems: ConfigProblem[] = [];
  const warnings: ConfigProblem[] = [];
  for (const env of configs) {
    const values: [string, DeprecationKind, string | undefined][] = [
      ["database.engineVersion", "rds-postgres", env.database?.engineVersion],
      ["cache.engineVersion", "elasticache", env.cache?.engineVersion && `${CACHE_ENGINE}:${env.cache.engineVersion}`],
    ];
    for (const [path, kind, value] of values) {
      if (!value?.trim()) continue; // validate.ts reports the empty value
      for (const finding of deprecationFindings(kind, value.trim(), day)) {
        (finding.level === "error" ? problems : warnings).push({ environment: env.name || "(unnamed)", path, reason: finding.reason });
      }
    }
  }
  return { problems, warnings };
}

/** A warning as one stderr line, in ConfigValidationError's `environment: path: reason` form. */
const formatDeprecationWarning = (w: ConfigProblem): string => `warning: ${w.environment}: ${w.path}: ${w.reason}`;

/**
 * For validateEnvironments: the errors of today's check (ECG_TODAY overrides
 * the date), after writing every warning to stderr (`warn`).
 */
export function checkDeprecations(
  configs: readonly EnvironmentConfig[],
  day: Date = today(),
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): readonly ConfigProblem[] {
  const { problems, warnings } = deprecationProblems(configs, day);
  for (const w of warnings) warn(formatDeprecationWarning(w));
  return problems;
}
