import type { Rule } from "../engine";
import type { StackModel } from "../model";
import { flag, hasItems, isSet, nested, num, text } from "./helpers";
import type { Json } from "../../common/json";

const DB = ["aws_db_instance"];
const DB_AND_CLUSTER_INSTANCES = ["aws_db_instance", "aws_rds_cluster_instance"];
const isReplica = (config: Json) => isSet(config.replicate_source_db);
const REDIS = ["aws_elasticache_replication_group"];

/** RDS's enhanced-monitoring intervals, in seconds (0 turns it off). */
const MONITORING_INTERVALS = [1, 5, 10, 15, 30, 60];

/** Engine and class pairs without Performance Insights: MySQL/MariaDB on micro and small burstable classes, Db2. */
function lacksPerformanceInsights(config: Json): boolean {
  const engine = text(config, "engine") ?? "";
  const instanceClass = text(config, "instance_class") ?? "";
  if (engine.startsWith("db2")) return true;
  return ["mysql", "mariadb"].includes(engine) && /^db\.t[234]g?\.(micro|small)$/.test(instanceClass);
}

/** The parameter an engine family forces TLS with, and the value that forces it. */
function tlsParameter(family: string): { name: string; value: string } | undefined {
  if (/^postgres|sqlserver/.test(family)) return { name: "rds.force_ssl", value: "1" };
  if (/^(mysql|mariadb)/.test(family)) return { name: "require_secure_transport", value: "1" };
  if (family.includes("db2-ae")) return { name: "db2comm", value: "SSL" };
  return undefined;
}

/** CKV2_AWS_69: with a parameter group of this configuration, its family's TLS parameter is on. */
function forcedTlsProblem(config: Json, model: StackModel): string | undefined {
  const group = model.referenced(config.parameter_group_name);
  if (group?.type !== "aws_db_parameter_group") return undefined;
  const required = tlsParameter(text(group.config, "family") ?? "");
  if (!required) return undefined;
  const set = nested(group.config, "parameter").some((p) => text(p, "name") === required.name && text(p, "value") === required.value);
  return set ? undefined : `parameter group ${group.address} does not set ${required.name} = ${required.value}`;
}

