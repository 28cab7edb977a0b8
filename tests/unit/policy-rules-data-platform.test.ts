import { CloudfrontDistribution, type CloudfrontDistributionConfig } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject, type CodebuildProjectConfig } from "@cdktf/provider-aws/lib/codebuild-project";
import { Codepipeline, type CodepipelineConfig } from "@cdktf/provider-aws/lib/codepipeline";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DbInstance, type DbInstanceConfig } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { EcrRepository, type EcrRepositoryConfig } from "@cdktf/provider-aws/lib/ecr-repository";
import { ElasticacheReplicationGroup, type ElasticacheReplicationGroupConfig } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { IamGroupPolicy } from "@cdktf/provider-aws/lib/iam-group-policy";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import type { TerraformStack } from "cdktf";
import type { Finding, Rule } from "../../modules/policy";
import { cacheRules, databaseRules } from "../../modules/policy/rules/data";
import { platformRules } from "../../modules/policy/rules/platform";
import { storageRules } from "../../modules/policy/rules/storage";
import {
  ACCOUNT,
  ALLOW_ALL,
  ALLOW_READ,
  arn,
  bucketPolicyDocument,
  bucketPolicyLiteral,
  bucketWith,
  type Build,
  DENY_INSECURE_JSON,
  denyInsecure,
  expectFinding,
  findingsOf,
  findRule,
  KEY_ARN,
  literalPolicy,
  READ_OBJECTS,
  rolePolicy,
  ruleKey,
  secret,
  testBucket,
  trustDocument,
  trustLiteral,
} from "./policy-fixtures";

/**
 * One passing and one failing fixture for every rule over databases, caches,
 * buckets and the platform services, each a small stack of real provider
 * resources evaluated against that one rule.
 */

type Severity = Finding["severity"];

/** The rules under test; a rule is named by its IDs joined with "/", as findings report it. */
const RULES: readonly Rule[] = [...databaseRules, ...cacheRules, ...storageRules, ...platformRules];
const ruleFor = (key: string): Rule =>
  findRule(RULES, key, "databaseRules, cacheRules, storageRules or platformRules", (r) => ruleKey(r) === key);

