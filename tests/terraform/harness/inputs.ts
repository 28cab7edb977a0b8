type Json = Record<string, any>;

/**
 * Values the lane gives a stack's Terraform variables (TF_VAR_<name>). Each
 * is shaped like the real thing, so the stack's own variable validations run,
 * and none needs to exist in the emulator: the stacks only pass them on
 * (task definitions, IAM policies). A variable missing here fails the lane.
 */
const LANE_INPUTS: Readonly<Record<string, string>> = {
  database_url: "postgresql://ecg_app@ecg-lane-db.internal:5432/ecg?sslmode=verify-full",
  database_resource_id: "db-ECGLANE0123456789ABCDEFGH",
  database_user: "ecg_app",
  database_password_secret_arn: "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:ecg-lane/database-AbCdEf",
  redis_url: "rediss://ecg-lane-redis.internal:6379",
  redis_auth_token_secret_arn: "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:ecg-lane/redis-auth-AbCdEf",
  videos_bucket_name: "ecg-lane-videos",
};

/** TF_VAR_* for every variable the stack declares. */
export function laneInputs(stack: Json, inputs: Readonly<Record<string, string>> = LANE_INPUTS): Record<string, string> {
  // A variable with a default (the providers' account_role_arn) keeps it, as in a deploy.
  const names = Object.entries<Json>(stack.variable ?? {})
    .filter(([, variable]) => variable.default === undefined)
    .map(([name]) => name);
  const missing = names.filter((name) => inputs[name] === undefined);
  if (missing.length)
    throw new Error(
      `the lane has no value for the stack's variable(s) ${missing.join(", ")}: add them to LANE_INPUTS (tests/terraform/harness/inputs.ts)`,
    );
  return Object.fromEntries(names.map((name) => [`TF_VAR_${name}`, inputs[name]]));
}

/** Public hosted zones the stack looks up by name (data "aws_route53_zone"): they must exist before it plans. */
export function hostedZonePrerequisites(stack: Json): string[] {
  return Object.values<Json>(stack.data?.aws_route53_zone ?? {})
    .filter((zone) => zone.private_zone !== true)
    .map((zone) => {
      if (typeof zone.name !== "string" || zone.name.includes("${"))
        throw new Error("a hosted-zone lookup by a computed name cannot be prepared by the lane");
      return zone.name;
    });
}

/**
 * KMS aliases the stack looks up by name (data "aws_kms_alias") and does not
 * create itself: in a real account another stack made them first (the
 * standby finds the primary stack's key in its region), so the lane makes a
 * key with each alias before the stack plans.
 */
export function kmsAliasPrerequisites(stack: Json): string[] {
  const own = new Set(Object.values<Json>(stack.resource?.aws_kms_alias ?? {}).map((alias) => alias.name));
  return Object.values<Json>(stack.data?.aws_kms_alias ?? {})
    .map((alias) => {
      if (typeof alias.name !== "string" || alias.name.includes("${"))
        throw new Error("a KMS alias lookup by a computed name cannot be prepared by the lane");
      return alias.name as string;
    })
    .filter((name) => !own.has(name));
}
