import { ALL_TYPES, type Rule } from "../engine";
import { flag, isSet, nested, num, text } from "./helpers";
import type { Json } from "../../common/json";

/**
 * Days between rotations: automatically_after_days, or a schedule expression —
 * rate(N days|hours), or a six-field cron whose month field repeats at most every
 * `gap` months (every month: 31 days a gap); NaN when it cannot be read.
 */
function rotationDays(rule: Json): number {
  const days = num(rule, "automatically_after_days");
  if (days !== undefined) return days;
  const expression = text(rule, "schedule_expression") ?? "";
  const rate = /^rate\((\d+)\s+(days?|hours?)\)$/.exec(expression);
  if (rate) return rate[2].startsWith("day") ? Number(rate[1]) : Number(rate[1]) / 24;
  const cron = /^cron\((.+)\)$/.exec(expression);
  const fields = cron?.[1].trim().split(/\s+/) ?? [];
  if (fields.length !== 6) return NaN;
  const gap = monthGap(fields[3]);
  return gap === undefined ? NaN : gap * 31;
}

/** The longest gap, in months, between runs a cron month field allows. */
function monthGap(field: string): number | undefined {
  if (field === "*" || field === "?") return 1;
  const step = /^\*\/(\d+)$/.exec(field);
  if (step) return Number(step[1]);
  const months = field.split(",").flatMap((part) => {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i);
    return /^\d+$/.test(part) ? [Number(part)] : [NaN];
  });
  if (months.some((m) => !(m >= 1 && m <= 12))) return undefined;
  const sorted = [...new Set(months)].sort((a, b) => a - b);
  // The year wraps: from the last month back to the first.
  return Math.max(...sorted.map((m, i) => (i === 0 ? sorted[0] + 12 - sorted[sorted.length - 1] : m - sorted[i - 1])));
}

/** The key spec of a KMS key (aws_kms_key's customer_master_key_spec). */
const keySpec = (config: Json) => text(config, "customer_master_key_spec") ?? "SYMMETRIC_DEFAULT";

const STATEFUL = [
  "aws_db_instance",
  "aws_rds_cluster",
  "aws_elasticache_replication_group",
  "aws_s3_bucket",
  "aws_kms_key",
  "aws_dynamodb_table",
];

