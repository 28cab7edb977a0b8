import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { logRetentionProblem, secretRecoveryProblem } from "../common/limits";
import { refuseProps } from "../common/props";
import { type SecretReplica, secretReplicaProblems } from "../app-secrets/replicas";
import { MasterCredentials } from "./master-credentials";
import { suppress } from "../policy";
import { PostgresReplica } from "./replica";
import {
  BACKUP_WINDOW,
  exportedLogGroups,
  MAINTENANCE_WINDOW,
  instanceSettings,
  MonitoringRole,
  MONITORING_INTERVALS,
  postgresParameters,
} from "./settings";
import { backupRetentionProblem } from "./rules";

/** RDS-1: PostgreSQL 15, the minor kept current by automatic minor upgrades. */
const DEFAULT_ENGINE_VERSION = "15";

/** The application's database, created with the primary (a replica has it too). */
export const DEFAULT_DATABASE_NAME = "ecg";

export { PostgresReplica, type PostgresReplicaProps } from "./replica";
export { MonitoringRole } from "./settings";
export { MASTER_PASSWORD_LENGTH, MasterCredentials, masterSecretName } from "./master-credentials";

/** A read replica in another region (RDS-3) and the copy of the automated backups there (RDS-4). */
export interface CrossRegionReplica {
  /** Provider of the replica's region. */
  readonly provider: TerraformProvider;
  /** KMS key in that region: an encrypted replica is re-encrypted with a key of its own region; it also encrypts the replica's log groups, so its policy must let CloudWatch Logs of that region use it. */
  readonly kmsKeyArn: string;
  /**
   * Subnets for the replica in that region, in at least two AZs (a DB subnet
   * group is made of them). No default VPC is assumed: without a subnet group
   * RDS creates the replica outside any VPC or in a default VPC that a
   * landing-zone account often does not have (RDS API Reference,
   * CreateDBInstanceReadReplica DBSubnetGroupName).
   */
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

export interface PostgresProps {
  /** Instance identifier, e.g. `ecg-prod`; replicas append `-replica-<n>` and `-replica-remote`. */
  readonly name: string;
  readonly account: AwsAccount;
  /**
   * The major version ("15": RDS picks the current minor and, with automatic
   * minor upgrades, keeps it patched) or a full minor ("15.12").
   * @default "15" (RDS-1)
   */
  readonly engineVersion?: string;
  readonly instanceClass: string;
  /** gp3 storage (RDS-1). */
  readonly allocatedStorageGiB: number;
  /** gp3 IOPS; AWS allows setting it from 400 GiB (below, the baseline 3000 applies). @default - the gp3 baseline */
  readonly iops?: number;
  /** gp3 throughput, MiB/s; as iops. @default - the gp3 baseline */
  readonly storageThroughputMiBps?: number;
  readonly multiAz: boolean;
  /** Automated backups, days (RDS-2); at least 1: replicas and point-in-time recovery need them. */
  readonly backupRetentionDays: number;
  /** Private subnets of the primary region, one per AZ. */
  readonly subnetIds: readonly string[];
  /** RDS-SG of the NET-4 matrix. */
  readonly securityGroupIds: readonly string[];
  /** Encrypts storage, Performance Insights, the master password secret and the log groups' neighbours (SEC-4). */
  readonly kmsKeyArn: string;
  /** KMS key of the exported log groups. */
  readonly logsKmsKeyArn: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** @default "ecg" */
  readonly databaseName?: string;
  /** @default "ecg_admin" */
  readonly masterUsername?: string;
  /** Days between rotations of the master password (SEC-2). @default 30 */
  readonly passwordRotationDays?: number;
  /** Folder of the rotation function's code (lambda/secret-rotation), zipped at synth. */
  readonly rotationCodePath: string;
  /** Days the deleted master secret can be restored; 0 deletes it at once. @default 7 */
  readonly secretRecoveryWindowDays?: number;
  /** Regions that keep a copy of the master secret (a standby there), each with a key of its region. @default - none */
  readonly secretReplicas?: readonly SecretReplica[];
  /** Deletion protection and `prevent_destroy` on every instance, and a final snapshot of the primary (production). */
  readonly deletionProtection: boolean;
  /** Enhanced monitoring interval, seconds (1, 5, 10, 15, 30 or 60). @default 60 */
  readonly monitoringIntervalSeconds?: number;
  /** Read replicas in the primary region (RDS-3). @default 0 */
  readonly sameRegionReplicas?: number;
  /** @default - none */
  readonly crossRegionReplica?: CrossRegionReplica;
}

/**
 * The card's "Multi-AZ RDS" (RDS-1..4): PostgreSQL on gp3, Multi-AZ, encrypted
 * with a customer key (storage, Performance Insights, the master secret), TLS
 * forced by its parameter group, IAM database authentication, logs exported to
 * encrypted log groups with retention, enhanced monitoring, a master
 * password that never enters the state, rotated by the project's function
 * (`MasterCredentials`), automatic minor upgrades, read replicas in the
 * primary region and in another one, and the automated backups copied to that
 * region. Production adds deletion protection, `prevent_destroy` and a final
 * snapshot.
 */
export class PostgresDatabase extends Construct {
  readonly instance: DbInstance;
  readonly replicas: DbInstance[];
  readonly crossRegionReplica?: DbInstance;
  /** The cross-region replica with its parameters, log groups and backup copies. */
  readonly remoteReplica?: PostgresReplica;
  readonly parameterGroup: DbParameterGroup;
  /** Host name of the primary. */
  readonly address: string;
  readonly port: number;
  readonly databaseName: string;
  readonly masterUsername: string;
  /** The secret with the master credentials (JSON: username, password, host, port, dbname, engine, dbInstanceIdentifier). */
  readonly masterSecretArn: string;
  readonly masterCredentials: MasterCredentials;
  /** DbiResourceId, for `rds-db:connect` grants. */
  readonly resourceId: string;

  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    validate(id, props);
    const { name, account } = props;
    const engineVersion = props.engineVersion ?? DEFAULT_ENGINE_VERSION;
    this.databaseName = props.databaseName ?? DEFAULT_DATABASE_NAME;
    this.masterUsername = props.masterUsername ?? "ecg_admin";
    this.port = 5432;

