import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbInstanceAutomatedBackupsReplication } from "@cdktf/provider-aws/lib/db-instance-automated-backups-replication";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { ComponentTags } from "../common/component-tags";
import { logRetentionProblem } from "../common/limits";
import { refuseProps } from "../common/props";
import { forgetResource } from "../common/removed";
import { suppress } from "../policy";
import {
  BACKUP_WINDOW,
  exportedLogGroups,
  MAINTENANCE_WINDOW,
  instanceSettings,
  MONITORING_INTERVALS,
  postgresParameters,
} from "./settings";
import { backupRetentionProblem } from "./rules";

export interface PostgresReplicaProps {
  /** Provider of the replica's region. @default - the stack's default provider */
  readonly provider?: TerraformProvider;
  /** Instance identifier of the replica, e.g. `ecg-prod-replica-remote`. */
  readonly identifier: string;
  /**
   * ARN of the source instance in another region (across regions RDS names
   * the source by ARN). A literal ARN built from account, region and
   * identifier needs no lookup in the source region: the replica's stack then
   * plans while that region is down.
   */
  readonly sourceDbArn: string;
  /** The source's engine version: it sets the parameter group family. */
  readonly engineVersion: string;
  readonly instanceClass: string;
  /** KMS key in the replica's region: an encrypted replica is re-encrypted with a key of its own region. */
  readonly kmsKeyArn: string;
  /** KMS key of the replica's exported log groups, in its region. */
  readonly logsKmsKeyArn: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** Subnets for the replica, in at least two AZs (a DB subnet group is made of them; no default VPC is assumed). */
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  /** Enhanced-monitoring role (IAM is global: the source's role serves). */
  readonly monitoringRoleArn: string;
  /** @default 60 */
  readonly monitoringIntervalSeconds?: number;
  /** Deletion protection and `prevent_destroy`: a regional failover promotes this instance. */
  readonly deletionProtection: boolean;
  /** Days of the source's automated backups kept as copies in this region (RDS-4, DR-2), 1-35. */
  readonly backupRetentionDays: number;
  /** @default - `<identifier>-postgres<major>` */
  readonly parameterGroupName?: string;
  /**
   * IAM database authentication on the replica (the API logs in with IAM
   * tokens once a failover has promoted it).
   * @default true
   */
  readonly iamAuthentication?: boolean;
  /**
   * The replica after a regional failover: no source (Terraform promotes a
   * replica whose `replicate_source_db` it drops), no more copies of the
   * lost source's backups, its own automated backups (`backupRetentionDays`)
   * and `multiAz`. There is no way back: to follow the old source again, a
   * new replica is made.
   * @default false
   */
  readonly promoted?: boolean;
  /** Multi-AZ once promoted (a replica waiting in pilot light stays Single-AZ). @default false */
  readonly multiAz?: boolean;
}

/**
 * A read replica of PostgreSQL in another region (RDS-3) with the source's
 * parameters (TLS only), its own encrypted log groups there, and the source's
 * automated backups copied to that region for point-in-time restore (RDS-4,
 * DR-2). In a regional failover it is promoted (`aws rds
 * promote-read-replica`) and becomes the standby's database (DR-1).
 */
export class PostgresReplica extends Construct {
  readonly instance: DbInstance;
  readonly parameterGroup: DbParameterGroup;
  /** Not once promoted. */
  readonly backupReplication?: DbInstanceAutomatedBackupsReplication;
  /** Host name of the replica. */
  readonly address: string;
  readonly port = 5432;
  /** DbiResourceId, for `rds-db:connect` grants. */
  readonly resourceId: string;