// ---------------------------------------------------------------- fixtures

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ecg-test`;
const UNREADABLE_POLICY = "${jsonencode({})}";

/** A production PostgreSQL instance that meets every database rule. */
const DB: DbInstanceConfig = {
  identifier: "ecg-db",
  engine: "postgres",
  engineVersion: "16.4",
  instanceClass: "db.t4g.medium",
  allocatedStorage: 20,
  username: "ecg",
  manageMasterUserPassword: true,
  storageEncrypted: true,
  kmsKeyId: KEY_ARN,
  publiclyAccessible: false,
  multiAz: true,
  deletionProtection: true,
  backupRetentionPeriod: 7,
  monitoringInterval: 60,
  monitoringRoleArn: ROLE_ARN,
  enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
  iamDatabaseAuthenticationEnabled: true,
  performanceInsightsEnabled: true,
  performanceInsightsKmsKeyId: KEY_ARN,
  copyTagsToSnapshot: true,
  lifecycle: { preventDestroy: true },
};

const parameterGroup = (stack: TerraformStack, forceSsl: string) =>
  new DbParameterGroup(stack, "params", {
    name: "ecg-postgres16",
    family: "postgres16",
    parameter: [{ name: "rds.force_ssl", value: forceSsl }],
  });

/** The instance, with its parameter group (rds.force_ssl = `forceSsl`) unless overridden. */
const database =
  (overrides: Partial<DbInstanceConfig> = {}, forceSsl = "1"): Build =>
  (stack) => {
    const group = parameterGroup(stack, forceSsl);
    new DbInstance(stack, "db", { ...DB, parameterGroupName: group.name, ...overrides });
  };

/** A cross-region read replica: encryption, backups and parameters follow its source. */
const REPLICA: DbInstanceConfig = {
  identifier: "ecg-db-replica",
  instanceClass: "db.t4g.medium",
  replicateSourceDb: arn("rds", "db:ecg-db", "ap-northeast-1"),
  kmsKeyId: KEY_ARN,
  publiclyAccessible: false,
  deletionProtection: true,
  monitoringInterval: 60,
  monitoringRoleArn: ROLE_ARN,
  enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
  performanceInsightsEnabled: true,
  performanceInsightsKmsKeyId: KEY_ARN,
  copyTagsToSnapshot: true,
};
const replica =
  (overrides: Partial<DbInstanceConfig> = {}, forceSsl?: string): Build =>
  (stack) => {
    const group = forceSsl === undefined ? undefined : parameterGroup(stack, forceSsl);
    new DbInstance(stack, "replica", { ...REPLICA, parameterGroupName: group?.name, ...overrides });
  };

/** A Redis replication group that meets every cache rule. */
const REDIS: ElasticacheReplicationGroupConfig = {
  replicationGroupId: "ecg-redis",
  description: "render cache",
  engine: "redis",
  nodeType: "cache.t4g.small",
  numCacheClusters: 2,
  atRestEncryptionEnabled: "true",
  transitEncryptionEnabled: true,
  kmsKeyId: KEY_ARN,
  userGroupIds: ["ecg-render"],
  automaticFailoverEnabled: true,
  multiAzEnabled: true,
  snapshotRetentionLimit: 7,
  snapshotWindow: "17:00-18:00",
};
const redis =
  (overrides: Partial<ElasticacheReplicationGroupConfig> = {}): Build =>
  (stack) => {
    new ElasticacheReplicationGroup(stack, "redis", { ...REDIS, ...overrides });
  };

const versioned = (status: string) =>
  bucketWith((stack, bucket) => new S3BucketVersioningA(stack, "versioning", { bucket: bucket.id, versioningConfiguration: { status } }));

const publicAccessBlocked = (restrictPublicBuckets: boolean) =>
  bucketWith(
    (stack, bucket) =>
      new S3BucketPublicAccessBlock(stack, "public-access", {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets,
      }),
  );

const ABORT_UPLOADS: S3BucketLifecycleConfigurationRule = {
  id: "abort-incomplete-uploads",
  status: "Enabled",
  filter: [{ prefix: "" }],
  abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
};
const lifecycle = (...rule: S3BucketLifecycleConfigurationRule[]) =>
  bucketWith((stack, bucket) => new S3BucketLifecycleConfiguration(stack, "lifecycle", { bucket: bucket.id, rule }));

const ownership = (objectOwnership: string) =>
  bucketWith((stack, bucket) => new S3BucketOwnershipControls(stack, "ownership", { bucket: bucket.id, rule: { objectOwnership } }));

const logged = bucketWith(
  (stack, bucket) =>
    new S3BucketLoggingA(stack, "logging", { bucket: bucket.id, targetBucket: "ecg-access-logs", targetPrefix: "s3/ecg-test-bucket/" }),
);

const replicatedFrom = bucketWith(
  (stack, bucket) =>
    new S3BucketReplicationConfigurationA(stack, "replication", {
      bucket: bucket.id,
      role: ROLE_ARN,
      rule: [{ id: "dr", status: "Enabled", filter: { prefix: "" }, destination: { bucket: "arn:aws:s3:::ecg-test-bucket-dr" } }],
    }),
);
const replicatedTo = bucketWith(
  (stack, bucket) =>
    new S3BucketReplicationConfigurationA(stack, "replication", {
      bucket: "ecg-test-bucket-primary",
      role: ROLE_ARN,
      rule: [{ id: "dr", status: "Enabled", filter: { prefix: "" }, destination: { bucket: bucket.arn } }],
    }),
);

const logGroup =
  (retentionInDays: number | undefined, kmsKeyId: string | undefined): Build =>
  (stack) => {
    new CloudwatchLogGroup(stack, "logs", { name: "/ecg/test", retentionInDays, kmsKeyId });
  };

const kmsKey =
  (config: { enableKeyRotation?: boolean; customerMasterKeySpec?: string; keyUsage?: string }): Build =>
  (stack) => {
    new KmsKey(stack, "key", { description: "test key", deletionWindowInDays: 30, ...config });
  };

/** A log group whose key is `kmsKeyId`, beside a key of this stack (referenced as `${aws_kms_key.key.arn}`). */
const logGroupBesideKey =
  (kmsKeyId: (key: KmsKey) => string): Build =>
  (stack) => {
    const key = new KmsKey(stack, "key", { description: "test key", enableKeyRotation: true });
    new CloudwatchLogGroup(stack, "logs", { name: "/ecg/test", retentionInDays: 30, kmsKeyId: kmsKeyId(key) });
  };

/** A statement for the "no Allow *" rule (more are in policy-fixtures.ts), and an aws_iam_policy_document holding them. */
const DENY_ALL: DataAwsIamPolicyDocumentStatement = { effect: "Deny", actions: ["*"], resources: ["*"] };
const iamPolicyDocument =
  (...statement: DataAwsIamPolicyDocumentStatement[]): Build =>
  (stack) => {
    const doc = new DataAwsIamPolicyDocument(stack, "policy-doc", { statement });
    new IamPolicy(stack, "policy", { name: "ecg-test", policy: doc.json });
  };

const topic =
  (kmsMasterKeyId: string | undefined): Build =>
  (stack) => {
    new SnsTopic(stack, "topic", { name: "ecg-test", kmsMasterKeyId });
  };

const ECR: EcrRepositoryConfig = {
  name: "ecg/render",
  imageTagMutability: "IMMUTABLE",
  imageScanningConfiguration: { scanOnPush: true },
  encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: KEY_ARN }],
};
const repository =
  (overrides: Partial<EcrRepositoryConfig> = {}): Build =>
  (stack) => {
    new EcrRepository(stack, "repository", { ...ECR, ...overrides });
  };

const CACHED = {
  allowedMethods: ["GET", "HEAD"],
  cachedMethods: ["GET", "HEAD"],
  targetOriginId: "site",
  cachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6",
};
const CDN: CloudfrontDistributionConfig = {
  enabled: true,
  origin: [{ domainName: "ecg-test-bucket.s3.ap-northeast-2.amazonaws.com", originId: "site" }],
  defaultCacheBehavior: { ...CACHED, viewerProtocolPolicy: "redirect-to-https" },
  orderedCacheBehavior: [{ ...CACHED, pathPattern: "/reports/*", viewerProtocolPolicy: "https-only" }],
  restrictions: { geoRestriction: { restrictionType: "none" } },
  viewerCertificate: {
    acmCertificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/6a2f1c3e-1111-2222-3333-444455556666`,
    sslSupportMethod: "sni-only",
    minimumProtocolVersion: "TLSv1.2_2021",
  },
  webAclId: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/ecg-cdn/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
  loggingConfig: { bucket: "ecg-access-logs.s3.amazonaws.com", prefix: "cloudfront/" },
};
const distribution =
  (overrides: Partial<CloudfrontDistributionConfig> = {}): Build =>
  (stack) => {
    new CloudfrontDistribution(stack, "cdn", { ...CDN, ...overrides });
  };

