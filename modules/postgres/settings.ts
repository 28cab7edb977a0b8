import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { DbParameterGroupConfig } from "@cdktf/provider-aws/lib/db-parameter-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { serviceTrustPolicy } from "../common/trust";

/** What the primary, its replicas and a replica in another region share. */

/** 02:00-03:00 KST, the quietest hour. */
export const BACKUP_WINDOW = "17:00-18:00";
/** Sunday 03:30-04:30 KST, after the backup. */
export const MAINTENANCE_WINDOW = "sun:18:30-sun:19:30";

export const MONITORING_INTERVALS = [1, 5, 10, 15, 30, 60];
/** CKV_AWS_129: PostgreSQL's log and the upgrade log go to CloudWatch Logs. */
const LOG_EXPORTS = ["postgresql", "upgrade"] as const;

/** The parameter group of every instance: TLS only, slow statements and sessions logged. */
export function postgresParameters(name: string, engineVersion: string): DbParameterGroupConfig {
  const major = engineVersion.split(".")[0];
  return {
    name: `${name}-postgres${major}`,
    family: `postgres${major}`,
    description: `${name}: TLS only, slow statements logged`,
    parameter: [
      // SEC-4, CKV2_AWS_69: refuse unencrypted connections.
      { name: "rds.force_ssl", value: "1" },
      { name: "log_min_duration_statement", value: "1000" },
      { name: "log_connections", value: "1" },
      { name: "log_disconnections", value: "1" },
    ],
  };
}

/** RDS writes its exports to these groups; made here, they get retention and encryption. */
export function exportedLogGroups(
  scope: Construct,
  instanceId: string,
  options: { readonly kmsKeyId: string; readonly retentionDays: number; readonly provider?: TerraformProvider },
): CloudwatchLogGroup[] {
  return LOG_EXPORTS.map(
    (log) =>
      new CloudwatchLogGroup(scope, `logs-${instanceId}-${log}`, {
        provider: options.provider,
        name: `/aws/rds/instance/${instanceId}/${log}`,
        retentionInDays: options.retentionDays,
        kmsKeyId: options.kmsKeyId,
      }),
  );
}

/** Settings every instance shares, source or replica. */
export function instanceSettings(options: {
  readonly instanceClass: string;
  readonly monitoringRoleArn: string;
  readonly monitoringIntervalSeconds?: number;
  readonly deletionProtection: boolean;
}) {
  return {
    instanceClass: options.instanceClass,
    enabledCloudwatchLogsExports: [...LOG_EXPORTS],
    storageEncrypted: true,
    publiclyAccessible: false,
    copyTagsToSnapshot: true,
    performanceInsightsEnabled: true,
    monitoringInterval: options.monitoringIntervalSeconds ?? 60,
    monitoringRoleArn: options.monitoringRoleArn,
    // Patches within the major in the maintenance window; RDS also upgrades the
    // minors it stops supporting, which with this off made Terraform plan a downgrade RDS refuses.
    autoMinorVersionUpgrade: true,
    deletionProtection: options.deletionProtection,
    skipFinalSnapshot: !options.deletionProtection,
  };
}

/**
 * The enhanced-monitoring role: RDS publishes OS metrics to CloudWatch Logs
 * with it (IAM: global, one per name). Its trust admits RDS acting for the
 * instances named `<instances>*` of this account only, in any region (RDS User
 * Guide, "Setting up and enabling Enhanced Monitoring": aws:SourceArn
 * `arn:aws:rds:<region>:<account>:db:<name>`, confused deputy).
 */
export class MonitoringRole extends Construct {
  readonly role: IamRole;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: { readonly name: string; readonly account: AwsAccount; readonly instances: string }) {
    super(scope, id);
    const { partition, accountId } = props.account;
    const trust = serviceTrustPolicy(
      this,
      "trust",
      "monitoring.rds.amazonaws.com",
      props.account,
      // Any region: the primary's cross-region replica (<name>-replica-remote) is monitored with this role too.
      `arn:${partition}:rds:*:${accountId}:db:${props.instances}*`,
    );
    this.role = new IamRole(this, "role", {
      name: props.name,
      description: "Enhanced monitoring: RDS publishes OS metrics to CloudWatch Logs",
      assumeRolePolicy: trust.json,
    });
    new IamRolePolicyAttachment(this, "policy", {
      role: this.role.name,
      policyArn: `arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
    });
    this.arn = this.role.arn;
  }
}
