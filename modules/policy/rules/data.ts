import type { Rule } from "../engine";
import { blocks, isTrue } from "./helpers";
import type { Json } from "../../common/json";

const DB = ["aws_db_instance"];
const isReplica = (config: Json) => Boolean(config.replicate_source_db);
const REDIS = ["aws_elasticache_replication_group"];

export const databaseRules: Rule[] = [
  {
    ids: ["CKV_AWS_16"],
    title: "Database storage is encrypted",
    severity: "error",
    types: DB,
    check: ({ config }) =>
      isTrue(config.storage_encrypted) || (isReplica(config) && config.kms_key_id) ? undefined : "storage_encrypted is off",
    fix: "set storage_encrypted = true and kms_key_id (a replica in another region needs a key there)",
  },
  {
    ids: ["CKV_AWS_17"],
    title: "Databases are not publicly accessible",
    severity: "error",
    types: DB,
    check: ({ config }) => (isTrue(config.publicly_accessible) ? "publicly_accessible = true" : undefined),
    fix: "set publicly_accessible = false and reach the database from the VPC",
  },
  {
    ids: ["CKV_AWS_157"],
    title: "Production databases are Multi-AZ",
    severity: "error",
    productionOnly: true,
    types: DB,
    check: ({ config }) => (isReplica(config) || isTrue(config.multi_az) ? undefined : "multi_az is off in production"),
    fix: "set multi_az = true",
  },
  {
    ids: ["CKV_AWS_293"],
    title: "Production databases have deletion protection",
    severity: "error",
    productionOnly: true,
    types: DB,
    check: ({ config }) => (isTrue(config.deletion_protection) ? undefined : "deletion_protection is off in production"),
    fix: "set deletion_protection = true",
  },
  {
    ids: ["CKV_AWS_133"],
    title: "Databases keep automated backups",
    severity: "error",
    types: DB,
    check: ({ config }) =>
      isReplica(config) || Number(config.backup_retention_period ?? 0) >= 1 ? undefined : "backup_retention_period is 0",
    fix: "set backup_retention_period (7 days in prod, RDS-2)",
  },
  {
    ids: ["CKV_AWS_118"],
    title: "Databases have enhanced monitoring",
    severity: "error",
    types: DB,
    check: ({ config }) => (Number(config.monitoring_interval ?? 0) > 0 ? undefined : "monitoring_interval is 0"),
    fix: "set monitoring_interval (e.g. 60) and monitoring_role_arn",
  },
  {
    ids: ["CKV_AWS_129"],
    title: "Databases export their logs",
    severity: "error",
    types: DB,
    check: ({ config }) => ((config.enabled_cloudwatch_logs_exports ?? []).length ? undefined : "no enabled_cloudwatch_logs_exports"),
    fix: 'export ["postgresql", "upgrade"] to CloudWatch Logs',
  },
  {
    ids: ["CKV_AWS_161"],
    title: "Databases allow IAM authentication",
    severity: "error",
    types: DB,
    check: ({ config }) =>
      isReplica(config) || isTrue(config.iam_database_authentication_enabled) ? undefined : "iam_database_authentication_enabled is off",
    fix: "set iam_database_authentication_enabled = true",
  },
  {
    ids: ["CKV_AWS_353", "CKV_AWS_354"],
    title: "Performance Insights is on, encrypted with a customer-managed key",
    severity: "error",
    types: DB,
    check: ({ config }) =>
      !isTrue(config.performance_insights_enabled)
        ? "performance_insights_enabled is off"
        : config.performance_insights_kms_key_id
          ? undefined
          : "Performance Insights uses the AWS-managed key",
    fix: "set performance_insights_enabled = true and performance_insights_kms_key_id",
  },
  {
    ids: ["CKV2_AWS_60"],
    title: "Databases copy tags to snapshots",
    severity: "error",
    types: DB,
    check: ({ config }) => (isTrue(config.copy_tags_to_snapshot) ? undefined : "copy_tags_to_snapshot is off"),
    fix: "set copy_tags_to_snapshot = true",
  },
  {
    ids: ["CKV2_AWS_69"],
    title: "Databases force TLS connections",
    severity: "error",
    types: DB,
    check: ({ config }, model) => {
      const group = model.referenced(config.parameter_group_name);
      const forced = blocks(group?.config.parameter).some((p) => p.name === "rds.force_ssl" && String(p.value) === "1");
      return isReplica(config) && !config.parameter_group_name
        ? undefined
        : forced
          ? undefined
          : "no parameter group with rds.force_ssl = 1";
    },
    fix: "attach an aws_db_parameter_group with parameter rds.force_ssl = 1",
  },
];

export const cacheRules: Rule[] = [
  {
    ids: ["CKV_AWS_29"],
    title: "Redis is encrypted at rest",
    severity: "error",
    types: REDIS,
    check: ({ config }) => (isTrue(config.at_rest_encryption_enabled) ? undefined : "at_rest_encryption_enabled is off"),
    fix: "set at_rest_encryption_enabled = true",
  },
  {
    ids: ["CKV_AWS_30"],
    title: "Redis is encrypted in transit",
    severity: "error",
    types: REDIS,
    check: ({ config }) => (isTrue(config.transit_encryption_enabled) ? undefined : "transit_encryption_enabled is off"),
    fix: "set transit_encryption_enabled = true",
  },
  {
    ids: ["CKV_AWS_31"],
    title: "Redis requires authentication",
    severity: "error",
    types: REDIS,
    check: ({ config }) => (config.auth_token || (config.user_group_ids ?? []).length ? undefined : "no auth_token and no user group"),
    fix: "set auth_token (from Secrets Manager) or RBAC user_group_ids",
  },
  {
    ids: ["CKV_AWS_191"],
    title: "Redis is encrypted with a customer-managed key",
    severity: "error",
    types: REDIS,
    check: ({ config }) => (config.kms_key_id ? undefined : "no kms_key_id"),
    fix: "set kms_key_id",
  },
  {
    ids: ["CKV2_AWS_50"],
    title: "Redis fails over automatically",
    severity: "error",
    types: REDIS,
    check: ({ config }) => (isTrue(config.automatic_failover_enabled) ? undefined : "automatic_failover_enabled is off"),
    fix: "set automatic_failover_enabled = true with a replica per shard",
  },
  {
    ids: ["ECG_REDIS_SNAPSHOTS"],
    title: "Redis keeps daily snapshots (DR-2)",
    severity: "error",
    types: REDIS,
    check: ({ config }) => (Number(config.snapshot_retention_limit ?? 0) >= 1 ? undefined : "snapshot_retention_limit is 0"),
    fix: "set snapshot_retention_limit >= 1 and a snapshot_window",
  },
];