    const subnetGroup = new DbSubnetGroup(this, "subnet-group", {
      name,
      subnetIds: [...props.subnetIds],
      description: `${name}: private subnets`,
    });
    const parameterGroupConfig = postgresParameters(name, engineVersion);
    this.parameterGroup = new DbParameterGroup(this, "parameters", parameterGroupConfig);
    const retention = props.logRetentionDays ?? 365;
    const exportedLogs = (instanceId: string, kmsKeyId: string) =>
      exportedLogGroups(this, instanceId, { kmsKeyId, retentionDays: retention });

    // The primary (<name>) and its same-region replicas (<name>-replica-<n>).
    const monitoringRole = new MonitoringRole(this, "monitoring-role", { name: `${name}-rds-monitoring`, account, instances: name });

    const common = instanceSettings({
      instanceClass: props.instanceClass,
      monitoringIntervalSeconds: props.monitoringIntervalSeconds,
      monitoringRoleArn: monitoringRole.arn,
      deletionProtection: props.deletionProtection,
    });
    this.masterCredentials = new MasterCredentials(this, "master", {
      identifier: name,
      account,
      username: this.masterUsername,
      kmsKeyArn: props.kmsKeyArn,
      logsKmsKeyArn: props.logsKmsKeyArn,
      logRetentionDays: retention,
      rotationCodePath: props.rotationCodePath,
      rotationDays: props.passwordRotationDays ?? 30,
      recoveryWindowDays: props.secretRecoveryWindowDays ?? 7,
      replicas: props.secretReplicas,
    });
    this.instance = new DbInstance(this, "primary", {
      ...common,
      identifier: name,
      engine: "postgres",
      // A major (or major.minor) with automatic minor upgrades: RDS keeps the minor current,
      // and Terraform does not plan a downgrade after RDS has upgraded it (engine_version_actual).
      engineVersion,
      dbName: this.databaseName,
      username: this.masterUsername,
      // Write-only: RDS gets the first password, the state never holds it; rotation owns it afterwards.
      passwordWo: this.masterCredentials.initialPassword,
      passwordWoVersion: 1,
      allocatedStorage: props.allocatedStorageGiB,
      storageType: "gp3",
      iops: props.iops,
      storageThroughput: props.storageThroughputMiBps,
      kmsKeyId: props.kmsKeyArn,
      performanceInsightsKmsKeyId: props.kmsKeyArn,
      multiAz: props.multiAz,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [...props.securityGroupIds],
      parameterGroupName: this.parameterGroup.name,
      iamDatabaseAuthenticationEnabled: true,
      backupRetentionPeriod: props.backupRetentionDays,
      backupWindow: BACKUP_WINDOW,
      maintenanceWindow: MAINTENANCE_WINDOW,
      finalSnapshotIdentifier: props.deletionProtection ? `${name}-final` : undefined,
      lifecycle: props.deletionProtection ? { preventDestroy: true } : undefined,
      dependsOn: exportedLogs(name, props.logsKmsKeyArn),
    });
    this.address = this.instance.address;
    this.resourceId = this.instance.resourceId;
    this.masterCredentials.store(this.instance, this.databaseName);
    this.masterSecretArn = this.masterCredentials.secretArn;

