import { ALL_TYPES, type Rule } from "../engine";
import { isAnyone, policyStatements } from "../model";
import { blocks, isTrue } from "./helpers";
import type { Json } from "../../common/json";

/**
 * Days between rotations: automatically_after_days, or a schedule
 * expression — rate(N days|hours), or a cron whose month field is every month
 * (at most ~31 days apart); anything else is NaN (cannot be verified).
 */
function rotationDays(rule: Json): number {
  if (rule.automatically_after_days !== undefined) return Number(rule.automatically_after_days);
  const expression = String(rule.schedule_expression ?? "");
  const rate = /^rate\((\d+) (day|days|hour|hours)\)$/.exec(expression);
  if (rate) return rate[2].startsWith("day") ? Number(rate[1]) : Number(rate[1]) / 24;
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (cron && ["*", "?"].includes(cron[1].trim().split(/\s+/)[3])) return 31;
  return NaN;
}

const POLICY_TYPES = ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"];
const STATEFUL = [
  "aws_db_instance",
  "aws_rds_cluster",
  "aws_elasticache_replication_group",
  "aws_s3_bucket",
  "aws_kms_key",
  "aws_dynamodb_table",
];

export const platformRules: Rule[] = [
  {
    ids: ["ECG_STACK_1"],
    title: "Expressions reference only what their stack declares (no dangling reference)",
    severity: "error",
    types: [ALL_TYPES],
    check: (element, model) => {
      const undeclared = model.undeclaredReferences(element);
      return undeclared.length ? `references ${undeclared.join(", ")}, which this stack does not declare` : undefined;
    },
    fix: "reference a resource of this stack, or find another stack's by a name both derive from the configuration (stacks/support/contracts.ts) with a data source",
  },
  {
    ids: ["CKV_AWS_66"],
    title: "Log groups have a retention",
    severity: "error",
    types: ["aws_cloudwatch_log_group"],
    check: ({ config }) => (Number(config.retention_in_days ?? 0) > 0 ? undefined : "logs are kept forever (no retention_in_days)"),
    fix: "set retention_in_days",
  },
  {
    ids: ["CKV_AWS_158"],
    title: "Log groups are encrypted with a customer-managed key",
    severity: "error",
    types: ["aws_cloudwatch_log_group"],
    check: ({ config }) => (config.kms_key_id ? undefined : "no kms_key_id"),
    fix: "set kms_key_id to a key whose policy lets CloudWatch Logs use it (modules/kms allowCloudWatchLogs)",
  },
  {
    ids: ["CKV_AWS_7"],
    title: "Symmetric KMS keys rotate",
    severity: "error",
    types: ["aws_kms_key"],
    check: ({ config }) =>
      (config.customer_master_key_spec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT" && !isTrue(config.enable_key_rotation)
        ? "enable_key_rotation is off"
        : undefined,
    fix: "set enable_key_rotation = true",
  },
  {
    ids: ["CKV_AWS_149"],
    title: "Secrets are encrypted with a customer-managed key",
    severity: "error",
    types: ["aws_secretsmanager_secret"],
    check: ({ config }) =>
      !config.kms_key_id || /(^|:)alias\/aws\/secretsmanager$/.test(String(config.kms_key_id))
        ? "the secret uses the AWS-managed key (aws/secretsmanager)"
        : undefined,
    fix: "set kms_key_id",
  },
  {
    ids: ["CKV2_AWS_57"],
    title: "Secrets rotate automatically",
    severity: "error",
    types: ["aws_secretsmanager_secret"],
    check: (secret, model) => (model.referencing(secret, "aws_secretsmanager_secret_rotation").length ? undefined : "no rotation"),
    fix: "add aws_secretsmanager_secret_rotation with a rotation Lambda (SEC-2)",
  },
  {
    ids: ["CKV_AWS_304"],
    title: "Secrets rotate at least every 90 days",
    severity: "error",
    types: ["aws_secretsmanager_secret_rotation"],
    check: ({ config }) => {
      const intervals = blocks(config.rotation_rules).map((r) => rotationDays(r));
      if (intervals.length === 0) return "no rotation_rules";
      const bad = intervals.filter((d) => !(d <= 90));
      return bad.length === 0
        ? undefined
        : `rotation interval ${bad.map((d) => (Number.isNaN(d) ? "that cannot be read" : `of ${d} days`)).join(", ")}`;
    },
    fix: "set rotation_rules { automatically_after_days = 30 } (SEC-2)",
  },
  {
    ids: ["CKV_AWS_1", "CKV_AWS_49", "CKV_AWS_62", "CKV_AWS_63"],
    title: "No IAM policy allows every action",
    severity: "error",
    types: POLICY_TYPES,
    check: ({ config }, model) => {
      const statements = policyStatements(model, config.policy);
      if (!statements) return "the policy is not literal JSON or an aws_iam_policy_document, so it cannot be inspected";
      const broad = statements.filter(
        (s) =>
          s.effect === "Allow" &&
          (s.actions.some((a) => a === "*" || a === "*:*") || (s.notActions.length > 0 && s.resources.includes("*"))),
      );
      return broad.length ? `Allow with Action "*" or NotAction on every resource (${broad.length} statement(s))` : undefined;
    },
    fix: "list the actions the role needs, on the resources it needs them",
  },
  {
    ids: ["CKV_AWS_60"],
    title: "No role trusts every principal",
    severity: "error",
    types: ["aws_iam_role"],
    check: ({ config }, model) => {
      const statements = policyStatements(model, config.assume_role_policy);
      if (!statements) return "the trust policy cannot be inspected";
      return statements.some((s) => s.effect === "Allow" && (s.principals.some(isAnyone) || s.notPrincipals.length > 0))
        ? "the trust policy allows any principal (Principal * or NotPrincipal)"
        : undefined;
    },
    fix: "trust the one service or account that assumes the role, with aws:SourceAccount/SourceArn conditions",
  },
  {
    ids: ["CKV_AWS_26"],
    title: "SNS topics are encrypted",
    severity: "error",
    types: ["aws_sns_topic"],
    check: ({ config }) => (config.kms_master_key_id ? undefined : "no kms_master_key_id"),
    fix: "set kms_master_key_id",
  },
  {
    ids: ["CKV_AWS_163"],
    title: "ECR repositories scan images on push",
    severity: "error",
    types: ["aws_ecr_repository"],
    check: ({ config }) =>
      blocks(config.image_scanning_configuration).some((s) => isTrue(s.scan_on_push)) ? undefined : "scan_on_push is off",
    fix: "set image_scanning_configuration { scan_on_push = true }",
  },
  {
    ids: ["CKV_AWS_136"],
    title: "ECR repositories are encrypted with KMS",
    severity: "error",
    types: ["aws_ecr_repository"],
    check: ({ config }) =>
      blocks(config.encryption_configuration).some((e) => e.encryption_type === "KMS") ? undefined : "encryption is not KMS",
    fix: 'set encryption_configuration { encryption_type = "KMS", kms_key = ... }',
  },
  {
    ids: ["CKV_AWS_34"],
    title: "CloudFront serves HTTPS only",
    severity: "error",
    types: ["aws_cloudfront_distribution"],
    check: ({ config }) =>
      [...blocks(config.default_cache_behavior), ...blocks(config.ordered_cache_behavior)].some(
        (b) => b.viewer_protocol_policy === "allow-all",
      )
        ? "a cache behavior allows plain HTTP"
        : undefined,
    fix: 'set viewer_protocol_policy = "redirect-to-https" or "https-only"',
  },
  {
    ids: ["CKV_AWS_174"],
    title: "CloudFront uses TLS 1.2+",
    severity: "error",
    types: ["aws_cloudfront_distribution"],
    check: ({ config }) =>
      blocks(config.viewer_certificate).some((v) => /^TLSv1\.2/.test(v.minimum_protocol_version ?? ""))
        ? undefined
        : "minimum_protocol_version below TLSv1.2",
    fix: 'use an ACM certificate with minimum_protocol_version = "TLSv1.2_2021"',
  },
  {
    ids: ["CKV_AWS_68"],
    title: "CloudFront is protected by WAF",
    severity: "error",
    types: ["aws_cloudfront_distribution"],
    check: ({ config }) => (config.web_acl_id ? undefined : "no web_acl_id"),
    fix: "attach a CLOUDFRONT-scoped WAFv2 web ACL",
  },
  {
    ids: ["CKV_AWS_86"],
    title: "CloudFront logs access",
    severity: "error",
    types: ["aws_cloudfront_distribution"],
    check: ({ config }) => (blocks(config.logging_config).length ? undefined : "no logging_config"),
    fix: "add logging_config to the access-log bucket",
  },
  {
    ids: ["CKV_AWS_147"],
    title: "CodeBuild projects encrypt with a customer-managed key",
    severity: "error",
    types: ["aws_codebuild_project"],
    check: ({ config }) => (config.encryption_key ? undefined : "no encryption_key"),
    fix: "set encryption_key",
  },
  {
    ids: ["CKV_AWS_314"],
    title: "CodeBuild projects log",
    severity: "error",
    types: ["aws_codebuild_project"],
    check: ({ config }) => {
      const logs = blocks(config.logs_config);
      const on = logs.some(
        (l) => blocks(l.cloudwatch_logs).some((c) => c.status !== "DISABLED") || blocks(l.s3_logs).some((s) => s.status === "ENABLED"),
      );
      return on ? undefined : "no logs_config";
    },
    fix: "add logs_config { cloudwatch_logs { group_name } }",
  },
  {
    ids: ["CKV_AWS_219"],
    title: "CodePipeline artifacts are encrypted with a customer-managed key",
    severity: "error",
    types: ["aws_codepipeline"],
    check: ({ config }) =>
      blocks(config.artifact_store).every((s) => blocks(s.encryption_key).length) && blocks(config.artifact_store).length
        ? undefined
        : "an artifact store without encryption_key",
    fix: 'set artifact_store { encryption_key { type = "KMS", id = ... } }',
  },
  {
    ids: ["ECG_PROD_PREVENT_DESTROY"],
    title: "Stateful production resources cannot be destroyed by Terraform",
    severity: "error",
    productionOnly: true,
    types: STATEFUL,
    check: ({ config }) => (isTrue(config.lifecycle?.prevent_destroy) ? undefined : "lifecycle.prevent_destroy is not set"),
    fix: "set lifecycle { prevent_destroy = true } (remove it deliberately, in review, to retire the resource)",
  },
];
