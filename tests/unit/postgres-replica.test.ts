import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { LOG_RETENTION_DAYS } from "../../modules/common/limits";
import { MonitoringRole, PostgresReplica, type PostgresReplicaProps } from "../../modules/postgres";
import { errorOf, only, referencedId, resourcesOf, type SynthesizedStack, synthJson, TEST_ACCOUNT } from "../helpers";

const SOURCE_ARN = "arn:aws:rds:ap-northeast-2:123456789012:db:ecg-test";
const KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/data";
const LOGS_KEY = "arn:aws:kms:ap-northeast-1:123456789012:key/logs";
const MONITORING_ROLE = "arn:aws:iam::123456789012:role/ecg-test-rds-monitoring";

const props: PostgresReplicaProps = {
  identifier: "ecg-test-replica-remote",
  sourceDbArn: SOURCE_ARN,
  engineVersion: "15",
  instanceClass: "db.r6g.large",
  kmsKeyArn: KEY,
  logsKmsKeyArn: LOGS_KEY,
  subnetIds: ["subnet-tokyo-a", "subnet-tokyo-c"],
  securityGroupIds: ["sg-tokyo-rds"],
  monitoringRoleArn: MONITORING_ROLE,
  deletionProtection: true,
  backupRetentionDays: 7,
};

interface Synthesized {
  readonly stack: SynthesizedStack;
  readonly replica: PostgresReplica;
}

/** Synthesizes one replica; with `tokyo`, an aliased AWS provider for ap-northeast-1 carries it. */
function synthReplica(overrides: Partial<PostgresReplicaProps> = {}, tokyo = false): Synthesized {
  let replica: PostgresReplica | undefined;
  const stack = synthJson(
    Testing.synthScope((scope) => {
      const provider = tokyo ? new AwsProvider(scope, "tokyo", { region: "ap-northeast-1", alias: "tokyo" }) : undefined;
      replica = new PostgresReplica(scope, "replica", { ...props, provider, ...overrides });
    }),
  );
  return { stack, replica: replica! };
}
const synth = (overrides: Partial<PostgresReplicaProps> = {}, tokyo = false) => synthReplica(overrides, tokyo).stack;
/** Only constructs the replica (validation runs in the constructor): cheaper than a synth. */
const construct = (overrides: Partial<PostgresReplicaProps> = {}) =>
  new PostgresReplica(new TerraformStack(Testing.app(), "test"), "replica", { ...props, ...overrides });

const PREFIX = 'PostgresReplica "replica" is misconfigured:\n';

const REPLICA_TYPES = [
  "aws_db_instance",
  "aws_db_parameter_group",
  "aws_db_subnet_group",
  "aws_cloudwatch_log_group",
  "aws_db_instance_automated_backups_replication",
];