  constructor(scope: Construct, id: string, props: PostgresReplicaProps) {
    super(scope, id);
    refuseProps("PostgresReplica", id, problemsOf(props));
    const { provider, identifier } = props;
    const promoted = props.promoted ?? false;
    const subnets = new DbSubnetGroup(this, "subnet-group", {
      provider,
      name: identifier,
      subnetIds: [...props.subnetIds],
      description: `${identifier}: private subnets`,
    });
    // Parameter groups are regional: the replica's region gets the same one.
    const parameters = postgresParameters(identifier, props.engineVersion);
    this.parameterGroup = new DbParameterGroup(this, "parameters", {
      ...parameters,
      provider,
      name: props.parameterGroupName ?? parameters.name,
    });
    this.instance = new DbInstance(this, "replica", {
      ...instanceSettings(props),
      provider,
      identifier,
      // Its log groups live in its region, under its region's key.
      dependsOn: exportedLogGroups(this, identifier, {
        provider,
        kmsKeyId: props.logsKmsKeyArn,
        retentionDays: props.logRetentionDays ?? 365,
      }),
      replicateSourceDb: promoted ? undefined : props.sourceDbArn,
      // Promoted, it is the database of record: the primary's backups, windows and final snapshot.
      ...(promoted
        ? {
            backupRetentionPeriod: props.backupRetentionDays,
            backupWindow: BACKUP_WINDOW,
            maintenanceWindow: MAINTENANCE_WINDOW,
            multiAz: props.multiAz ?? false,
            finalSnapshotIdentifier: props.deletionProtection ? `${identifier}-final` : undefined,
          }
        : {}),
      kmsKeyId: props.kmsKeyArn,
      performanceInsightsKmsKeyId: props.kmsKeyArn,
      dbSubnetGroupName: subnets.name,
      parameterGroupName: this.parameterGroup.name,
      vpcSecurityGroupIds: [...props.securityGroupIds],
      iamDatabaseAuthenticationEnabled: props.iamAuthentication ?? true,
      // RDS takes no final snapshot of a replica; the source's backups (and their copies here) cover it.
      skipFinalSnapshot: !(promoted && props.deletionProtection),
      // What a regional failover promotes: protected like the source.
      lifecycle: props.deletionProtection ? { preventDestroy: true } : undefined,
    });
    if (!(promoted && props.multiAz)) {
      suppress(
        this.instance,
        "CKV_AWS_157",
        "A read replica waiting in another region stays Single-AZ: its source is Multi-AZ, and the failover that promotes it turns Multi-AZ on (multiAz).",
      );
    }
    // RDS-4, DR-2: point-in-time restore in this region from copied backups (while the source lives).
    const backupReplication = new DbInstanceAutomatedBackupsReplication(this, "backup-replication", {
      provider,
      sourceDbInstanceArn: props.sourceDbArn,
      kmsKeyId: props.kmsKeyArn,
      retentionPeriod: props.backupRetentionDays,
    });
    if (promoted) {
      // Deleting the replication calls the source's region and waits on it: in
      // a failover that region is down and the apply would hang. Terraform
      // forgets it instead (a `removed` block, Terraform >= 1.7); the copied
      // backups stay until their retention ends.
      forgetResource(backupReplication);
    } else {
      this.backupReplication = backupReplication;
    }
    this.address = this.instance.address;
    this.resourceId = this.instance.resourceId;
    ComponentTags.apply(this, "database");
  }
}

function problemsOf(props: PostgresReplicaProps): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(props.identifier ?? "") || props.identifier.endsWith("-") || props.identifier.includes("--")) {
    problems.push(
      `identifier: "${props.identifier ?? ""}" must be 1-63 lower-case letters, digits or single hyphens, starting with a letter (RDS limit)`,
    );
  }
  const arn = props.sourceDbArn;
  if (!arn) problems.push("sourceDbArn: is required (across regions RDS names the source by ARN)");
  else if (!arn.includes("${") && !/^arn:[a-z-]+:rds:[a-z0-9-]+:\d{12}:db:[a-z][a-z0-9-]*$/.test(arn))
    problems.push(`sourceDbArn: "${arn}" is not an RDS DB instance ARN`);
  if (!/^\d+(\.\d+)?$/.test(props.engineVersion ?? ""))
    problems.push(`engineVersion: "${props.engineVersion ?? ""}" must look like 15 or 15.12`);
  if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(props.instanceClass ?? ""))
    problems.push(`instanceClass: "${props.instanceClass ?? ""}" is not an RDS instance class`);
  if ((props.subnetIds ?? []).length < 2)
    problems.push(
      `subnetIds: ${props.subnetIds?.length ?? 0} given; a DB subnet group needs subnets in at least 2 AZs (no default VPC is assumed)`,
    );
  if ((props.securityGroupIds ?? []).length < 1)
    problems.push("securityGroupIds: at least one security group is required (no default VPC group is assumed)");
  const interval = props.monitoringIntervalSeconds ?? 60;
  if (!MONITORING_INTERVALS.includes(interval))
    problems.push(`monitoringIntervalSeconds: ${interval} must be one of ${MONITORING_INTERVALS.join(", ")}`);
  const backups = backupRetentionProblem(props.backupRetentionDays);
  if (backups) problems.push(`backupRetentionDays: ${backups}`);
  const retention = logRetentionProblem(props.logRetentionDays ?? 365);
  if (retention) problems.push(`logRetentionDays: ${retention}`);
  return problems;
}
