import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Testing } from "cdktf";
import { type CrossRegionReplica, PostgresDatabase, type PostgresProps } from "../../modules/postgres";
import { KEY, LOGS_KEY, POSTGRES_PROPS } from "./postgres-fixtures";
import { errorOf, only, referencedId, resourcesOf, statementsOf, type SynthesizedStack, synthJson, TEST_ACCOUNT } from "../helpers";

const REMOTE_KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/data";

const props: PostgresProps = POSTGRES_PROPS;

/** The cross-region replica without its provider, which has to be created inside the test scope. */
type Remote = Omit<CrossRegionReplica, "provider">;
/** The cross-region replica with its own subnets and security group (required: no default VPC is assumed). */
const REMOTE: Remote = { kmsKeyArn: REMOTE_KEY, subnetIds: ["subnet-tokyo-a", "subnet-tokyo-c"], securityGroupIds: ["sg-tokyo"] };

/** Synthesizes the module; with `remote`, a `tokyo` aliased AWS provider carries the cross-region replica. */
const synth = (overrides: Partial<PostgresProps> = {}, remote?: Remote): SynthesizedStack =>
  synthJson(
    Testing.synthScope((scope) => {
      const crossRegionReplica = remote
        ? { ...remote, provider: new AwsProvider(scope, "tokyo", { region: "ap-northeast-1", alias: "tokyo" }) }
        : undefined;
      new PostgresDatabase(scope, "db", { ...props, crossRegionReplica, ...overrides });
    }),
  );

/** The DB instance with that identifier, as [logical id, config]. */
function instance(stack: SynthesizedStack, identifier: string): [string, any] {
  const found = resourcesOf(stack, "aws_db_instance").filter(([, db]) => db.identifier === identifier);
  expect(found).toHaveLength(1);
  return found[0];
}