describe("PostgresReplica module (pilot light)", () => {
  const { stack, replica: built } = synthReplica();
  const json = JSON.stringify(stack);
  const [, db] = only(stack, "aws_db_instance");

  it("[RDS-3] [DR-1] follows the given source by its ARN, on the given instance class", () => {
    expect(json).toHaveResourceWithProperties(DbInstance, {
      identifier: "ecg-test-replica-remote",
      replicate_source_db: SOURCE_ARN,
      instance_class: "db.r6g.large",
    });
    // A replica takes engine, storage and credentials from its source.
    for (const inherited of ["engine", "engine_version", "allocated_storage", "username", "db_name", "manage_master_user_password"]) {
      expect(db[inherited]).toBeUndefined();
    }
  });

  it("[RDS-3] stays Single-AZ without its own backup retention while it follows the source", () => {
    expect(db.multi_az).toBeUndefined();
    expect(db.backup_retention_period).toBeUndefined();
    expect(db.backup_window).toBeUndefined();
  });

  it("[RDS-3] [SEC-4] encrypts storage and Performance Insights with the given key of its region", () => {
    expect(db).toMatchObject({
      storage_encrypted: true,
      kms_key_id: KEY,
      performance_insights_enabled: true,
      performance_insights_kms_key_id: KEY,
    });
  });

  it("[RDS-3] [SEC-4] turns IAM database authentication on by default, and off when asked", () => {
    expect(db.iam_database_authentication_enabled).toBe(true);
    const [, off] = only(synth({ iamAuthentication: false }), "aws_db_instance");
    expect(off.iam_database_authentication_enabled).toBe(false);
  });

  it("[RDS-3] [SEC-4] CKV2_AWS_69: forces TLS with rds.force_ssl=1 in a parameter group <identifier>-postgres<major> attached to it", () => {
    const [groupId, group] = only(stack, "aws_db_parameter_group");
    expect(group).toMatchObject({ name: "ecg-test-replica-remote-postgres15", family: "postgres15" });
    expect(group.parameter).toContainEqual({ name: "rds.force_ssl", value: "1" });
    expect(db.parameter_group_name).toBe(`\${aws_db_parameter_group.${groupId}.name}`);
  });

  it("[RDS-3] takes a parameter group name, and the family from the engine version's major", () => {
    const custom = synth({ parameterGroupName: "ecg-test-postgres16", engineVersion: "16.3" });
    const [groupId, group] = only(custom, "aws_db_parameter_group");
    expect(group).toMatchObject({ name: "ecg-test-postgres16", family: "postgres16" });
    expect(group.parameter).toContainEqual({ name: "rds.force_ssl", value: "1" });
    expect(only(custom, "aws_db_instance")[1].parameter_group_name).toBe(`\${aws_db_parameter_group.${groupId}.name}`);
  });

  it("[RDS-3] sits in a DB subnet group of the given subnets, behind the given security groups", () => {
    const [groupId, group] = only(stack, "aws_db_subnet_group");
    expect(group).toMatchObject({ name: "ecg-test-replica-remote", subnet_ids: ["subnet-tokyo-a", "subnet-tokyo-c"] });
    expect(db.db_subnet_group_name).toBe(`\${aws_db_subnet_group.${groupId}.name}`);
    expect(db.vpc_security_group_ids).toEqual(["sg-tokyo-rds"]);
    expect(db.publicly_accessible).toBe(false);
  });

  it("[RDS-3] [RDS API Reference, CreateDBInstanceReadReplica DBSubnetGroupName: without a subnet group the replica lands outside any VPC or in a default VPC] refuses a replica without its subnets or security groups (no default VPC is assumed)", () => {
    const message = errorOf(() =>
      construct({ subnetIds: undefined as unknown as string[], securityGroupIds: undefined as unknown as string[] }),
    );
    expect(message).toBe(
      `${PREFIX}  - subnetIds: 0 given; a DB subnet group needs subnets in at least 2 AZs (no default VPC is assumed)\n` +
        "  - securityGroupIds: at least one security group is required (no default VPC group is assumed)",
    );
    expect(errorOf(() => construct({ subnetIds: [] }))).toContain("subnetIds: 0 given");
    expect(errorOf(() => construct({ securityGroupIds: [] }))).toBe(
      `${PREFIX}  - securityGroupIds: at least one security group is required (no default VPC group is assumed)`,
    );
  });

  it('[RDS-1] [RDS User Guide, "Automatically upgrading the minor engine version": RDS keeps a replica\'s minor current only with auto minor version upgrade on] turns automatic minor version upgrades on', () => {
    expect(db.auto_minor_version_upgrade).toBe(true);
    expect(only(synth({ promoted: true, multiAz: true }), "aws_db_instance")[1].auto_minor_version_upgrade).toBe(true);
  });

  it("[RDS-2] CKV_AWS_129: exports its logs to pre-created /aws/rds/instance/<identifier>/{postgresql,upgrade} groups under the logs key, kept 365 days", () => {
    expect(db.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    const groups = new Map(resourcesOf(stack, "aws_cloudwatch_log_group"));
    expect(groups.size).toBe(2);
    expect(db.depends_on).toHaveLength(2);
    const own = db.depends_on.map((dependency: string) => {
      const [type, id] = dependency.split(".");
      expect(type).toBe("aws_cloudwatch_log_group");
      return groups.get(id);
    });
    expect(own).toEqual([
      expect.objectContaining({
        name: "/aws/rds/instance/ecg-test-replica-remote/postgresql",
        kms_key_id: LOGS_KEY,
        retention_in_days: 365,
      }),
      expect.objectContaining({ name: "/aws/rds/instance/ecg-test-replica-remote/upgrade", kms_key_id: LOGS_KEY, retention_in_days: 365 }),
    ]);
  });

  it("[RDS-2] keeps its exported logs for the given retention", () => {
    const groups = resourcesOf(synth({ logRetentionDays: 90 }), "aws_cloudwatch_log_group");
    expect(groups.map(([, g]) => g.retention_in_days)).toEqual([90, 90]);
  });

  it("[RDS-2] is monitored by the given role at 60 s by default, or at the given interval", () => {
    expect(db).toMatchObject({ monitoring_role_arn: MONITORING_ROLE, monitoring_interval: 60 });
    expect(only(synth({ monitoringIntervalSeconds: 15 }), "aws_db_instance")[1].monitoring_interval).toBe(15);
  });

  it("[RDS-3] [DR-1] with deletionProtection: protected, kept from terraform destroy, and no final snapshot (RDS takes none of a replica)", () => {
    expect(db).toMatchObject({ deletion_protection: true, lifecycle: { prevent_destroy: true }, skip_final_snapshot: true });
    expect(db.final_snapshot_identifier).toBeUndefined();
    const [, unprotected] = only(synth({ deletionProtection: false }), "aws_db_instance");
    expect(unprotected.deletion_protection).toBe(false);
    expect(unprotected.lifecycle).toBeUndefined();
    expect(unprotected.skip_final_snapshot).toBe(true);
  });

  it("[RDS-4] [DR-2] copies the source's automated backups to its region under its key, kept backupRetentionDays", () => {
    const [, replication] = only(stack, "aws_db_instance_automated_backups_replication");
    expect(replication).toEqual({ source_db_instance_arn: SOURCE_ARN, kms_key_id: KEY, retention_period: 7 });
    expect(built.backupReplication).toBeDefined();
    expect(only(synth({ backupRetentionDays: 35 }), "aws_db_instance_automated_backups_replication")[1].retention_period).toBe(35);
  });

  it("[RDS-4] CKV2_AWS_60: copies tags to snapshots", () => {
    expect(db.copy_tags_to_snapshot).toBe(true);
  });

  it("exposes the instance's address and resource id, and port 5432", () => {
    const out = synthJson(
      Testing.synthScope((scope) => {
        const r = new PostgresReplica(scope, "replica", props);
        new TerraformOutput(scope, "address", { value: r.address });
        new TerraformOutput(scope, "resource_id", { value: r.resourceId });
      }),
    );
    const [id] = only(out, "aws_db_instance");
    expect(out.output!.address.value).toBe(`\${aws_db_instance.${id}.address}`);
    expect(out.output!.resource_id.value).toBe(`\${aws_db_instance.${id}.resource_id}`);
    expect(built.port).toBe(5432);
  });

  it("[ENV-4] tags every taggable resource with Component=database", () => {
    for (const type of ["aws_db_instance", "aws_db_parameter_group", "aws_db_subnet_group", "aws_cloudwatch_log_group"]) {
      const all = resourcesOf(stack, type);
      expect(all.length).toBeGreaterThan(0);
      for (const [, resource] of all) expect(resource.tags).toEqual({ Component: "database" });
    }
  });

  it("[RDS-3] without a provider, puts every resource on the stack's default provider", () => {
    for (const type of REPLICA_TYPES) {
      for (const [, resource] of resourcesOf(stack, type)) expect(resource.provider).toBeUndefined();
    }
  });
});

describe("PostgresReplica module with the provider of another region", () => {
  const stack = synth({}, true);

  it("[RDS-3] [DR-1] creates every resource (instance, parameters, subnets, log groups, backup copies) with that provider", () => {
    expect(stack.provider!.aws).toContainEqual({ alias: "tokyo", region: "ap-northeast-1" });
    const types = Object.keys(stack.resource);
    expect(types.sort()).toEqual([...REPLICA_TYPES].sort());
    let count = 0;
    for (const type of types) {
      for (const [, resource] of resourcesOf(stack, type)) {
        expect(resource.provider).toBe("aws.tokyo");
        count += 1;
      }
    }
    // instance, parameter group, subnet group, two log groups, backup replication
    expect(count).toBe(6);
  });
});

describe("PostgresReplica module promoted (failed over)", () => {
  const { stack, replica: built } = synthReplica({ promoted: true, multiAz: true, backupRetentionDays: 14 });
  const [, db] = only(stack, "aws_db_instance");

  it("[DR-1] no longer follows a source: replicate_source_db is gone", () => {
    expect(db.identifier).toBe("ecg-test-replica-remote");
    expect(db.replicate_source_db).toBeUndefined();
  });

  it("[DR-1] [RDS-2] takes its own automated backups (backupRetentionDays, window 17:00-18:00) and is Multi-AZ as asked", () => {
    expect(db).toMatchObject({ backup_retention_period: 14, backup_window: "17:00-18:00", multi_az: true });
  });

  it("[DR-1] is Single-AZ once promoted unless multiAz is set", () => {
    const [, single] = only(synth({ promoted: true }), "aws_db_instance");
    expect(single).toMatchObject({ multi_az: false, backup_retention_period: 7, backup_window: "17:00-18:00" });
  });

  it("[DR-1] [RDS-2] as the database of record: the maintenance window, and with deletion protection a final snapshot on delete", () => {
    expect(db.maintenance_window).toBe("sun:18:30-sun:19:30");
    const [, protectedDb] = only(synth({ promoted: true, deletionProtection: true }), "aws_db_instance");
    expect(protectedDb).toMatchObject({
      skip_final_snapshot: false,
      final_snapshot_identifier: "ecg-test-replica-remote-final",
      deletion_protection: true,
    });
    const [, unprotected] = only(synth({ promoted: true, deletionProtection: false }), "aws_db_instance");
    expect([unprotected.skip_final_snapshot, unprotected.final_snapshot_identifier]).toEqual([true, undefined]);
  });

  it("[DR-1] forgets the backup replication instead of destroying it (deleting it would wait on the source's region, down in a failover)", () => {
    const [[pilotId]] = resourcesOf(synth({}), "aws_db_instance_automated_backups_replication");
    expect((stack as any).removed).toEqual([
      { from: `aws_db_instance_automated_backups_replication.${pilotId}`, lifecycle: { destroy: false } },
    ]);
    expect((synth({}) as any).removed).toBeUndefined();
  });

  it("[DR-2] stops copying the lost source's backups: no backups replication resource", () => {
    expect(resourcesOf(stack, "aws_db_instance_automated_backups_replication")).toEqual([]);
    expect(built.backupReplication).toBeUndefined();
  });

  it("[DR-1] [SEC-4] keeps its key, TLS-only parameters, IAM authentication, log groups and protection", () => {
    const [groupId, group] = only(stack, "aws_db_parameter_group");
    expect(group.parameter).toContainEqual({ name: "rds.force_ssl", value: "1" });
    expect(db).toMatchObject({
      storage_encrypted: true,
      kms_key_id: KEY,
      performance_insights_kms_key_id: KEY,
      parameter_group_name: `\${aws_db_parameter_group.${groupId}.name}`,
      iam_database_authentication_enabled: true,
      deletion_protection: true,
      lifecycle: { prevent_destroy: true },
    });
    expect(resourcesOf(stack, "aws_cloudwatch_log_group").map(([, g]) => g.name)).toEqual([
      "/aws/rds/instance/ecg-test-replica-remote/postgresql",
      "/aws/rds/instance/ecg-test-replica-remote/upgrade",
    ]);
  });
});

describe("PostgresReplica validation", () => {
  const identifierRule = "must be 1-63 lower-case letters, digits or single hyphens, starting with a letter (RDS limit)";
  const retentionValues = LOG_RETENTION_DAYS.join(", ");

  it("accepts the limits of its validation", () => {
    for (const overrides of [
      { identifier: "a" },
      { identifier: `a${"b".repeat(62)}` },
      { backupRetentionDays: 1 },
      { backupRetentionDays: 35 },
      { engineVersion: "15" },
      { logRetentionDays: 1 },
      { subnetIds: ["subnet-tokyo-a", "subnet-tokyo-c", "subnet-tokyo-d"] },
      ...[1, 5, 10, 15, 30, 60].map((monitoringIntervalSeconds) => ({ monitoringIntervalSeconds })),
      { sourceDbArn: "arn:aws-us-gov:rds:us-gov-west-1:123456789012:db:ecg-prod" },
    ] satisfies Partial<PostgresReplicaProps>[]) {
      expect(() => construct(overrides)).not.toThrow();
    }
  });

  it("[DR-1] takes a source ARN built from Terraform references (e.g. the account lookup) without checking its shape", () => {
    const stack = synthJson(
      Testing.synthScope((scope) => {
        const account = new TerraformVariable(scope, "account_id", { type: "string" });
        new PostgresReplica(scope, "replica", { ...props, sourceDbArn: `arn:aws:rds:ap-northeast-2:${account.stringValue}:db:ecg-test` });
      }),
    );
    expect(only(stack, "aws_db_instance")[1].replicate_source_db).toBe("arn:aws:rds:ap-northeast-2:${var.account_id}:db:ecg-test");
    expect(only(stack, "aws_db_instance_automated_backups_replication")[1].source_db_instance_arn).toBe(
      "arn:aws:rds:ap-northeast-2:${var.account_id}:db:ecg-test",
    );
  });

  it.each<[Partial<PostgresReplicaProps>, string]>([
    [{ identifier: "Ecg-replica" }, `identifier: "Ecg-replica" ${identifierRule}`],
    [{ identifier: "ecg_replica" }, `identifier: "ecg_replica" ${identifierRule}`],
    [{ identifier: "1ecg" }, `identifier: "1ecg" ${identifierRule}`],
    [{ identifier: "ecg-replica-" }, `identifier: "ecg-replica-" ${identifierRule}`],
    [{ identifier: "ecg--replica" }, `identifier: "ecg--replica" ${identifierRule}`],
    [{ identifier: "a".repeat(64) }, `identifier: "${"a".repeat(64)}" ${identifierRule}`],
    [{ identifier: "" }, `identifier: "" ${identifierRule}`],
    [{ sourceDbArn: "arn:aws:s3:::bucket" }, 'sourceDbArn: "arn:aws:s3:::bucket" is not an RDS DB instance ARN'],
    [{ sourceDbArn: "ecg-test" }, 'sourceDbArn: "ecg-test" is not an RDS DB instance ARN'],
    [
      { sourceDbArn: "arn:aws:rds:ap-northeast-2:123456789012:cluster:ecg-test" },
      'sourceDbArn: "arn:aws:rds:ap-northeast-2:123456789012:cluster:ecg-test" is not an RDS DB instance ARN',
    ],
    [{ sourceDbArn: "" }, "sourceDbArn: is required (across regions RDS names the source by ARN)"],
    [{ engineVersion: "15.4.1" }, 'engineVersion: "15.4.1" must look like 15 or 15.12'],
    [{ engineVersion: "latest" }, 'engineVersion: "latest" must look like 15 or 15.12'],
    [{ instanceClass: "r6g.large" }, 'instanceClass: "r6g.large" is not an RDS instance class'],
    [
      { subnetIds: ["subnet-tokyo-a"] },
      "subnetIds: 1 given; a DB subnet group needs subnets in at least 2 AZs (no default VPC is assumed)",
    ],
    [{ securityGroupIds: [] }, "securityGroupIds: at least one security group is required (no default VPC group is assumed)"],
    [{ monitoringIntervalSeconds: 0 }, "monitoringIntervalSeconds: 0 must be one of 1, 5, 10, 15, 30, 60"],
    [{ monitoringIntervalSeconds: 20 }, "monitoringIntervalSeconds: 20 must be one of 1, 5, 10, 15, 30, 60"],
    [{ backupRetentionDays: 0 }, "backupRetentionDays: 0 must be 1-35: replicas and point-in-time recovery need automated backups"],
    [{ backupRetentionDays: 36 }, "backupRetentionDays: 36 must be 1-35: replicas and point-in-time recovery need automated backups"],
    [{ backupRetentionDays: 1.5 }, "backupRetentionDays: 1.5 must be 1-35: replicas and point-in-time recovery need automated backups"],
    [{ logRetentionDays: 10 }, `logRetentionDays: 10 is not a CloudWatch Logs retention value (${retentionValues})`],
  ])("refuses %j, naming the construct and the field", (overrides, problem) => {
    const message = errorOf(() => construct(overrides));
    expect(message).toBe(`${PREFIX}  - ${problem}`);
  });

  it("[DR-2] refuses backupRetentionDays 0 also once promoted (a promoted instance needs automated backups)", () => {
    expect(errorOf(() => construct({ promoted: true, backupRetentionDays: 0 }))).toBe(
      `${PREFIX}  - backupRetentionDays: 0 must be 1-35: replicas and point-in-time recovery need automated backups`,
    );
  });

  it("reports every problem of its props at once, in order", () => {
    const message = errorOf(() =>
      construct({
        identifier: "Bad",
        sourceDbArn: "arn:aws:s3:::bucket",
        subnetIds: ["subnet-a"],
        monitoringIntervalSeconds: 2,
        backupRetentionDays: 0,
        logRetentionDays: 10,
      }),
    );
    expect(message.startsWith(PREFIX)).toBe(true);
    expect(message.split("\n").slice(1)).toEqual([
      `  - identifier: "Bad" ${identifierRule}`,
      '  - sourceDbArn: "arn:aws:s3:::bucket" is not an RDS DB instance ARN',
      "  - subnetIds: 1 given; a DB subnet group needs subnets in at least 2 AZs (no default VPC is assumed)",
      "  - monitoringIntervalSeconds: 2 must be one of 1, 5, 10, 15, 30, 60",
      "  - backupRetentionDays: 0 must be 1-35: replicas and point-in-time recovery need automated backups",
      `  - logRetentionDays: 10 is not a CloudWatch Logs retention value (${retentionValues})`,
    ]);
  });

  it("creates nothing when refused", () => {
    const created: string[] = [];
    expect(() =>
      Testing.synthScope((scope) => {
        try {
          new PostgresReplica(scope, "replica", { ...props, identifier: "Bad" });
        } finally {
          created.push(
            ...scope.node
              .findAll()
              .filter((c) => c !== scope)
              .map((c) => c.node.path),
          );
        }
      }),
    ).toThrow(PREFIX);
    // Only the (empty) construct itself exists: validation runs before any resource.
    expect(created).toHaveLength(1);
    expect(created[0]).toMatch(/\/replica$/);
  });
});

describe("MonitoringRole", () => {
  const stack = synthJson(
    Testing.synthScope(
      (scope) =>
        new MonitoringRole(scope, "monitoring", {
          name: "ecg-prod-standby-rds-monitoring",
          account: TEST_ACCOUNT,
          instances: "ecg-prod-replica-remote",
        }),
    ),
  );
  const [roleId, role] = only(stack, "aws_iam_role");

  it("[RDS-2] [RDS User Guide, Enhanced Monitoring, confused deputy: aws:SourceArn arn:aws:rds:<region>:<account>:db:<name>] creates an IAM role of the given name that only monitoring.rds.amazonaws.com assumes, for the given instances of this account and region", () => {
    expect(role.name).toBe("ecg-prod-standby-rds-monitoring");
    expect(Object.keys(stack.data!.aws_iam_policy_document)).toHaveLength(1);
    const [documentId, document] = Object.entries<any>(stack.data!.aws_iam_policy_document)[0];
    expect(referencedId(role.assume_role_policy)).toBe(documentId);
    expect(role.assume_role_policy).toBe(`\${data.aws_iam_policy_document.${documentId}.json}`);
    const { accountId, partition } = TEST_ACCOUNT;
    expect(document.statement).toEqual([
      {
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["monitoring.rds.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
          {
            test: "ArnLike",
            variable: "aws:SourceArn",
            values: [`arn:${partition}:rds:*:${accountId}:db:ecg-prod-replica-remote*`],
          },
        ],
      },
    ]);
  });

  it("[RDS-2] attaches AmazonRDSEnhancedMonitoringRole, and only it", () => {
    const [, attachment] = only(stack, "aws_iam_role_policy_attachment");
    expect(attachment).toEqual({
      role: `\${aws_iam_role.${roleId}.name}`,
      policy_arn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    });
    expect(resourcesOf(stack, "aws_iam_role_policy")).toEqual([]);
  });

  it("[RDS-2] names the managed policy in the given partition", () => {
    const china = synthJson(
      Testing.synthScope(
        (scope) =>
          new MonitoringRole(scope, "monitoring", {
            name: "ecg-cn-rds-monitoring",
            account: { ...TEST_ACCOUNT, partition: "aws-cn", region: "cn-north-1" },
            instances: "ecg-cn",
          }),
      ),
    );
    expect(only(china, "aws_iam_role_policy_attachment")[1].policy_arn).toBe(
      "arn:aws-cn:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    );
  });

  it("[RDS-2] exposes the role's ARN for the instances' monitoring_role_arn", () => {
    const wired = synthJson(
      Testing.synthScope((scope) => {
        const monitoring = new MonitoringRole(scope, "monitoring", {
          name: "ecg-test-rds-monitoring",
          account: TEST_ACCOUNT,
          instances: "ecg-test",
        });
        new PostgresReplica(scope, "replica", { ...props, monitoringRoleArn: monitoring.arn });
      }),
    );
    const [id] = only(wired, "aws_iam_role");
    expect(only(wired, "aws_db_instance")[1].monitoring_role_arn).toBe(`\${aws_iam_role.${id}.arn}`);
  });
});