const BUILD: CodebuildProjectConfig = {
  name: "ecg-build",
  serviceRole: ROLE_ARN,
  artifacts: { type: "CODEPIPELINE" },
  environment: { computeType: "BUILD_GENERAL1_SMALL", image: "aws/codebuild/amazonlinux2-x86_64-standard:5.0", type: "LINUX_CONTAINER" },
  source: { type: "CODEPIPELINE", buildspec: "buildspec.yml" },
  encryptionKey: KEY_ARN,
  logsConfig: { cloudwatchLogs: { groupName: "/ecg/codebuild" } },
};
const buildProject =
  (overrides: Partial<CodebuildProjectConfig> = {}): Build =>
  (stack) => {
    new CodebuildProject(stack, "build", { ...BUILD, ...overrides });
  };

const ARTIFACT_KEY = { id: KEY_ARN, type: "KMS" };
const PIPELINE: CodepipelineConfig = {
  name: "ecg-pipeline",
  roleArn: ROLE_ARN,
  artifactStore: [{ location: "ecg-artifacts", type: "S3", encryptionKey: ARTIFACT_KEY }],
  stage: [
    {
      name: "Source",
      action: [
        {
          name: "Source",
          category: "Source",
          owner: "AWS",
          provider: "S3",
          version: "1",
          outputArtifacts: ["source"],
          configuration: { S3Bucket: "ecg-source", S3ObjectKey: "source.zip" },
        },
      ],
    },
    {
      name: "Build",
      action: [
        {
          name: "Build",
          category: "Build",
          owner: "AWS",
          provider: "CodeBuild",
          version: "1",
          inputArtifacts: ["source"],
          configuration: { ProjectName: "ecg-build" },
        },
      ],
    },
  ],
};
const pipeline =
  (overrides: Partial<CodepipelineConfig> = {}): Build =>
  (stack) => {
    new Codepipeline(stack, "pipeline", { ...PIPELINE, ...overrides });
  };

/** The stateful resource types of ECG_PROD_PREVENT_DESTROY, with or without prevent_destroy. */
const STATEFUL: Record<string, (preventDestroy: boolean) => Build> = {
  aws_db_instance: (preventDestroy) => database({ lifecycle: { preventDestroy } }),
  aws_rds_cluster: (preventDestroy) => (stack) => {
    new RdsCluster(stack, "cluster", {
      clusterIdentifier: "ecg-aurora",
      engine: "aurora-postgresql",
      masterUsername: "ecg",
      manageMasterUserPassword: true,
      storageEncrypted: true,
      lifecycle: { preventDestroy },
    });
  },
  aws_elasticache_replication_group: (preventDestroy) => redis({ lifecycle: { preventDestroy } }),
  aws_s3_bucket: (preventDestroy) => (stack) => {
    testBucket(stack, { lifecycle: { preventDestroy } });
  },
  aws_kms_key: (preventDestroy) => (stack) => {
    new KmsKey(stack, "key", { description: "test key", enableKeyRotation: true, lifecycle: { preventDestroy } });
  },
  aws_dynamodb_table: (preventDestroy) => (stack) => {
    new DynamodbTable(stack, "table", {
      name: "ecg-locks",
      billingMode: "PAY_PER_REQUEST",
      hashKey: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      lifecycle: { preventDestroy },
    });
  },
};

// ---------------------------------------------------------------- the table

interface RuleCase {
  /** The rule's IDs joined with "/", as its findings name it. */
  readonly rule: string;
  /** Requirement IDs the rule proves, for the test title. */
  readonly req?: string;
  readonly pass: Build;
  readonly fail: Build;
  /** A fragment of what the failing fixture's finding says. */
  readonly found: string;
  /** @default "error" */
  readonly severity?: Severity;
}