export const databaseRules: Rule[] = [
  {
    ids: ["CKV_AWS_16"],
    title: "Database storage is encrypted",
    severity: "error",
    types: DB,
    check: ({ config }) =>
      flag(config, "storage_encrypted") === true || (isReplica(config) && isSet(config.kms_key_id))
        ? undefined
        : "storage_encrypted is off",
    fix: "set storage_encrypted = true and kms_key_id (a replica in another region needs a key there)",
    note: "A cross-region read replica is encrypted by its kms_key_id (the provider ignores storage_encrypted there), so one with kms_key_id passes.",
  },
  {
    ids: ["CKV_AWS_17"],
    title: "Databases are not publicly accessible",
    severity: "error",
    types: DB_AND_CLUSTER_INSTANCES,
    check: ({ config }) => (flag(config, "publicly_accessible") === true ? "publicly_accessible = true" : undefined),
    fix: "set publicly_accessible = false and reach the database from the VPC",
  },
  {
    ids: ["CKV_AWS_157"],
    title: "Production databases are Multi-AZ",
    severity: "error",
    productionOnly: true,
    types: DB,
    check: ({ config }) => (flag(config, "multi_az") === true ? undefined : "multi_az is off in production"),
    fix: "set multi_az = true",
  },
  {
    ids: ["CKV_AWS_293"],
    title: "Production databases have deletion protection",
    severity: "error",
    productionOnly: true,
    types: DB,
    check: ({ config }) => (flag(config, "deletion_protection") === true ? undefined : "deletion_protection is off in production"),
    fix: "set deletion_protection = true",
  },
  {
    ids: ["CKV_AWS_133"],
    title: "Databases keep automated backups (1 to 35 days)",
    severity: "error",
    types: ["aws_db_instance", "aws_rds_cluster"],
    // Unset means RDS's default of one day.
    check: ({ config }) => {
      const days = num(config, "backup_retention_period");
      return days === undefined || (days > 0 && days <= 35) ? undefined : `backup_retention_period = ${days}`;
    },
    fix: "set backup_retention_period (7 days in prod, RDS-2)",
  },
  {
    ids: ["ECG_RDS_BACKUP_RETENTION"],
    title: "Primary databases state their backup retention explicitly",
    severity: "error",
    types: DB,
    check: ({ config }) =>
      isReplica(config) || (num(config, "backup_retention_period") ?? 0) >= 1 ? undefined : "no explicit backup_retention_period",
    fix: "set backup_retention_period (7 days in prod, RDS-2)",
  },
  {
    ids: ["CKV_AWS_118"],
    title: "Databases have enhanced monitoring",
    severity: "error",
    types: DB_AND_CLUSTER_INSTANCES,
    check: ({ config }) => {
      const interval = num(config, "monitoring_interval");
      return interval !== undefined && MONITORING_INTERVALS.includes(interval)
        ? undefined
        : `monitoring_interval is ${interval ?? "unset"}`;
    },
    fix: "set monitoring_interval (one of 1, 5, 10, 15, 30, 60) and monitoring_role_arn",
  },
  {
    ids: ["CKV_AWS_129"],
    title: "Databases export their logs",
    severity: "error",
    types: DB,
    check: ({ config }) => (hasItems(config.enabled_cloudwatch_logs_exports) ? undefined : "no enabled_cloudwatch_logs_exports"),
    fix: 'export ["postgresql", "upgrade"] to CloudWatch Logs',
  },
  {
    ids: ["CKV_AWS_161"],
    title: "MySQL and PostgreSQL databases allow IAM authentication",
    severity: "error",
    types: DB,
    check: ({ config }) =>
      !["mysql", "postgres"].includes(text(config, "engine") ?? "") || flag(config, "iam_database_authentication_enabled") === true
        ? undefined
        : "iam_database_authentication_enabled is off",
    fix: "set iam_database_authentication_enabled = true",
  },
  {
    ids: ["CKV_AWS_353"],
    title: "Databases have Performance Insights",
    severity: "error",
    types: DB_AND_CLUSTER_INSTANCES,
    check: ({ config }) =>
      lacksPerformanceInsights(config) || flag(config, "performance_insights_enabled") === true
        ? undefined
        : "performance_insights_enabled is off",
    fix: "set performance_insights_enabled = true",
  },
  {
    ids: ["CKV_AWS_354"],
    title: "Performance Insights is encrypted with a customer-managed key",
    severity: "error",
    types: DB_AND_CLUSTER_INSTANCES,
    check: ({ config }) =>
      flag(config, "performance_insights_enabled") === true && !isSet(config.performance_insights_kms_key_id)
        ? "Performance Insights uses the AWS-managed key"
        : undefined,
    fix: "set performance_insights_kms_key_id",
  },
  {
    ids: ["ECG_RDS_INSIGHTS_CMK"],
    title: "Every database that can have Performance Insights has it, encrypted with a customer-managed key",
    severity: "error",
    types: DB,
    check: ({ config }) =>
      lacksPerformanceInsights(config)
        ? undefined
        : flag(config, "performance_insights_enabled") !== true
          ? "performance_insights_enabled is off"
          : isSet(config.performance_insights_kms_key_id)
            ? undefined
            : "Performance Insights uses the AWS-managed key",
    fix: "set performance_insights_enabled = true and performance_insights_kms_key_id",
  },
  {
    ids: ["CKV2_AWS_60"],
    title: "Databases copy tags to snapshots",
    severity: "error",
    types: DB,
    check: ({ config }) => (flag(config, "copy_tags_to_snapshot") === true ? undefined : "copy_tags_to_snapshot is off"),
    fix: "set copy_tags_to_snapshot = true",
    note: "The setting decides for every engine (checkov also fails neptune, docdb and aurora instances that set it).",
  },
  {
    ids: ["CKV2_AWS_69"],
    title: "Databases with their own parameter group force TLS connections",
    severity: "error",
    types: DB,
    check: ({ config }, model) => forcedTlsProblem(config, model),
    fix: "set the family's TLS parameter in the aws_db_parameter_group: rds.force_ssl = 1 (PostgreSQL, SQL Server), require_secure_transport = 1 (MySQL, MariaDB)",
  },
  {
    ids: ["ECG_RDS_FORCE_SSL"],
    title: "Every PostgreSQL database has a parameter group with rds.force_ssl = 1",
    severity: "error",
    types: DB,
    check: ({ config }, model) => {
      if ((text(config, "engine") ?? "postgres") !== "postgres") return undefined;
      if (isReplica(config) && !config.parameter_group_name) return undefined;
      const group = model.referenced(config.parameter_group_name);
      // A replica names no engine: its parameter group's family says which it is.
      if (group && !(text(group.config, "family") ?? "postgres").startsWith("postgres")) return undefined;
      return nested(group?.config, "parameter").some((p) => text(p, "name") === "rds.force_ssl" && text(p, "value") === "1")
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
    check: ({ config }) => (flag(config, "at_rest_encryption_enabled") === true ? undefined : "at_rest_encryption_enabled is off"),
    fix: "set at_rest_encryption_enabled = true",
  },
  {
    ids: ["CKV_AWS_30"],
    title: "Redis is encrypted in transit",
    severity: "error",
    types: REDIS,
    check: ({ config }) => (flag(config, "transit_encryption_enabled") === true ? undefined : "transit_encryption_enabled is off"),
    fix: "set transit_encryption_enabled = true",
  },
  {
    ids: ["CKV_AWS_31"],
    title: "Redis is encrypted in transit and requires authentication",
    severity: "error",
    types: REDIS,
    check: ({ config }) => {
      if (flag(config, "transit_encryption_enabled") !== true) return "transit_encryption_enabled is off";
      return isSet(config.auth_token) || hasItems(config.user_group_ids) ? undefined : "no auth_token and no user group";
    },
    fix: "set transit_encryption_enabled = true and RBAC user_group_ids (or auth_token)",
    note: "RBAC user groups (user_group_ids) authenticate as an AUTH token does, and are what AWS recommends (checkov's older versions read auth_token only).",
  },
  {
    ids: ["CKV_AWS_191"],
    title: "Redis is encrypted with a customer-managed key",
    severity: "error",
    types: REDIS,
    check: ({ config }) => (isSet(config.kms_key_id) ? undefined : "no kms_key_id"),
    fix: "set kms_key_id",
  },
  {
    ids: ["CKV2_AWS_50"],
    title: "Redis fails over automatically",
    severity: "error",
    types: REDIS,
    check: ({ config }) => (flag(config, "automatic_failover_enabled") === true ? undefined : "automatic_failover_enabled is off"),
    fix: "set automatic_failover_enabled = true with a replica per shard",
  },
  {
    ids: ["ECG_REDIS_SNAPSHOTS"],
    title: "Redis keeps daily snapshots (DR-2)",
    severity: "error",
    types: REDIS,
    check: ({ config }) => ((num(config, "snapshot_retention_limit") ?? 0) >= 1 ? undefined : "snapshot_retention_limit is 0"),
    fix: "set snapshot_retention_limit >= 1 and a snapshot_window",
  },
];
