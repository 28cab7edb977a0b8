import { type DeprecationFinding, type DeprecationKind, deprecationFindings, today } from "../../common/deprecations";
import { ALL_TYPES, type Rule, type Severity } from "../engine";
import type { ResourceView } from "../model";

/** Names of the ECS GPU-optimized AMI parameters (any Amazon Linux generation). */
const GPU_AMI_PARAMETER = /^\/aws\/service\/ecs\/optimized-ami\/[^/]+\/gpu\//;

/** A literal value: a Terraform expression cannot be judged here. */
const literal = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() && !value.includes("${") ? value.trim() : undefined;

/**
 * The calendar value a resource or data source configures, or undefined when
 * it configures none (or only as an expression): a Lambda function's runtime,
 * a PostgreSQL instance's engine_version, a replication group's
 * `<engine>:<engine_version>`, the name of an ECS GPU AMI parameter.
 */
function calendarValueOf({ type, address, config }: ResourceView): { kind: DeprecationKind; field: string; value: string } | undefined {
  if (type === "aws_lambda_function") {
    const value = literal(config.runtime);
    return value ? { kind: "lambda-runtime", field: "runtime", value } : undefined;
  }
  if (type === "aws_db_instance") {
    // Replicas may leave engine unset (it comes from the source); other engines are not in the calendar.
    if (config.engine !== undefined && config.engine !== "postgres") return undefined;
    const value = literal(config.engine_version);
    return value ? { kind: "rds-postgres", field: "engine_version", value } : undefined;
  }
  if (type === "aws_elasticache_replication_group") {
    const engine = literal(config.engine) ?? "redis";
    const version = literal(config.engine_version);
    return version && ["redis", "valkey"].includes(engine)
      ? { kind: "elasticache", field: "engine_version", value: `${engine}:${version}` }
      : undefined;
  }
  if (type === "aws_ssm_parameter" && address.startsWith("data.")) {
    const value = literal(config.name);
    return value && GPU_AMI_PARAMETER.test(value) ? { kind: "gpu-ami", field: "name", value } : undefined;
  }
  return undefined;
}

const TITLE = "Versions, runtimes and AMIs can still be created (deprecation calendar)";
const FIX = "move to the replacement named in the finding, or add the value with its dates and source to modules/common/deprecations.ts";

/**
 * ECG_DEPRECATION_1 as two rules of one ID, one per severity: an error when
 * the value can no longer be created on the clock's day, a warning when it is
 * deprecated, blocked within 90 days or unknown to the calendar. `clock`
 * defaults to the calendar's clock (ECG_TODAY overrides the date).
 */
export function deprecationRulesAt(clock: () => Date = () => today()): Rule[] {
  const rule = (severity: Severity): Rule => ({
    ids: ["ECG_DEPRECATION_1"],
    title: TITLE,
    severity,
    // ALL_TYPES: the GPU AMI is a data source, which typed rules do not see.
    types: [ALL_TYPES],
    check: (view) => {
      const found = calendarValueOf(view);
      if (!found) return undefined;
      const findings: DeprecationFinding[] = deprecationFindings(found.kind, found.value, clock()).filter((f) => f.level === severity);
      return findings.length ? `${found.field} = "${found.value}": ${findings.map((f) => f.reason).join("; ")}` : undefined;
    },
    fix: FIX,
  });
  return [rule("error"), rule("warning")];
}

/** The rules of the pack's index: today's calendar check. */
export const deprecationRules: readonly Rule[] = deprecationRulesAt();