const RULE_CASES: readonly RuleCase[] = [
  // databaseRules
  {
    rule: "CKV_AWS_16",
    req: "[RDS-2] [SEC-4]",
    pass: database(),
    fail: database({ storageEncrypted: false, kmsKeyId: undefined }),
    found: "storage_encrypted is off",
  },
  { rule: "CKV_AWS_17", pass: database(), fail: database({ publiclyAccessible: true }), found: "publicly_accessible = true" },
  { rule: "CKV_AWS_157", req: "[RDS-2]", pass: database(), fail: database({ multiAz: false }), found: "multi_az is off in production" },
  {
    rule: "CKV_AWS_293",
    pass: database(),
    fail: database({ deletionProtection: false }),
    found: "deletion_protection is off in production",
  },
  {
    rule: "CKV_AWS_133",
    req: "[RDS-2]",
    pass: database(),
    fail: database({ backupRetentionPeriod: 0 }),
    found: "backup_retention_period is 0",
  },
  {
    rule: "CKV_AWS_118",
    pass: database(),
    fail: database({ monitoringInterval: 0, monitoringRoleArn: undefined }),
    found: "monitoring_interval is 0",
  },
  {
    rule: "CKV_AWS_129",
    pass: database(),
    fail: database({ enabledCloudwatchLogsExports: undefined }),
    found: "no enabled_cloudwatch_logs_exports",
  },
  {
    rule: "CKV_AWS_161",
    pass: database(),
    fail: database({ iamDatabaseAuthenticationEnabled: false }),
    found: "iam_database_authentication_enabled is off",
  },
  {
    rule: "CKV_AWS_353/CKV_AWS_354",
    req: "[SEC-4]",
    pass: database(),
    fail: database({ performanceInsightsEnabled: false, performanceInsightsKmsKeyId: undefined }),
    found: "performance_insights_enabled is off",
  },
  { rule: "CKV2_AWS_60", pass: database(), fail: database({ copyTagsToSnapshot: false }), found: "copy_tags_to_snapshot is off" },
  { rule: "CKV2_AWS_69", pass: database(), fail: database({}, "0"), found: "no parameter group with rds.force_ssl = 1" },
  // cacheRules
  {
    rule: "CKV_AWS_29",
    req: "[RED-2] [SEC-4]",
    pass: redis(),
    fail: redis({ atRestEncryptionEnabled: "false" }),
    found: "at_rest_encryption_enabled is off",
  },
  {
    rule: "CKV_AWS_30",
    req: "[RED-2]",
    pass: redis(),
    fail: redis({ transitEncryptionEnabled: false }),
    found: "transit_encryption_enabled is off",
  },
  {
    rule: "CKV_AWS_31",
    pass: redis(),
    fail: redis({ userGroupIds: undefined, authToken: undefined }),
    found: "no auth_token and no user group",
  },
  { rule: "CKV_AWS_191", req: "[RED-2] [SEC-4]", pass: redis(), fail: redis({ kmsKeyId: undefined }), found: "no kms_key_id" },
  {
    rule: "CKV2_AWS_50",
    req: "[RED-2]",
    pass: redis(),
    fail: redis({ automaticFailoverEnabled: false, multiAzEnabled: false, numCacheClusters: 1 }),
    found: "automatic_failover_enabled is off",
  },
  {
    rule: "ECG_REDIS_SNAPSHOTS",
    req: "[RED-2] [DR-2]",
    pass: redis(),
    fail: redis({ snapshotRetentionLimit: 0 }),
    found: "snapshot_retention_limit is 0",
  },
  // storageRules
  { rule: "CKV_AWS_21", req: "[S3-3]", pass: versioned("Enabled"), fail: versioned("Suspended"), found: "versioning is not enabled" },
  {
    rule: "CKV2_AWS_6",
    req: "[S3-3]",
    pass: publicAccessBlocked(true),
    fail: publicAccessBlocked(false),
    found: "no public access block with all four settings on",
  },
  { rule: "CKV2_AWS_61/CKV_AWS_300", pass: lifecycle(ABORT_UPLOADS), fail: bucketWith(), found: "no lifecycle configuration" },
  {
    rule: "CKV2_AWS_65",
    pass: ownership("BucketOwnerEnforced"),
    fail: ownership("BucketOwnerPreferred"),
    found: "object ownership is not BucketOwnerEnforced",
  },
  { rule: "CKV_AWS_18", pass: logged, fail: bucketWith(), found: "access logging is off" },
  {
    rule: "CKV_AWS_144",
    req: "[DR-2]",
    pass: replicatedFrom,
    fail: bucketWith(),
    found: "no cross-region replication",
    severity: "warning",
  },
  {
    rule: "ECG_S3_TLS_ONLY",
    req: "[S3-3]",
    pass: bucketPolicyDocument(ALLOW_READ, denyInsecure()),
    fail: bucketWith(),
    found: "no bucket policy denies s3:* when aws:SecureTransport = false",
  },
  // platformRules
  {
    rule: "ECG_STACK_1",
    pass: logGroupBesideKey((key) => key.arn),
    // An escape hatch's string naming a resource the stack does not have.
    fail: logGroupBesideKey(() => "${aws_kms_key.other_stack_key.arn}"),
    found: "references aws_kms_key.other_stack_key, which this stack does not declare",
  },
  { rule: "CKV_AWS_66", pass: logGroup(30, KEY_ARN), fail: logGroup(undefined, KEY_ARN), found: "no retention_in_days" },
  { rule: "CKV_AWS_158", req: "[SEC-4]", pass: logGroup(30, KEY_ARN), fail: logGroup(30, undefined), found: "no kms_key_id" },
  {
    rule: "CKV_AWS_7",
    req: "[SEC-4]",
    pass: kmsKey({ enableKeyRotation: true }),
    fail: kmsKey({ enableKeyRotation: false }),
    found: "enable_key_rotation is off",
  },
  { rule: "CKV_AWS_149", req: "[SEC-4]", pass: secret(KEY_ARN), fail: secret(undefined), found: "the secret uses the AWS-managed key" },
  {
    rule: "CKV2_AWS_57",
    req: "[SEC-2]",
    pass: secret(KEY_ARN, { automaticallyAfterDays: 30 }),
    fail: secret(KEY_ARN),
    found: "no rotation",
  },
  {
    rule: "CKV_AWS_304",
    req: "[SEC-2]",
    pass: secret(KEY_ARN, { automaticallyAfterDays: 30 }),
    fail: secret(KEY_ARN, { automaticallyAfterDays: 180 }),
    found: "rotation interval of 180 days",
  },
  {
    rule: "CKV_AWS_1/CKV_AWS_49/CKV_AWS_62/CKV_AWS_63",
    pass: iamPolicyDocument(READ_OBJECTS),
    fail: iamPolicyDocument(READ_OBJECTS, ALLOW_ALL),
    found: 'Allow with Action "*" or NotAction on every resource (1 statement(s))',
  },
  {
    rule: "CKV_AWS_60",
    pass: trustDocument({ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }),
    fail: trustDocument({ type: "AWS", identifiers: ["*"] }),
    found: "the trust policy allows any principal",
  },
  { rule: "CKV_AWS_26", req: "[SEC-4]", pass: topic(KEY_ARN), fail: topic(undefined), found: "no kms_master_key_id" },
  {
    rule: "CKV_AWS_163",
    pass: repository(),
    fail: repository({ imageScanningConfiguration: { scanOnPush: false } }),
    found: "scan_on_push is off",
  },
  {
    rule: "CKV_AWS_136",
    req: "[SEC-4]",
    pass: repository(),
    fail: repository({ encryptionConfiguration: [{ encryptionType: "AES256" }] }),
    found: "encryption is not KMS",
  },
  {
    rule: "CKV_AWS_34",
    pass: distribution(),
    fail: distribution({ defaultCacheBehavior: { ...CACHED, viewerProtocolPolicy: "allow-all" } }),
    found: "a cache behavior allows plain HTTP",
  },
  {
    rule: "CKV_AWS_174",
    pass: distribution(),
    fail: distribution({ viewerCertificate: { cloudfrontDefaultCertificate: true } }),
    found: "minimum_protocol_version below TLSv1.2",
  },
  { rule: "CKV_AWS_68", pass: distribution(), fail: distribution({ webAclId: undefined }), found: "no web_acl_id" },
  { rule: "CKV_AWS_86", pass: distribution(), fail: distribution({ loggingConfig: undefined }), found: "no logging_config" },
  {
    rule: "CKV_AWS_147",
    req: "[SEC-4]",
    pass: buildProject(),
    fail: buildProject({ encryptionKey: undefined }),
    found: "no encryption_key",
  },
  { rule: "CKV_AWS_314", pass: buildProject(), fail: buildProject({ logsConfig: undefined }), found: "no logs_config" },
  {
    rule: "CKV_AWS_219",
    req: "[SEC-4]",
    pass: pipeline(),
    fail: pipeline({ artifactStore: [{ location: "ecg-artifacts", type: "S3" }] }),
    found: "an artifact store without encryption_key",
  },
  {
    rule: "ECG_PROD_PREVENT_DESTROY",
    pass: STATEFUL.aws_db_instance(true),
    fail: STATEFUL.aws_db_instance(false),
    found: "lifecycle.prevent_destroy is not set",
  },
];