describe("PostgresDatabase module", () => {
  // The production shape: two replicas in the region, one in Tokyo with its own subnets.
  const stack = synth({ sameRegionReplicas: 2 }, REMOTE);
  const json = JSON.stringify(stack);
  const [primaryId, primary] = instance(stack, "ecg-test");
  const replicas = [instance(stack, "ecg-test-replica-1"), instance(stack, "ecg-test-replica-2")];
  const [, remote] = instance(stack, "ecg-test-replica-remote");
  const allInstances = () => resourcesOf(stack, "aws_db_instance").map(([, db]) => db);
  const minimal = synth({ deletionProtection: false });

  it("[RDS-1] runs PostgreSQL 15 (the major: RDS picks and patches the minor) by default on the given instance class with gp3 storage", () => {
    expect(json).toHaveResourceWithProperties(DbInstance, {
      identifier: "ecg-test",
      engine: "postgres",
      engine_version: "15",
      instance_class: "db.r6g.large",
      allocated_storage: 100,
      storage_type: "gp3",
      db_name: "ecg",
      username: "ecg_admin",
    });
    // Below 400 GiB the gp3 baseline applies: no IOPS or throughput are sent.
    expect(primary.iops).toBeUndefined();
    expect(primary.storage_throughput).toBeUndefined();
  });

  it('[RDS-1] [RDS User Guide, "Automatically upgrading the minor engine version": RDS upgrades the minor only with auto minor version upgrade on, and a pinned minor it stops supporting makes Terraform plan a downgrade] turns automatic minor upgrades on for the primary and every replica', () => {
    expect(allInstances()).toHaveLength(4);
    for (const db of allInstances()) expect(db.auto_minor_version_upgrade).toBe(true);
    // The replicas follow the source's version: only the primary names one.
    expect(
      allInstances()
        .filter((db) => db.engine_version !== undefined)
        .map((db) => db.identifier),
    ).toEqual(["ecg-test"]);
  });

  it("[RDS-1] takes another engine version, with a parameter group of its family", () => {
    const other = synth({ engineVersion: "16.3", databaseName: "ecg_app", masterUsername: "ecg_root" });
    const [, db] = only(other, "aws_db_instance");
    expect(db).toMatchObject({ engine_version: "16.3", db_name: "ecg_app", username: "ecg_root" });
    const [, group] = only(other, "aws_db_parameter_group");
    expect(group).toMatchObject({ family: "postgres16", name: "ecg-test-postgres16" });
    // A full minor is taken as given; the cross-region replica's parameter group follows its major.
    const remote = synth({ engineVersion: "15.12" }, REMOTE);
    expect(instance(remote, "ecg-test")[1].engine_version).toBe("15.12");
    expect(resourcesOf(remote, "aws_db_parameter_group").map(([, g]) => [g.name, g.family])).toEqual([
      ["ecg-test-postgres15", "postgres15"],
      ["ecg-test-postgres15", "postgres15"],
    ]);
  });

  it("[RDS-1] sets gp3 IOPS and throughput from 400 GiB, at the limits of their ranges", () => {
    for (const [iops, throughput] of [
      [12000, 500],
      [64000, 4000],
    ]) {
      const [, db] = only(synth({ allocatedStorageGiB: 400, iops, storageThroughputMiBps: throughput }), "aws_db_instance");
      expect(db).toMatchObject({ allocated_storage: 400, storage_type: "gp3", iops, storage_throughput: throughput });
    }
  });

  it("[RDS-1] refuses IOPS or throughput below 400 GiB, where RDS keeps the gp3 baseline", () => {
    const baseline =
      "iops/storageThroughputMiBps: RDS sets them on gp3 only from 400 GiB; 399 GiB uses the baseline (3000 IOPS, 125 MiB/s): leave them unset";
    expect(() => synth({ allocatedStorageGiB: 399, iops: 12000 })).toThrow(baseline);
    expect(() => synth({ allocatedStorageGiB: 399, storageThroughputMiBps: 500 })).toThrow(baseline);
    expect(() => synth({ allocatedStorageGiB: 400, iops: 12000 })).not.toThrow();
  });

  it("[RDS-2] is Multi-AZ with the given backup retention, in the private subnets behind the given security groups", () => {
    expect(primary).toMatchObject({ multi_az: true, backup_retention_period: 7, vpc_security_group_ids: ["sg-rds"] });
    const [subnetGroupId, subnetGroup] = only(minimal, "aws_db_subnet_group");
    expect(subnetGroup).toMatchObject({ name: "ecg-test", subnet_ids: ["subnet-a", "subnet-c"] });
    const [, db] = only(minimal, "aws_db_instance");
    expect(db.db_subnet_group_name).toBe(`\${aws_db_subnet_group.${subnetGroupId}.name}`);
    const [, single] = only(synth({ multiAz: false, backupRetentionDays: 35 }), "aws_db_instance");
    expect(single).toMatchObject({ multi_az: false, backup_retention_period: 35 });
  });

  it("[RDS-2] [SEC-4] encrypts storage and Performance Insights of the primary and same-region replicas with the given key", () => {
    for (const db of [primary, ...replicas.map(([, r]) => r)]) {
      expect(db).toMatchObject({
        storage_encrypted: true,
        kms_key_id: KEY,
        performance_insights_enabled: true,
        performance_insights_kms_key_id: KEY,
      });
    }
  });

  it("[RDS-2] [SEC-4] CKV2_AWS_69: forces TLS with rds.force_ssl=1 in a parameter group attached to the primary and its same-region replicas", () => {
    const groups = resourcesOf(stack, "aws_db_parameter_group");
    const [groupId, group] = groups.find(([, g]) => g.provider === undefined)!;
    expect(group).toMatchObject({ name: "ecg-test-postgres15", family: "postgres15" });
    expect(group.parameter).toContainEqual({ name: "rds.force_ssl", value: "1" });
    for (const db of [primary, ...replicas.map(([, r]) => r)]) {
      expect(db.parameter_group_name).toBe(`\${aws_db_parameter_group.${groupId}.name}`);
    }
  });

  it("[RDS-3] [SEC-4] gives the cross-region replica the same parameters in its own region (parameter groups are regional)", () => {
    const [remoteId, remote] = resourcesOf(stack, "aws_db_parameter_group").find(([, g]) => g.provider !== undefined)!;
    const [, local] = resourcesOf(stack, "aws_db_parameter_group").find(([, g]) => g.provider === undefined)!;
    expect(remote.provider).toBe("aws.tokyo");
    expect(remote.parameter).toEqual(local.parameter);
    const [, replica] = resourcesOf(stack, "aws_db_instance").find(([, r]) => r.provider === "aws.tokyo")!;
    expect(replica.parameter_group_name).toBe(`\${aws_db_parameter_group.${remoteId}.name}`);
  });

  it("[RDS-2] turns IAM database authentication on", () => {
    expect(primary.iam_database_authentication_enabled).toBe(true);
  });

  it("[RDS-2] CKV_AWS_129: exports the postgresql and upgrade logs of every instance", () => {
    expect(allInstances()).toHaveLength(4);
    for (const db of allInstances()) expect(db.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
  });

  it("[RDS-2] pre-creates /aws/rds/instance/<id>/<log> groups, KMS-encrypted with 365-day retention, for the primary and each same-region replica", () => {
    const groups = new Map(resourcesOf(stack, "aws_cloudwatch_log_group").filter(([, g]) => g.name.startsWith("/aws/rds/")));
    for (const [, db] of [[primaryId, primary], ...replicas]) {
      const names = ["postgresql", "upgrade"].map((log) => `/aws/rds/instance/${db.identifier}/${log}`);
      // The instance waits for its groups, so RDS does not create unencrypted ones without retention first.
      expect(db.depends_on).toHaveLength(2);
      const own = db.depends_on.map((dependency: string) => {
        const [type, id] = dependency.split(".");
        expect(type).toBe("aws_cloudwatch_log_group");
        return groups.get(id);
      });
      expect(own.map((g: any) => g.name)).toEqual(names);
      for (const group of own) {
        expect(group).toMatchObject({ retention_in_days: 365, kms_key_id: LOGS_KEY });
        expect(group.provider).toBeUndefined();
      }
    }
    expect(groups.size).toBe(8);
    // The only other group is the rotation function's.
    expect(
      resourcesOf(stack, "aws_cloudwatch_log_group")
        .map(([, g]) => g.name)
        .filter((name) => !name.startsWith("/aws/rds/")),
    ).toEqual(["/aws/lambda/ecg-test-rds-rotation"]);
  });

  it("[RDS-2] pre-creates the remote replica's log groups in its region with the remote provider and key", () => {
    const groups = new Map(resourcesOf(stack, "aws_cloudwatch_log_group"));
    const own = remote.depends_on.map((dependency: string) => groups.get(dependency.split(".")[1]));
    expect(own).toEqual([
      expect.objectContaining({
        name: "/aws/rds/instance/ecg-test-replica-remote/postgresql",
        provider: "aws.tokyo",
        kms_key_id: REMOTE_KEY,
        retention_in_days: 365,
      }),
      expect.objectContaining({
        name: "/aws/rds/instance/ecg-test-replica-remote/upgrade",
        provider: "aws.tokyo",
        kms_key_id: REMOTE_KEY,
        retention_in_days: 365,
      }),
    ]);
  });

  it("[RDS-2] keeps exported logs for the given retention", () => {
    const custom = synth({ logRetentionDays: 90, sameRegionReplicas: 1 }, REMOTE);
    const groups = resourcesOf(custom, "aws_cloudwatch_log_group");
    // Six exported-log groups and the rotation function's.
    expect(groups).toHaveLength(7);
    for (const [, group] of groups) expect(group.retention_in_days).toBe(90);
  });

  it("[RDS-2] gives enhanced monitoring a role that only monitoring.rds.amazonaws.com assumes, for this database's instances (confused deputy), with AmazonRDSEnhancedMonitoringRole, at 60 s by default", () => {
    const [roleId, role] = resourcesOf(stack, "aws_iam_role").find(([, r]) => r.name === "ecg-test-rds-monitoring")!;
    expect(
      resourcesOf(stack, "aws_iam_role")
        .map(([, r]) => r.name)
        .sort(),
    ).toEqual(["ecg-test-rds-monitoring", "ecg-test-rds-rotation"]);
    const { accountId, partition } = TEST_ACCOUNT;
    expect(statementsOf(stack, role.assume_role_policy)).toEqual([
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["monitoring.rds.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
          { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:rds:*:${accountId}:db:ecg-test*`] },
        ],
      },
    ]);
    const [, attachment] = only(stack, "aws_iam_role_policy_attachment");
    expect(attachment).toEqual({
      role: `\${aws_iam_role.${roleId}.name}`,
      policy_arn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    });
    for (const db of allInstances()) {
      expect(db.monitoring_interval).toBe(60);
      expect(db.monitoring_role_arn).toBe(`\${aws_iam_role.${roleId}.arn}`);
    }
  });

  it("[RDS-2] monitors at the given interval, and names the managed policy in the account's partition", () => {
    const custom = synth({ monitoringIntervalSeconds: 15, account: { ...TEST_ACCOUNT, partition: "aws-us-gov" } });
    expect(only(custom, "aws_db_instance")[1].monitoring_interval).toBe(15);
    expect(only(custom, "aws_iam_role_policy_attachment")[1].policy_arn).toBe(
      "arn:aws-us-gov:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    );
  });

  it('[RDS-3] [RDS User Guide, "Limitations for Secrets Manager integration with Amazon RDS": no read replica of a source whose master password RDS manages] does not let RDS manage the master password', () => {
    for (const db of allInstances()) {
      expect(db.manage_master_user_password).toBeUndefined();
      expect(db.master_user_secret_kms_key_id).toBeUndefined();
    }
    expect(json).not.toContain("master_user_secret");
  });

  it('[SEC-2] [Terraform aws_db_instance, "password_wo": a write-only argument is never stored in the plan or state] gives the primary its first password write-only, from the ephemeral random password; no plain password anywhere', () => {
    const ephemeral = (stack as any).ephemeral;
    const [[name, config]] = Object.entries<any>(ephemeral.aws_secretsmanager_random_password);
    expect(Object.keys(ephemeral.aws_secretsmanager_random_password)).toHaveLength(1);
    expect(config).toEqual({ password_length: 64, exclude_punctuation: true, include_space: false });
    expect(primary.password_wo).toBe(`\${ephemeral.aws_secretsmanager_random_password.${name}.random_password}`);
    expect(primary.password_wo_version).toBe(1);
    for (const db of allInstances()) expect(db.password).toBeUndefined();
    // No resource of the stack carries a stored password or a random_password resource.
    expect(json).not.toMatch(/"password":/);
    expect(stack.resource.random_password).toBeUndefined();
    for (const [, replica] of replicas) expect(replica.password_wo).toBeUndefined();
    expect(remote.password_wo).toBeUndefined();
  });

  it("[SEC-2] keeps the master credentials in the secret <name>/db/master, rotated every 30 days by default by the project's function", () => {
    const [secretId, secret] = only(stack, "aws_secretsmanager_secret");
    expect(secret).toMatchObject({ name: "ecg-test/db/master", kms_key_id: KEY, recovery_window_in_days: 7 });
    expect(primary.master_user_secret_kms_key_id).toBeUndefined();
    const [, rotation] = only(stack, "aws_secretsmanager_secret_rotation");
    const [functionId, fn] = only(stack, "aws_lambda_function");
    expect(rotation).toMatchObject({
      secret_id: `\${aws_secretsmanager_secret.${secretId}.id}`,
      rotation_lambda_arn: `\${aws_lambda_function.${functionId}.arn}`,
      rotation_rules: { automatically_after_days: 30 },
    });
    expect(fn.function_name).toBe("ecg-test-rds-rotation");
    expect(fn.environment.variables.ROTATION_TARGET).toBe("rds-master");
  });

  it("[SEC-2] rotates the master password at the given number of days", () => {
    expect(only(synth({ passwordRotationDays: 7 }), "aws_secretsmanager_secret_rotation")[1].rotation_rules).toEqual({
      automatically_after_days: 7,
    });
  });

  it("[RDS-2] with deletionProtection: protects every instance, keeps it from terraform destroy and takes a final snapshot <name>-final", () => {
    expect(primary).toMatchObject({
      deletion_protection: true,
      lifecycle: { prevent_destroy: true },
      final_snapshot_identifier: "ecg-test-final",
      skip_final_snapshot: false,
    });
    for (const db of [...replicas.map(([, r]) => r), remote]) {
      expect(db).toMatchObject({ deletion_protection: true, lifecycle: { prevent_destroy: true } });
    }
  });

  it("[RDS-2] without deletionProtection: no deletion protection, no prevent_destroy, no final snapshot", () => {
    const unprotected = synth({ deletionProtection: false, sameRegionReplicas: 1 }, REMOTE);
    const all = resourcesOf(unprotected, "aws_db_instance").map(([, db]) => db);
    expect(all).toHaveLength(3);
    for (const db of all) {
      expect(db.deletion_protection).toBe(false);
      expect(db.lifecycle).toBeUndefined();
      expect(db.final_snapshot_identifier).toBeUndefined();
      expect(db.skip_final_snapshot).toBe(true);
    }
  });

  it("[RDS-3] creates no replica by default", () => {
    expect(resourcesOf(minimal, "aws_db_instance").map(([, db]) => db.identifier)).toEqual(["ecg-test"]);
    expect(resourcesOf(minimal, "aws_db_instance_automated_backups_replication")).toEqual([]);
  });

  it("[RDS-3] creates the given number of same-region read replicas of the primary, named <name>-replica-<n>", () => {
    expect(replicas.map(([, r]) => r.identifier)).toEqual(["ecg-test-replica-1", "ecg-test-replica-2"]);
    for (const [, replica] of replicas) {
      // Within the region the source is named by its identifier.
      expect(replica.replicate_source_db).toBe(`\${aws_db_instance.${primaryId}.identifier}`);
      expect(replica).toMatchObject({
        instance_class: "db.r6g.large",
        vpc_security_group_ids: ["sg-rds"],
      });
      expect(replica.provider).toBeUndefined();
      // A replica takes its engine, storage and credentials from its source.
      for (const inherited of [
        "engine",
        "engine_version",
        "allocated_storage",
        "username",
        "manage_master_user_password",
        "password",
        "password_wo",
        "db_name",
      ]) {
        expect(replica[inherited]).toBeUndefined();
      }
    }
    const three = synth({ sameRegionReplicas: 3 });
    expect(resourcesOf(three, "aws_db_instance").filter(([, db]) => db.replicate_source_db)).toHaveLength(3);
  });

  it("[RDS-3] creates the cross-region replica with the remote provider, from the primary's ARN, under the remote key", () => {
    expect(referencedId(remote.replicate_source_db)).toBe(primaryId);
    expect(remote).toMatchObject({
      provider: "aws.tokyo",
      replicate_source_db: `\${aws_db_instance.${primaryId}.arn}`,
      storage_encrypted: true,
      kms_key_id: REMOTE_KEY,
      performance_insights_kms_key_id: REMOTE_KEY,
      instance_class: "db.r6g.large",
      vpc_security_group_ids: ["sg-tokyo"],
    });
    expect(stack.provider!.aws).toContainEqual({ alias: "tokyo", region: "ap-northeast-1" });
  });

  it("[RDS-3] puts the cross-region replica in a DB subnet group of its region, of the given subnets", () => {
    const remoteGroups = resourcesOf(stack, "aws_db_subnet_group").filter(([, g]) => g.provider === "aws.tokyo");
    expect(remoteGroups).toHaveLength(1);
    const [groupId, group] = remoteGroups[0];
    expect(group).toMatchObject({ name: "ecg-test-replica-remote", subnet_ids: ["subnet-tokyo-a", "subnet-tokyo-c"] });
    expect(remote.db_subnet_group_name).toBe(`\${aws_db_subnet_group.${groupId}.name}`);
  });

  it("[RDS-3] [RDS API Reference, CreateDBInstanceReadReplica DBSubnetGroupName: without a subnet group RDS places the replica outside any VPC or in a default VPC] refuses a cross-region replica without subnets in 2 AZs or a security group", () => {
    const missing = errorOf(() => synth({}, { kmsKeyArn: REMOTE_KEY } as Remote));
    expect(missing).toMatch(/^PostgresReplica "remote" is misconfigured:\n/);
    expect(missing).toContain("subnetIds: 0 given; a DB subnet group needs subnets in at least 2 AZs (no default VPC is assumed)");
    expect(missing).toContain("securityGroupIds: at least one security group is required (no default VPC group is assumed)");
    expect(errorOf(() => synth({}, { ...REMOTE, subnetIds: ["subnet-tokyo-a"] }))).toContain("subnetIds: 1 given");
    expect(errorOf(() => synth({}, { ...REMOTE, securityGroupIds: [] }))).toContain(
      "securityGroupIds: at least one security group is required",
    );
  });

  it("[RDS-4] DR-2: replicates the automated backups to the remote region under the remote key, kept as long as the primary's", () => {
    const [, replication] = only(stack, "aws_db_instance_automated_backups_replication");
    expect(replication).toEqual({
      provider: "aws.tokyo",
      source_db_instance_arn: `\${aws_db_instance.${primaryId}.arn}`,
      kms_key_id: REMOTE_KEY,
      retention_period: 7,
    });
    const longer = synth({ backupRetentionDays: 14 }, REMOTE);
    expect(only(longer, "aws_db_instance_automated_backups_replication")[1].retention_period).toBe(14);
  });

  it("[RDS-4] CKV_AWS_17: makes no instance publicly accessible", () => {
    for (const db of allInstances()) expect(db.publicly_accessible).toBe(false);
  });

  it("[RDS-4] CKV2_AWS_60: copies tags to snapshots on every instance", () => {
    for (const db of allInstances()) expect(db.copy_tags_to_snapshot).toBe(true);
  });

  it("[ENV-4] tags every taggable database resource with Component=database", () => {
    const types = [
      "aws_db_instance",
      "aws_db_subnet_group",
      "aws_db_parameter_group",
      "aws_cloudwatch_log_group",
      "aws_iam_role",
      "aws_secretsmanager_secret",
      "aws_lambda_function",
    ];
    for (const type of types) {
      const all = resourcesOf(stack, type);
      expect(all.length).toBeGreaterThan(0);
      for (const [, resource] of all) expect(resource.tags).toEqual({ Component: "database" });
    }
  });

  it("accepts the limits of its validation", () => {
    for (const overrides of [
      { name: "a" },
      { allocatedStorageGiB: 20 },
      { allocatedStorageGiB: 65536 },
      { backupRetentionDays: 1 },
      { backupRetentionDays: 35 },
      { sameRegionReplicas: 15 },
      { passwordRotationDays: 1 },
      { passwordRotationDays: 365 },
      { engineVersion: "15" },
      { engineVersion: "15.12" },
      { logRetentionDays: 1 },
      { secretRecoveryWindowDays: 0 },
      { secretRecoveryWindowDays: 7 },
      { secretRecoveryWindowDays: 30 },
      ...[1, 5, 10, 15, 30, 60].map((monitoringIntervalSeconds) => ({ monitoringIntervalSeconds })),
    ] satisfies Partial<PostgresProps>[]) {
      expect(() => synth(overrides)).not.toThrow();
    }
  });

  const nameRule =
    "must be 1-48 lower-case letters, digits or single hyphens, starting with a letter (RDS identifiers and role names derive from it)";
  it.each<[Partial<PostgresProps>, string]>([
    [{ name: "Ecg-test" }, `name: "Ecg-test" ${nameRule}`],
    [{ name: "ecg_test" }, `name: "ecg_test" ${nameRule}`],
    [{ name: "1ecg" }, `name: "1ecg" ${nameRule}`],
    [{ name: "ecg-test-" }, `name: "ecg-test-" ${nameRule}`],
    [{ name: "ecg--test" }, `name: "ecg--test" ${nameRule}`],
    [{ name: "a".repeat(55) }, `name: "${"a".repeat(55)}" ${nameRule}`],
    [{ name: "" }, `name: "" ${nameRule}`],
    [{ engineVersion: "15.4.1" }, 'engineVersion: "15.4.1" must look like 15 or 15.12'],
    [{ engineVersion: "latest" }, 'engineVersion: "latest" must look like 15 or 15.12'],
    [{ instanceClass: "r6g.large" }, 'instanceClass: "r6g.large" is not an RDS instance class'],
    [{ instanceClass: "db.r6g" }, 'instanceClass: "db.r6g" is not an RDS instance class'],
    [{ allocatedStorageGiB: 19 }, "allocatedStorageGiB: 19 must be 20-65536 (gp3)"],
    [{ allocatedStorageGiB: 65537 }, "allocatedStorageGiB: 65537 must be 20-65536 (gp3)"],
    [{ allocatedStorageGiB: 100.5 }, "allocatedStorageGiB: 100.5 must be 20-65536 (gp3)"],
    [
      { allocatedStorageGiB: 100, iops: 12000 },
      "iops/storageThroughputMiBps: RDS sets them on gp3 only from 400 GiB; 100 GiB uses the baseline (3000 IOPS, 125 MiB/s): leave them unset",
    ],
    [
      { allocatedStorageGiB: 100, storageThroughputMiBps: 500 },
      "iops/storageThroughputMiBps: RDS sets them on gp3 only from 400 GiB; 100 GiB uses the baseline (3000 IOPS, 125 MiB/s): leave them unset",
    ],
    [{ allocatedStorageGiB: 400, iops: 11999 }, "iops: 11999 must be 12000-64000 (gp3 from 400 GiB)"],
    [{ allocatedStorageGiB: 400, iops: 64001 }, "iops: 64001 must be 12000-64000 (gp3 from 400 GiB)"],
    [{ allocatedStorageGiB: 400, storageThroughputMiBps: 499 }, "storageThroughputMiBps: 499 must be 500-4000 (gp3 from 400 GiB)"],
    [{ allocatedStorageGiB: 400, storageThroughputMiBps: 4001 }, "storageThroughputMiBps: 4001 must be 500-4000 (gp3 from 400 GiB)"],
    [{ backupRetentionDays: 0 }, "backupRetentionDays: 0 must be 1-35: replicas and point-in-time recovery need automated backups"],
    [{ backupRetentionDays: 36 }, "backupRetentionDays: 36 must be 1-35: replicas and point-in-time recovery need automated backups"],
    [{ backupRetentionDays: 1.5 }, "backupRetentionDays: 1.5 must be 1-35: replicas and point-in-time recovery need automated backups"],
    [{ subnetIds: ["subnet-a"] }, "subnetIds: 1 given; a DB subnet group needs subnets in at least 2 AZs"],
    [{ subnetIds: [] }, "subnetIds: 0 given; a DB subnet group needs subnets in at least 2 AZs"],
    [{ securityGroupIds: [] }, "securityGroupIds: at least one security group is required"],
    [{ monitoringIntervalSeconds: 0 }, "monitoringIntervalSeconds: 0 must be one of 1, 5, 10, 15, 30, 60"],
    [{ monitoringIntervalSeconds: 20 }, "monitoringIntervalSeconds: 20 must be one of 1, 5, 10, 15, 30, 60"],
    [{ passwordRotationDays: 0 }, "passwordRotationDays: 0 must be 1-365"],
    [{ passwordRotationDays: 366 }, "passwordRotationDays: 366 must be 1-365"],
    [{ passwordRotationDays: 7.5 }, "passwordRotationDays: 7.5 must be 1-365"],
    [{ sameRegionReplicas: -1 }, "sameRegionReplicas: -1 must be 0-15 (RDS limit)"],
    [{ sameRegionReplicas: 16 }, "sameRegionReplicas: 16 must be 0-15 (RDS limit)"],
    [{ sameRegionReplicas: 1.5 }, "sameRegionReplicas: 1.5 must be 0-15 (RDS limit)"],
    [{ databaseName: "ECG" }, 'databaseName: "ECG" must be a PostgreSQL identifier'],
    [{ databaseName: "ecg-app" }, 'databaseName: "ecg-app" must be a PostgreSQL identifier'],
    [{ databaseName: "a".repeat(64) }, `databaseName: "${"a".repeat(64)}" must be a PostgreSQL identifier`],
    [{ masterUsername: "postgres" }, 'masterUsername: "postgres" must be a PostgreSQL identifier other than a reserved name'],
    [{ masterUsername: "rdsadmin" }, 'masterUsername: "rdsadmin" must be a PostgreSQL identifier other than a reserved name'],
    [{ masterUsername: "admin" }, 'masterUsername: "admin" must be a PostgreSQL identifier other than a reserved name'],
    [{ masterUsername: "1admin" }, 'masterUsername: "1admin" must be a PostgreSQL identifier other than a reserved name'],
    [{ logRetentionDays: 10 }, "logRetentionDays: 10 is not a CloudWatch Logs retention value"],
    [{ rotationCodePath: "" }, "rotationCodePath: the master password's rotation function needs its code folder"],
    [{ secretRecoveryWindowDays: 6 }, "secretRecoveryWindowDays: 6 must be 0 or 7-30"],
    [{ secretRecoveryWindowDays: 31 }, "secretRecoveryWindowDays: 31 must be 0 or 7-30"],
  ])("refuses %j", (overrides, message) => {
    expect(() => synth(overrides)).toThrow(`PostgresDatabase "db" is misconfigured:\n`);
    expect(() => synth(overrides)).toThrow(message);
  });

  it("reports every problem of its props at once", () => {
    const message = errorOf(() =>
      synth({
        name: "Bad",
        instanceClass: "large",
        backupRetentionDays: 0,
        subnetIds: ["subnet-a"],
        masterUsername: "admin",
        logRetentionDays: 10,
      }),
    );
    expect(message).toMatch(/^PostgresDatabase "db" is misconfigured:\n/);
    const problems = message.split("\n").filter((line) => line.startsWith("  - "));
    expect(problems).toHaveLength(6);
    expect(problems.slice(0, 5)).toEqual([
      `  - name: "Bad" ${nameRule}`,
      '  - instanceClass: "large" is not an RDS instance class',
      "  - backupRetentionDays: 0 must be 1-35: replicas and point-in-time recovery need automated backups",
      "  - subnetIds: 1 given; a DB subnet group needs subnets in at least 2 AZs",
      '  - masterUsername: "admin" must be a PostgreSQL identifier other than a reserved name',
    ]);
    expect(problems[5]).toContain("logRetentionDays: 10 is not a CloudWatch Logs retention value");
  });
});