    // Replicas follow the primary's engine, storage and parameters.
    this.replicas = Array.from(
      { length: props.sameRegionReplicas ?? 0 },
      (_, i) =>
        new DbInstance(this, `replica-${i + 1}`, {
          ...common,
          identifier: `${name}-replica-${i + 1}`,
          dependsOn: exportedLogs(`${name}-replica-${i + 1}`, props.logsKmsKeyArn),
          replicateSourceDb: this.instance.identifier,
          kmsKeyId: props.kmsKeyArn,
          performanceInsightsKmsKeyId: props.kmsKeyArn,
          vpcSecurityGroupIds: [...props.securityGroupIds],
          parameterGroupName: this.parameterGroup.name,
          // RDS takes no final snapshot of a replica; the primary's backups cover it.
          skipFinalSnapshot: true,
          lifecycle: props.deletionProtection ? { preventDestroy: true } : undefined,
        }),
    );
    for (const replica of this.replicas) {
      suppress(
        replica,
        "CKV_AWS_157",
        "A same-region read replica scales reads: the primary it follows is Multi-AZ, and a replica lost with its AZ is recreated from it (RDS-3).",
      );
    }

    const remote = props.crossRegionReplica;
    if (remote) {
      this.remoteReplica = new PostgresReplica(this, "remote", {
        provider: remote.provider,
        identifier: `${name}-replica-remote`,
        sourceDbArn: this.instance.arn,
        engineVersion,
        instanceClass: props.instanceClass,
        kmsKeyArn: remote.kmsKeyArn,
        logsKmsKeyArn: remote.kmsKeyArn,
        logRetentionDays: retention,
        subnetIds: remote.subnetIds,
        securityGroupIds: remote.securityGroupIds,
        monitoringRoleArn: monitoringRole.arn,
        monitoringIntervalSeconds: props.monitoringIntervalSeconds,
        deletionProtection: props.deletionProtection,
        backupRetentionDays: props.backupRetentionDays,
        parameterGroupName: `${name}-postgres${engineVersion.split(".")[0]}`,
      });
      this.crossRegionReplica = this.remoteReplica.instance;
    }
    ComponentTags.apply(this, "database");
  }
}