interface MoreCase {
  readonly rule: string;
  readonly title: string;
  readonly build: Build;
  /** A fragment of the finding; undefined when the fixture complies. */
  readonly found?: string;
  /** The resource the finding is about, where the fixture has more than one. */
  readonly address?: string;
  /** @default true */
  readonly production?: boolean;
}

/** Exemptions (read replicas), the other forms a rule reads, and its other ways to fail. */
const MORE_CASES: readonly MoreCase[] = [
  // Read replicas inherit storage encryption, backups, IAM auth and Multi-AZ from their source.
  {
    rule: "CKV_AWS_16",
    title: "[RDS-2] [SEC-4] a read replica with a KMS key in its region passes",
    build: replica({ storageEncrypted: undefined }),
  },
  {
    rule: "CKV_AWS_16",
    title: "[RDS-2] [SEC-4] a read replica without a KMS key fails",
    build: replica({ kmsKeyId: undefined }),
    found: "storage_encrypted is off",
  },
  { rule: "CKV_AWS_157", title: "[RDS-2] a single-AZ read replica passes in production", build: replica({ multiAz: false }) },
  { rule: "CKV_AWS_133", title: "[RDS-2] a read replica without its own backups passes", build: replica({ backupRetentionPeriod: 0 }) },
  {
    rule: "CKV_AWS_161",
    title: "a read replica without its own IAM authentication setting passes",
    build: replica({ iamDatabaseAuthenticationEnabled: false }),
  },
  { rule: "CKV2_AWS_69", title: "a read replica on its source's parameters (no parameter group) passes", build: replica() },
  {
    rule: "CKV2_AWS_69",
    title: "a read replica with a parameter group that does not force TLS fails",
    build: replica({}, "0"),
    found: "rds.force_ssl = 1",
  },
  { rule: "CKV2_AWS_69", title: "a read replica with a parameter group that forces TLS passes", build: replica({}, "1") },
  {
    rule: "CKV_AWS_293",
    title: "a read replica is not exempt from deletion protection",
    build: replica({ deletionProtection: false }),
    found: "deletion_protection is off",
  },
  {
    rule: "CKV_AWS_17",
    title: "a read replica is not exempt from staying private",
    build: replica({ publiclyAccessible: true }),
    found: "publicly_accessible = true",
  },
  {
    rule: "CKV_AWS_118",
    title: "a read replica is not exempt from enhanced monitoring",
    build: replica({ monitoringInterval: 0, monitoringRoleArn: undefined }),
    found: "monitoring_interval is 0",
  },
  // Other database failures.
  {
    rule: "CKV_AWS_353/CKV_AWS_354",
    title: "[SEC-4] Performance Insights on the AWS-managed key fails",
    build: database({ performanceInsightsKmsKeyId: undefined }),
    found: "Performance Insights uses the AWS-managed key",
  },
  {
    rule: "CKV2_AWS_69",
    title: "a database on the default parameter group (a literal name) fails",
    build: database({ parameterGroupName: "default.postgres16" }),
    found: "rds.force_ssl = 1",
  },
  {
    rule: "CKV2_AWS_69",
    title: "a database without a parameter group fails",
    build: database({ parameterGroupName: undefined }),
    found: "rds.force_ssl = 1",
  },
  // productionOnly rules do not run outside production.
  {
    rule: "CKV_AWS_157",
    title: "a single-AZ database outside production is not reported",
    build: database({ multiAz: false }),
    production: false,
  },
  {
    rule: "CKV_AWS_293",
    title: "a database without deletion protection outside production is not reported",
    build: database({ deletionProtection: false }),
    production: false,
  },
  {
    rule: "ECG_PROD_PREVENT_DESTROY",
    title: "a destroyable database outside production is not reported",
    build: STATEFUL.aws_db_instance(false),
    production: false,
  },
  // Redis authentication through a token instead of RBAC.
  {
    rule: "CKV_AWS_31",
    title: "Redis with an auth_token and no user group passes",
    build: redis({ userGroupIds: undefined, authToken: "token-read-from-secrets-manager-0001" }),
  },
  {
    rule: "CKV_AWS_31",
    title: "Redis with an empty user group list fails",
    build: redis({ userGroupIds: [] }),
    found: "no auth_token and no user group",
  },
  // Bucket settings count only when their `bucket` argument is this bucket.
  {
    rule: "CKV_AWS_21",
    title: "[S3-3] a bucket with no versioning resource fails",
    build: bucketWith(),
    found: "versioning is not enabled",
  },
  {
    rule: "CKV_AWS_21",
    title: "[S3-3] versioning of another bucket does not count",
    build: (stack) => {
      testBucket(stack);
      const other = new S3Bucket(stack, "other", { bucket: "ecg-test-other" });
      new S3BucketVersioningA(stack, "versioning", { bucket: other.id, versioningConfiguration: { status: "Enabled" } });
    },
    found: "versioning is not enabled",
    address: "aws_s3_bucket.bucket",
  },
  { rule: "CKV2_AWS_6", title: "[S3-3] a bucket with no public access block fails", build: bucketWith(), found: "no public access block" },
  {
    rule: "CKV2_AWS_61/CKV_AWS_300",
    title: "a lifecycle with no rule aborting incomplete uploads fails",
    build: lifecycle({ id: "expire-old", status: "Enabled", filter: [{ prefix: "tmp/" }], expiration: [{ days: 30 }] }),
    found: "no enabled lifecycle rule aborts incomplete multipart uploads",
  },
  {
    rule: "CKV2_AWS_61/CKV_AWS_300",
    title: "a disabled rule aborting incomplete uploads fails",
    build: lifecycle({ ...ABORT_UPLOADS, status: "Disabled" }),
    found: "no enabled lifecycle rule aborts incomplete multipart uploads",
  },
  {
    rule: "CKV_AWS_18",
    title: "the log target bucket is merely mentioned by another bucket's logging, so it is reported",
    build: (stack) => {
      const logs = new S3Bucket(stack, "logs", { bucket: "ecg-access-logs" });
      const data = new S3Bucket(stack, "data", { bucket: "ecg-data" });
      new S3BucketLoggingA(stack, "logging", { bucket: data.id, targetBucket: logs.id, targetPrefix: "s3/ecg-data/" });
    },
    found: "access logging is off",
    address: "aws_s3_bucket.logs",
  },
  { rule: "CKV_AWS_144", title: "[DR-2] the destination of a replication passes", build: replicatedTo },
  // The TLS-only bucket policy, from a policy document or literal JSON.
  {
    rule: "ECG_S3_TLS_ONLY",
    title: "[S3-3] a literal JSON policy denying insecure transport passes",
    build: bucketPolicyLiteral(literalPolicy(DENY_INSECURE_JSON)),
  },
  {
    rule: "ECG_S3_TLS_ONLY",
    title: "[S3-3] a policy document without the deny fails",
    build: bucketPolicyDocument(ALLOW_READ),
    found: "no bucket policy denies s3:* when aws:SecureTransport = false",
  },
  {
    rule: "ECG_S3_TLS_ONLY",
    title: "[S3-3] a literal JSON policy that allows the insecure transport fails",
    build: bucketPolicyLiteral(literalPolicy({ ...DENY_INSECURE_JSON, Effect: "Allow" })),
    found: "no bucket policy denies s3:* when aws:SecureTransport = false",
  },
  {
    rule: "ECG_S3_TLS_ONLY",
    title: "[S3-3] a policy the rule cannot read fails",
    build: bucketPolicyLiteral(UNREADABLE_POLICY),
    found: "no bucket policy denies s3:* when aws:SecureTransport = false",
  },
  // Platform: the other forms and failures.
  {
    rule: "CKV_AWS_7",
    title: "[SEC-4] an asymmetric signing key (which cannot rotate) passes",
    build: kmsKey({ customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }),
  },
  { rule: "CKV_AWS_304", title: "[SEC-2] rotation every 90 days passes", build: secret(KEY_ARN, { automaticallyAfterDays: 90 }) },
  {
    rule: "CKV_AWS_304",
    title: "[SEC-2] rotation on a rate(30 days) schedule passes",
    build: secret(KEY_ARN, { scheduleExpression: "rate(30 days)" }),
  },
  {
    rule: "CKV_AWS_304",
    title: "[SEC-2] rotation on a rate(120 days) schedule fails",
    build: secret(KEY_ARN, { scheduleExpression: "rate(120 days)" }),
    found: "rotation interval of 120 days",
  },
  {
    rule: "CKV_AWS_1/CKV_AWS_49/CKV_AWS_62/CKV_AWS_63",
    title: "a policy document that denies every action passes",
    build: iamPolicyDocument(READ_OBJECTS, DENY_ALL),
  },
  {
    rule: "CKV_AWS_1/CKV_AWS_49/CKV_AWS_62/CKV_AWS_63",
    title: "a literal JSON role policy with listed actions passes",
    build: rolePolicy(() => literalPolicy({ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::ecg-test-bucket/*" })),
  },
  {
    rule: "CKV_AWS_1/CKV_AWS_49/CKV_AWS_62/CKV_AWS_63",
    title: 'a literal JSON user policy allowing "*:*" fails',
    build: (stack) => {
      new IamUserPolicy(stack, "policy", { user: "ecg-test", policy: literalPolicy({ Effect: "Allow", Action: "*:*", Resource: "*" }) });
    },
    found: 'Allow with Action "*"',
  },
  {
    rule: "CKV_AWS_1/CKV_AWS_49/CKV_AWS_62/CKV_AWS_63",
    title: 'a literal JSON group policy with a single Statement object allowing "*" fails',
    build: (stack) => {
      new IamGroupPolicy(stack, "policy", {
        group: "ecg-test",
        policy: JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "*", Resource: "*" } }),
      });
    },
    found: 'Allow with Action "*"',
  },
  {
    rule: "CKV_AWS_1/CKV_AWS_49/CKV_AWS_62/CKV_AWS_63",
    title: "a policy the rule cannot read is reported as not inspectable",
    build: (stack) => {
      new IamPolicy(stack, "policy", { name: "ecg-test", policy: UNREADABLE_POLICY });
    },
    found: "cannot be inspected",
  },
  {
    rule: "CKV_AWS_60",
    title: "a literal JSON trust policy for one service passes",
    build: trustLiteral(literalPolicy({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ecs-tasks.amazonaws.com" } })),
  },
  {
    rule: "CKV_AWS_60",
    title: 'a literal JSON trust policy with Principal "*" fails',
    build: trustLiteral(literalPolicy({ Effect: "Allow", Action: "sts:AssumeRole", Principal: "*" })),
    found: "allows any principal",
  },
  {
    rule: "CKV_AWS_60",
    title: 'a literal JSON trust policy with Principal { AWS: "*" } fails',
    build: trustLiteral(literalPolicy({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: "*" } })),
    found: "allows any principal",
  },
  {
    rule: "CKV_AWS_60",
    title: "a trust policy the rule cannot read is reported as not inspectable",
    build: trustLiteral(UNREADABLE_POLICY),
    found: "cannot be inspected",
  },
  {
    rule: "CKV_AWS_136",
    title: "[SEC-4] a repository without encryption_configuration fails",
    build: repository({ encryptionConfiguration: undefined }),
    found: "encryption is not KMS",
  },
  {
    rule: "CKV_AWS_34",
    title: "an ordered cache behavior allowing plain HTTP fails",
    build: distribution({ orderedCacheBehavior: [{ ...CACHED, pathPattern: "/reports/*", viewerProtocolPolicy: "allow-all" }] }),
    found: "a cache behavior allows plain HTTP",
  },
  {
    rule: "CKV_AWS_174",
    title: "TLSv1.1_2016 fails",
    build: distribution({ viewerCertificate: { ...CDN.viewerCertificate, minimumProtocolVersion: "TLSv1.1_2016" } }),
    found: "minimum_protocol_version below TLSv1.2",
  },
  {
    rule: "CKV_AWS_314",
    title: "CloudWatch logging off and S3 logging on passes",
    build: buildProject({
      logsConfig: { cloudwatchLogs: { status: "DISABLED" }, s3Logs: { status: "ENABLED", location: "ecg-build-logs/codebuild" } },
    }),
  },
  {
    rule: "CKV_AWS_314",
    title: "both CloudWatch and S3 logging off fails",
    build: buildProject({ logsConfig: { cloudwatchLogs: { status: "DISABLED" }, s3Logs: { status: "DISABLED" } } }),
    found: "no logs_config",
  },
  {
    rule: "CKV_AWS_219",
    title: "[SEC-4] a cross-region pipeline with one artifact store unencrypted fails",
    build: pipeline({
      artifactStore: [
        { location: "ecg-artifacts", type: "S3", region: "ap-northeast-2", encryptionKey: ARTIFACT_KEY },
        { location: "ecg-artifacts-dr", type: "S3", region: "ap-northeast-1" },
      ],
    }),
    found: "an artifact store without encryption_key",
  },
  // prevent_destroy on every stateful type.
  ...Object.entries(STATEFUL).flatMap(([type, build]): MoreCase[] => [
    { rule: "ECG_PROD_PREVENT_DESTROY", title: `${type} with prevent_destroy passes`, build: build(true) },
    {
      rule: "ECG_PROD_PREVENT_DESTROY",
      title: `${type} without prevent_destroy fails`,
      build: build(false),
      found: "lifecycle.prevent_destroy is not set",
    },
  ]),
];

// ---------------------------------------------------------------- tests

const titled = RULE_CASES.map((c) => ({
  ...c,
  name: [c.req, c.rule, RULES.find((r) => ruleKey(r) === c.rule)?.title].filter(Boolean).join(" "),
}));

describe("policy rules: databases, caches, buckets and platform services", () => {
  it.each(titled)("$name: a compliant fixture passes", ({ rule, pass }) => {
    expect(findingsOf(ruleFor(rule), pass)).toEqual([]);
  });

  it.each(titled)("$name: a breaking fixture fails", ({ rule, fail, found, severity }) => {
    const r = ruleFor(rule);
    expectFinding(r, findingsOf(r, fail), found, severity ?? "error");
  });

  it.each(MORE_CASES)("$rule: $title", ({ rule, build, found, address, production }) => {
    const r = ruleFor(rule);
    const findings = findingsOf(r, build, production ?? true);
    if (found === undefined) expect(findings).toEqual([]);
    else expectFinding(r, findings, found, r.severity, address);
  });

  it("[DR-2] reports a bucket without replication as a warning, not an error", () => {
    const findings = findingsOf(ruleFor("CKV_AWS_144"), bucketWith());
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([["CKV_AWS_144", "warning"]]);
  });

  it("covers every rule of databaseRules, cacheRules, storageRules and platformRules with a passing and a failing fixture", () => {
    const covered = new Set(RULE_CASES.flatMap((c) => c.rule.split("/")));
    const expected = new Set(RULES.flatMap((r) => r.ids));
    expect([...covered].sort()).toEqual([...expected].sort());
    // One case per rule object, named exactly as its findings are.
    expect(RULE_CASES.map((c) => c.rule).sort()).toEqual(RULES.map(ruleKey).sort());
    expect(MORE_CASES.filter((c) => !RULES.some((r) => ruleKey(r) === c.rule))).toEqual([]);
  });
});