/** CloudFront minimum protocol versions of TLS 1.2 and up: TLSv1.2_2018 … TLSv1.2_2025, TLSv1.3_2025. */
const CLOUDFRONT_TLS12 = /^TLSv1\.[23]_\d{4}$/;

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
    title: "Log groups set a retention",
    severity: "error",
    types: ["aws_cloudwatch_log_group"],
    check: ({ config }) =>
      config.retention_in_days !== undefined && config.retention_in_days !== null ? undefined : "no retention_in_days",
    fix: "set retention_in_days",
  },
  {
    ids: ["ECG_LOG_RETENTION"],
    title: "Log groups expire their logs (a retention above 0 days)",
    severity: "error",
    types: ["aws_cloudwatch_log_group"],
    check: ({ config }) =>
      (num(config, "retention_in_days") ?? 0) > 0 ? undefined : "logs are kept forever (no retention_in_days above 0)",
    fix: "set retention_in_days (environments/ log retention)",
  },
  {
    ids: ["CKV_AWS_158"],
    title: "Log groups are encrypted with a customer-managed key",
    severity: "error",
    types: ["aws_cloudwatch_log_group"],
    check: ({ config }) => (isSet(config.kms_key_id) ? undefined : "no kms_key_id"),
    fix: "set kms_key_id to a key whose policy lets CloudWatch Logs use it (modules/kms allowCloudWatchLogs)",
  },
  {
    ids: ["CKV_AWS_7"],
    title: "Symmetric KMS keys rotate",
    severity: "error",
    types: ["aws_kms_key"],
    check: ({ config }) =>
      keySpec(config) === "SYMMETRIC_DEFAULT" && flag(config, "enable_key_rotation") !== true ? "enable_key_rotation is off" : undefined,
    fix: "set enable_key_rotation = true",
  },
  {
    ids: ["CKV_AWS_149"],
    title: "Secrets are encrypted with a customer-managed key",
    severity: "error",
    types: ["aws_secretsmanager_secret"],
    check: ({ config }) =>
      !isSet(config.kms_key_id) || /(^|:)alias\/aws\//.test(String(config.kms_key_id))
        ? "the secret uses an AWS-managed key (aws/secretsmanager)"
        : undefined,
    fix: "set kms_key_id to a customer-managed key",
    note: 'An empty kms_key_id means the AWS-managed key and fails (checkov passes "").',
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
      const intervals = nested(config, "rotation_rules").map((r) => rotationDays(r));
      if (intervals.length === 0) return "no rotation_rules";
      const bad = intervals.filter((d) => !(d <= 90));
      return bad.length === 0
        ? undefined
        : `rotation interval ${bad.map((d) => (Number.isNaN(d) ? "that cannot be read" : `of ${d} days`)).join(", ")}`;
    },
    fix: "set rotation_rules { automatically_after_days = 30 } (SEC-2)",
  },
  {
    ids: ["CKV_AWS_26"],
    title: "SNS topics are encrypted",
    severity: "error",
    types: ["aws_sns_topic"],
    check: ({ config }) => (isSet(config.kms_master_key_id) ? undefined : "no kms_master_key_id"),
    fix: "set kms_master_key_id",
  },
  {
    ids: ["CKV_AWS_163"],
    title: "ECR repositories scan images on push",
    severity: "error",
    types: ["aws_ecr_repository"],
    check: ({ config }) =>
      nested(config, "image_scanning_configuration").some((s) => flag(s, "scan_on_push") === true) ? undefined : "scan_on_push is off",
    fix: "set image_scanning_configuration { scan_on_push = true }",
  },
  {
    ids: ["CKV_AWS_136"],
    title: "ECR repositories are encrypted with KMS",
    severity: "error",
    types: ["aws_ecr_repository"],
    check: ({ config }) =>
      nested(config, "encryption_configuration").some((e) => text(e, "encryption_type") === "KMS") ? undefined : "encryption is not KMS",
    fix: 'set encryption_configuration { encryption_type = "KMS", kms_key = ... }',
  },
  {
    ids: ["CKV_AWS_34"],
    title: "CloudFront serves HTTPS only",
    severity: "error",
    types: ["aws_cloudfront_distribution"],
    check: ({ config }) =>
      [...nested(config, "default_cache_behavior"), ...nested(config, "ordered_cache_behavior")].some(
        (b) => text(b, "viewer_protocol_policy") === "allow-all",
      )
        ? "a cache behavior allows plain HTTP"
        : undefined,
    fix: 'set viewer_protocol_policy = "redirect-to-https" or "https-only"',
  },
  {
    ids: ["CKV_AWS_174"],
    title: "CloudFront uses TLS 1.2 or later",
    severity: "error",
    types: ["aws_cloudfront_distribution"],
    check: ({ config }) => {
      const certificates = nested(config, "viewer_certificate");
      if (certificates.length === 0) return "no viewer_certificate";
      // With CloudFront's default certificate the minimum version is TLSv1, whatever the argument says.
      if (certificates.some((v) => flag(v, "cloudfront_default_certificate") === true))
        return "the CloudFront default certificate allows TLSv1";
      const versions = certificates.map((v) => text(v, "minimum_protocol_version") ?? "TLSv1");
      return versions.every((v) => CLOUDFRONT_TLS12.test(v))
        ? undefined
        : `minimum_protocol_version ${versions.join(", ")} is below TLSv1.2`;
    },
    fix: 'use an ACM certificate with minimum_protocol_version = "TLSv1.2_2021" (or TLSv1.3_2025)',
  },
  {
    ids: ["CKV_AWS_68"],
    title: "CloudFront is protected by WAF",
    severity: "error",
    types: ["aws_cloudfront_distribution"],
    check: ({ config }) => (isSet(config.web_acl_id) ? undefined : "no web_acl_id"),
    fix: "attach a CLOUDFRONT-scoped WAFv2 web ACL",
  },
  {
    ids: ["CKV_AWS_86"],
    title: "CloudFront logs access",
    severity: "error",
    types: ["aws_cloudfront_distribution"],
    // Standard logging (logging_config) or its successor, CloudWatch log delivery with the distribution as source.
    check: (distribution, model) =>
      nested(distribution.config, "logging_config").some((l) => isSet(l.bucket)) ||
      model.referencing(distribution, "aws_cloudwatch_log_delivery_source").length
        ? undefined
        : "no logging_config and no log delivery source",
    fix: "add logging_config to the access-log bucket",
  },
  {
    ids: ["CKV_AWS_147"],
    title: "CodeBuild projects with artifacts encrypt them with a customer-managed key",
    severity: "error",
    types: ["aws_codebuild_project"],
    check: ({ config }) => {
      const artifacts = nested(config, "artifacts");
      if (artifacts.length === 0 || artifacts.every((a) => text(a, "type") === "NO_ARTIFACTS")) return undefined;
      return isSet(config.encryption_key) ? undefined : "no encryption_key";
    },
    fix: "set encryption_key",
  },
  {
    ids: ["CKV_AWS_314"],
    title: "CodeBuild projects log",
    severity: "error",
    types: ["aws_codebuild_project"],
    check: ({ config }) => {
      const on = nested(config, "logs_config").some(
        (l) =>
          nested(l, "cloudwatch_logs").some((c) => text(c, "status") !== "DISABLED") ||
          nested(l, "s3_logs").some((s) => text(s, "status") === "ENABLED"),
      );
      return on ? undefined : "no logs_config with CloudWatch or S3 logging on";
    },
    fix: "add logs_config { cloudwatch_logs { group_name } }",
    note: "s3_logs {} without status = ENABLED logs nothing (its status defaults to DISABLED), so it does not count (checkov counts any s3_logs block).",
  },
  {
    ids: ["CKV_AWS_219"],
    title: "CodePipeline artifacts are encrypted with a customer-managed key",
    severity: "error",
    types: ["aws_codepipeline"],
    check: ({ config }) => {
      const stores = nested(config, "artifact_store");
      return stores.length && stores.every((s) => nested(s, "encryption_key").some((k) => isSet(k.id)))
        ? undefined
        : "an artifact store without encryption_key";
    },
    fix: 'set artifact_store { encryption_key { type = "KMS", id = ... } }',
    note: "Every artifact store of a cross-region pipeline counts (checkov reads only the first).",
  },
  {
    ids: ["ECG_PROD_PREVENT_DESTROY"],
    title: "Stateful production resources cannot be destroyed by Terraform",
    severity: "error",
    productionOnly: true,
    notOnPlans: "plan JSON leaves out the lifecycle meta-argument; check the configuration (*.tf.json) instead",
    types: STATEFUL,
    check: ({ config }) =>
      nested(config, "lifecycle").some((l) => flag(l, "prevent_destroy") === true) ? undefined : "lifecycle.prevent_destroy is not set",
    fix: "set lifecycle { prevent_destroy = true } (remove it deliberately, in review, to retire the resource)",
  },
];