function validate(id: string, props: PostgresProps): void {
  const problems: string[] = [];
  const version = props.engineVersion ?? DEFAULT_ENGINE_VERSION;
  // The longest derived name, `<name>-rds-monitoring` (IAM role), must fit 64 characters; `<name>-replica-remote` the RDS limit of 63.
  if (!/^[a-z][a-z0-9-]{0,47}$/.test(props.name ?? "") || props.name.endsWith("-") || props.name.includes("--")) {
    problems.push(
      `name: "${props.name ?? ""}" must be 1-48 lower-case letters, digits or single hyphens, starting with a letter (RDS identifiers and role names derive from it)`,
    );
  }
  if (!/^\d+(\.\d+)?$/.test(version)) problems.push(`engineVersion: "${version}" must look like 15 or 15.12`);
  if (!props.rotationCodePath) problems.push("rotationCodePath: the master password's rotation function needs its code folder");
  const recovery = secretRecoveryProblem(props.secretRecoveryWindowDays ?? 7);
  if (recovery) problems.push(`secretRecoveryWindowDays: ${recovery}`);
  problems.push(...secretReplicaProblems("secretReplicas", props.secretReplicas, props.account?.region));
  if (!/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(props.instanceClass ?? ""))
    problems.push(`instanceClass: "${props.instanceClass ?? ""}" is not an RDS instance class`);
  if (!(Number.isInteger(props.allocatedStorageGiB) && props.allocatedStorageGiB >= 20 && props.allocatedStorageGiB <= 65536)) {
    problems.push(`allocatedStorageGiB: ${props.allocatedStorageGiB} must be 20-65536 (gp3)`);
  }
  // gp3 on RDS PostgreSQL: IOPS and throughput are configurable from 400 GiB only.
  if ((props.iops !== undefined || props.storageThroughputMiBps !== undefined) && props.allocatedStorageGiB < 400) {
    problems.push(
      `iops/storageThroughputMiBps: RDS sets them on gp3 only from 400 GiB; ${props.allocatedStorageGiB} GiB uses the baseline (3000 IOPS, 125 MiB/s): leave them unset`,
    );
  }
  if (props.iops !== undefined && !(props.iops >= 12000 && props.iops <= 64000))
    problems.push(`iops: ${props.iops} must be 12000-64000 (gp3 from 400 GiB)`);
  if (props.storageThroughputMiBps !== undefined && !(props.storageThroughputMiBps >= 500 && props.storageThroughputMiBps <= 4000)) {
    problems.push(`storageThroughputMiBps: ${props.storageThroughputMiBps} must be 500-4000 (gp3 from 400 GiB)`);
  }
  const backups = backupRetentionProblem(props.backupRetentionDays);
  if (backups) problems.push(`backupRetentionDays: ${backups}`);
  if ((props.subnetIds ?? []).length < 2)
    problems.push(`subnetIds: ${props.subnetIds?.length ?? 0} given; a DB subnet group needs subnets in at least 2 AZs`);
  if ((props.securityGroupIds ?? []).length < 1) problems.push("securityGroupIds: at least one security group is required");
  const interval = props.monitoringIntervalSeconds ?? 60;
  if (!MONITORING_INTERVALS.includes(interval))
    problems.push(`monitoringIntervalSeconds: ${interval} must be one of ${MONITORING_INTERVALS.join(", ")}`);
  const rotation = props.passwordRotationDays ?? 30;
  if (!(Number.isInteger(rotation) && rotation >= 1 && rotation <= 365)) problems.push(`passwordRotationDays: ${rotation} must be 1-365`);
  const replicas = props.sameRegionReplicas ?? 0;
  if (!(Number.isInteger(replicas) && replicas >= 0 && replicas <= 15))
    problems.push(`sameRegionReplicas: ${replicas} must be 0-15 (RDS limit)`);
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(props.databaseName ?? "ecg"))
    problems.push(`databaseName: "${props.databaseName}" must be a PostgreSQL identifier`);
  if (
    !/^[a-z][a-z0-9_]{0,62}$/.test(props.masterUsername ?? "ecg_admin") ||
    ["postgres", "rdsadmin", "admin"].includes(props.masterUsername ?? "")
  ) {
    problems.push(`masterUsername: "${props.masterUsername}" must be a PostgreSQL identifier other than a reserved name`);
  }
  const retention = logRetentionProblem(props.logRetentionDays ?? 365);
  if (retention) problems.push(`logRetentionDays: ${retention}`);
  refuseProps("PostgresDatabase", id, problems);
}
