import { Testing } from "cdktf";
import {
  AUDIT_PREFIXES,
  AuditArchive,
  type AuditArchiveProps,
  auditKeyAlias,
  SecurityBaseline,
  type SecurityBaselineProps,
} from "../../modules/account-baseline";
import { SecureBucket } from "../../modules/secure-bucket";
import { only, resourcesOf, statementsOf, type SynthesizedStack, synthJson, TEST_ACCOUNT } from "../helpers";

const ARCHIVE = { bucketName: "ecg-test-audit", region: "ap-northeast-2", accountId: "444444444444" };
const ARCHIVE_KEY = "arn:aws:kms:ap-northeast-2:444444444444:alias/ecg-test-audit/audit";
const baseline = (overrides: Partial<SecurityBaselineProps> = {}): SynthesizedStack =>
  synthJson(
    Testing.synthScope(
      (scope) => new SecurityBaseline(scope, "baseline", { name: "ecg-test", account: TEST_ACCOUNT, archive: ARCHIVE, ...overrides }),
    ),
  );
const trail = { name: "ecg-audit", dataEventBucketPrefixes: ["ecg-videos-dev-", "ecg-videos-prod-"] };

describe("SecurityBaseline module", () => {
  const home = baseline({ trail, recordGlobalResources: true });
  const other = baseline();

  it("[#17] [GuardDuty User Guide, S3 Protection and Runtime Monitoring] enables GuardDuty with S3 protection and runtime monitoring, its agent managed on Fargate and EC2", () => {
    const [detectorId, detector] = only(home, "aws_guardduty_detector");
    expect(detector).toMatchObject({ enable: true, finding_publishing_frequency: "FIFTEEN_MINUTES" });
    const features = Object.fromEntries(resourcesOf(home, "aws_guardduty_detector_feature").map(([, f]) => [f.name, f]));
    expect(Object.keys(features).sort()).toEqual(["RUNTIME_MONITORING", "S3_DATA_EVENTS"]);
    for (const feature of Object.values(features))
      expect(feature).toMatchObject({ detector_id: `\${aws_guardduty_detector.${detectorId}.id}`, status: "ENABLED" });
    expect(features.RUNTIME_MONITORING.additional_configuration).toEqual([
      { name: "ECS_FARGATE_AGENT_MANAGEMENT", status: "ENABLED" },
      { name: "EC2_AGENT_MANAGEMENT", status: "ENABLED" },
    ]);
  });

  it("[#17] records every supported resource type with AWS Config (global ones in the home region only) and delivers to the archive's config/ prefix", () => {
    const recorder = only(home, "aws_config_configuration_recorder")[1];
    expect(recorder.recording_group).toEqual({ all_supported: true, include_global_resource_types: true });
    expect(only(other, "aws_config_configuration_recorder")[1].recording_group.include_global_resource_types).toBe(false);
    expect(only(home, "aws_config_delivery_channel")[1]).toMatchObject({
      s3_bucket_name: "ecg-test-audit",
      s3_key_prefix: AUDIT_PREFIXES.config,
    });
    const [, status] = only(home, "aws_config_configuration_recorder_status");
    expect(status.is_enabled).toBe(true);
    expect(status.depends_on).toEqual([expect.stringMatching(/^aws_config_delivery_channel\./)]);
  });

  it("[#17] [AWS Config Developer Guide, IAM role: AWS_ConfigRole and s3:PutObject under AWSLogs/<account>/] gives Config a role of its own, trusted for this account's recorder only, that writes to the archive only", () => {
    const [, role] = only(home, "aws_iam_role");
    const { accountId, region, partition } = TEST_ACCOUNT;
    expect(statementsOf(home, role.assume_role_policy)[0].condition).toEqual([
      { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
      { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:config:${region}:${accountId}:*`] },
    ]);
    expect(only(home, "aws_iam_role_policy_attachment")[1].policy_arn).toBe(`arn:${partition}:iam::aws:policy/service-role/AWS_ConfigRole`);
    const delivery = statementsOf(home, only(home, "aws_iam_role_policy")[1].policy);
    expect(delivery.map((s) => [s.actions, s.resources])).toEqual([
      [["s3:GetBucketAcl", "s3:ListBucket"], ["arn:aws:s3:::ecg-test-audit"]],
      [["s3:PutObject"], [`arn:aws:s3:::ecg-test-audit/config/AWSLogs/${accountId}/*`]],
    ]);
  });

  it("[#17] analyzes the account with IAM Access Analyzer and scans every repository on push (pull-through cache ones too)", () => {
    expect(only(home, "aws_accessanalyzer_analyzer")[1]).toMatchObject({ analyzer_name: "ecg-test-account", type: "ACCOUNT" });
    expect(only(home, "aws_ecr_registry_scanning_configuration")[1]).toEqual({
      scan_type: "BASIC",
      rule: [{ scan_frequency: "SCAN_ON_PUSH", repository_filter: [{ filter: "*", filter_type: "WILDCARD" }] }],
    });
  });

  it("[#17] [CKV_AWS_35] [CKV_AWS_36] [CKV_AWS_67] keeps the account's trail in the home region only: every region, validated, KMS-encrypted, to the archive's cloudtrail/ prefix", () => {
    expect(resourcesOf(other, "aws_cloudtrail")).toEqual([]);
    expect(only(home, "aws_cloudtrail")[1]).toMatchObject({
      name: "ecg-audit",
      s3_bucket_name: "ecg-test-audit",
      s3_key_prefix: AUDIT_PREFIXES.cloudTrail,
      kms_key_id: ARCHIVE_KEY,
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      enable_logging: true,
      // CloudTrail stores the key's ARN for the alias ARN: not a change to plan.
      lifecycle: { ignore_changes: ["kms_key_id"] },
    });
  });

  it("[#17] logs management events everywhere and the object reads and writes of the videos buckets (health data)", () => {
    expect(only(home, "aws_cloudtrail")[1].advanced_event_selector).toEqual([
      { name: "Management events", field_selector: [{ field: "eventCategory", equals: ["Management"] }] },
      {
        name: "Videos buckets: object reads and writes",
        field_selector: [
          { field: "eventCategory", equals: ["Data"] },
          { field: "resources.type", equals: ["AWS::S3::Object"] },
          { field: "resources.ARN", starts_with: ["arn:aws:s3:::ecg-videos-dev-", "arn:aws:s3:::ecg-videos-prod-"] },
        ],
      },
    ]);
  });

  it("refuses a bad name or trail name", () => {
    expect(() => baseline({ name: "bad name" })).toThrow('name: "bad name" must be 1-50 letters');
    expect(() => baseline({ trail: { name: "x" } })).toThrow('trail.name: "x" must be 3-128 letters');
  });
});

describe("AuditArchive module", () => {
  const props: Omit<AuditArchiveProps, "accessLogs"> = {
    bucketName: "ecg-test-audit",
    account: { ...TEST_ACCOUNT, accountId: "444444444444" },
    sourceAccountIds: ["111111111111", "333333333333"],
  };
  const archive = synthJson(
    Testing.synthScope((scope) => {
      const logs = new SecureBucket(scope, "logs", {
        bucketName: "ecg-test-logs",
        logDelivery: { accountId: "444444444444", partition: "aws", sourceBucketNames: ["ecg-test-audit"] },
      });
      new AuditArchive(scope, "audit", { ...props, accessLogs: { target: logs } });
    }),
  );
  const bucketStatements = () => {
    const policy = resourcesOf(archive, "aws_s3_bucket_policy").find(([, p]) => JSON.stringify(p).includes("audit"))![1];
    return statementsOf(archive, policy.policy);
  };

  it("[#17] encrypts the archive with its own key (SSE-KMS), alias <bucket>/audit, and expires the logs after a year", () => {
    const [keyId] = only(archive, "aws_kms_key");
    const encryption = resourcesOf(archive, "aws_s3_bucket_server_side_encryption_configuration").find(([, e]) =>
      JSON.stringify(e).includes("aws:kms"),
    )![1];
    expect(encryption.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe(`\${aws_kms_key.${keyId}.arn}`);
    expect(only(archive, "aws_kms_alias")[1].name).toBe(`alias/${auditKeyAlias("ecg-test-audit")}`);
    expect(JSON.stringify(archive.resource!.aws_s3_bucket_lifecycle_configuration)).toContain('"days":365');
  });

  it("[#17] [CloudTrail User Guide, bucket and key policies for CloudTrail; AWS Config, bucket permissions] lets CloudTrail and Config of the source accounts only write under their own AWSLogs/<account>/", () => {
    const statements = bucketStatements();
    const bySid = Object.fromEntries(statements.map((s) => [s.sid, s]));
    expect(bySid.CloudTrailWritesItsAccountsLogs.resources).toEqual([
      expect.stringMatching(/\/cloudtrail\/AWSLogs\/111111111111\/\*$/),
      expect.stringMatching(/\/cloudtrail\/AWSLogs\/333333333333\/\*$/),
    ]);
    expect(bySid.CloudTrailWritesItsAccountsLogs.condition).toEqual([
      {
        test: "ArnLike",
        variable: "aws:SourceArn",
        values: ["arn:aws:cloudtrail:*:111111111111:trail/*", "arn:aws:cloudtrail:*:333333333333:trail/*"],
      },
    ]);
    expect(bySid.ConfigWritesItsAccountsHistory.condition).toEqual([
      { test: "StringEquals", variable: "aws:SourceAccount", values: ["111111111111", "333333333333"] },
    ]);
    const [, key] = only(archive, "aws_kms_key");
    const grants = statementsOf(archive, key.policy).map((s) => s.sid);
    expect(grants).toEqual(
      expect.arrayContaining([
        "CloudTrailEncryptsTheTrailsOfTheSourceAccounts",
        "CloudTrailDescribesTheKey",
        "ConfigEncryptsTheHistoryOfTheSourceAccounts",
      ]),
    );
  });

  it("names the archive's key for a trail in its own account by the alias ARN there (single-account layout)", () => {
    const [, own] = only(baseline({ trail, archive: { bucketName: "b", region: "ap-northeast-2" } }), "aws_cloudtrail");
    expect(own.kms_key_id).toBe(`arn:aws:kms:ap-northeast-2:${TEST_ACCOUNT.accountId}:alias/b/audit`);
  });

  it("refuses no source account, a bad account id and a retention under 90 days", () => {
    const build = (overrides: Partial<AuditArchiveProps>) =>
      Testing.synthScope((scope) => {
        const logs = new SecureBucket(scope, "logs", { bucketName: "ecg-test-logs" });
        new AuditArchive(scope, "audit", { ...props, accessLogs: { target: logs }, ...overrides });
      });
    expect(() => build({ sourceAccountIds: [] })).toThrow("sourceAccountIds: name at least one account that delivers here");
    expect(() => build({ sourceAccountIds: ["12"] })).toThrow('sourceAccountIds: "12" is not an account id');
    expect(() => build({ retentionDays: 30 })).toThrow("retentionDays: 30 must be a whole number of at least 90");
  });
});
