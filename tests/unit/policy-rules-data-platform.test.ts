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
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { RdsCluster, type RdsClusterConfig } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
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
import { SsoadminPermissionSetInlinePolicy } from "@cdktf/provider-aws/lib/ssoadmin-permission-set-inline-policy";
import type { TerraformStack } from "cdktf";
import type { Finding, Rule } from "../../modules/policy";
import { cacheRules, databaseRules } from "../../modules/policy/rules/data";
import { iamRules } from "../../modules/policy/rules/iam";
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
  evaluateFixture,
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
 * buckets, IAM and the platform services, each a small stack of real provider
 * resources evaluated against that one rule; then the other forms each rule
 * reads, its other ways to fail, and where it departs from checkov on purpose.
 */

type Severity = Finding["severity"];

/** The rules under test; a rule is named by its IDs joined with "/", as findings report it. */
const RULES: readonly Rule[] = [...databaseRules, ...cacheRules, ...storageRules, ...iamRules, ...platformRules];
const ruleFor = (key: string): Rule =>
  findRule(RULES, key, "databaseRules, cacheRules, storageRules, iamRules or platformRules", (r) => ruleKey(r) === key);

/**
 * The findings of `rule` on a fixture (findingsOf). findingsOf sees only resources, so for
 * a rule over data sources alone (CKV_AWS_1, CKV_AWS_49) the fixture must hold one of them.
 */
function findingsIn(rule: Rule, build: Build, production = true): Finding[] {
  if (rule.types.some((type) => !type.startsWith("data."))) return findingsOf(rule, build, production);
  const { report, stack } = evaluateFixture(rule, build, production, "policy-rules");
  const dataTypes = Object.keys(stack.toTerraform().data ?? {}).map((type) => `data.${type}`);
  expect(dataTypes.filter((type) => rule.types.includes(type))).not.toEqual([]);
  return report.findings;
}

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

/** The instance with a parameter group of `family` that sets `parameter` (engine and family should agree). */
const databaseWithGroup =
  (family: string, parameter: { name: string; value: string }[], overrides: Partial<DbInstanceConfig> = {}): Build =>
  (stack) => {
    const group = new DbParameterGroup(stack, "params", { name: "ecg-params", family, parameter });
    new DbInstance(stack, "db", { ...DB, parameterGroupName: group.name, ...overrides });
  };

/** An Aurora PostgreSQL cluster. */
const cluster =
  (config: Partial<RdsClusterConfig> = {}): Build =>
  (stack) => {
    new RdsCluster(stack, "cluster", {
      clusterIdentifier: "ecg-aurora",
      engine: "aurora-postgresql",
      masterUsername: "ecg",
      manageMasterUserPassword: true,
      storageEncrypted: true,
      ...config,
    });
  };

/** An instance of the Aurora cluster, with enhanced monitoring every `monitoringInterval` seconds. */
const clusterInstance =
  (monitoringInterval: number): Build =>
  (stack) => {
    new RdsClusterInstance(stack, "cluster-instance", {
      clusterIdentifier: "ecg-aurora",
      engine: "aurora-postgresql",
      instanceClass: "db.r6g.large",
      monitoringInterval,
      monitoringRoleArn: monitoringInterval ? ROLE_ARN : undefined,
    });
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

const ALL_BLOCKED = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
/** A public access block with all four settings on, unless `settings` turns some off. */
const publicAccessBlocked = (settings: Partial<typeof ALL_BLOCKED> = {}) =>
  bucketWith((stack, bucket) => new S3BucketPublicAccessBlock(stack, "public-access", { bucket: bucket.id, ...ALL_BLOCKED, ...settings }));

/** Aborts incomplete multipart uploads in the whole bucket (an empty filter). */
const ABORT_UPLOADS: S3BucketLifecycleConfigurationRule = {
  id: "abort-incomplete-uploads",
  status: "Enabled",
  filter: [{}],
  abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
};
/** Expires tmp/ and aborts nothing. */
const EXPIRE_TMP: S3BucketLifecycleConfigurationRule = {
  id: "expire-tmp",
  status: "Enabled",
  filter: [{ prefix: "tmp/" }],
  expiration: [{ days: 30 }],
};
const lifecycle = (...rule: S3BucketLifecycleConfigurationRule[]) =>
  bucketWith((stack, bucket) => new S3BucketLifecycleConfiguration(stack, "lifecycle", { bucket: bucket.id, rule }));

const ownership = (objectOwnership: string) =>
  bucketWith((stack, bucket) => new S3BucketOwnershipControls(stack, "ownership", { bucket: bucket.id, rule: { objectOwnership } }));

const logged = bucketWith(
  (stack, bucket) =>
    new S3BucketLoggingA(stack, "logging", { bucket: bucket.id, targetBucket: "ecg-access-logs", targetPrefix: "s3/ecg-test-bucket/" }),
);

/** The bucket replicates to ecg-test-bucket-dr, with one rule of each status given. */
const replicatedFrom = (...statuses: string[]) =>
  bucketWith(
    (stack, bucket) =>
      new S3BucketReplicationConfigurationA(stack, "replication", {
        bucket: bucket.id,
        role: ROLE_ARN,
        rule: statuses.map((status, i) => ({
          id: `dr-${i}`,
          priority: i,
          status,
          filter: { prefix: "" },
          deleteMarkerReplication: { status: "Disabled" },
          destination: { bucket: "arn:aws:s3:::ecg-test-bucket-dr" },
        })),
      }),
  );
/** The same through the deprecated inline replication_configuration block of aws_s3_bucket. */
const replicatedInline =
  (status: string): Build =>
  (stack) => {
    testBucket(stack, {
      replicationConfiguration: {
        role: ROLE_ARN,
        rules: [{ id: "dr", status, destination: { bucket: "arn:aws:s3:::ecg-test-bucket-dr" } }],
      },
    });
  };
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

/** Statements for the "no Allow *" rules (more are in policy-fixtures.ts). */
const DENY_ALL: DataAwsIamPolicyDocumentStatement = { effect: "Deny", actions: ["*"], resources: ["*"] };
const ALLOW_ALL_ON_BUCKET: DataAwsIamPolicyDocumentStatement = {
  effect: "Allow",
  actions: ["*"],
  resources: ["arn:aws:s3:::ecg-test-bucket/*"],
};
/** The same as literal JSON statements. */
const LISTED_JSON = { Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::ecg-test-bucket/*" };
const STAR_ON_BUCKET_JSON = { Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::ecg-test-bucket/*" };

/** An aws_iam_policy_document of these statements, used by nothing (CKV_AWS_1 and CKV_AWS_49 read documents themselves). */
const policyDocument =
  (...statement: DataAwsIamPolicyDocumentStatement[]): Build =>
  (stack) => {
    new DataAwsIamPolicyDocument(stack, "policy-doc", { statement });
  };
/** An aws_iam_policy whose policy is an aws_iam_policy_document of these statements. */
const iamPolicyDocument =
  (...statement: DataAwsIamPolicyDocumentStatement[]): Build =>
  (stack) => {
    const doc = new DataAwsIamPolicyDocument(stack, "policy-doc", { statement });
    new IamPolicy(stack, "policy", { name: "ecg-test", policy: doc.json });
  };
/** A role policy of these literal JSON statements. */
const literalRolePolicy = (...statements: object[]): Build => rolePolicy(() => literalPolicy(...statements));
/** An IAM Identity Center permission set's inline policy of these literal JSON statements. */
const permissionSetPolicy =
  (...statements: object[]): Build =>
  (stack) => {
    new SsoadminPermissionSetInlinePolicy(stack, "permission-set-policy", {
      instanceArn: "arn:aws:sso:::instance/ssoins-0123456789abcdef",
      permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef",
      inlinePolicy: literalPolicy(...statements),
    });
  };

// OIDC trusts: a role that GitHub Actions or Terraform Cloud workloads assume with a web identity token.

const GITHUB = "token.actions.githubusercontent.com";
const TFC = "app.terraform.io";
interface Claim {
  readonly test: string;
  readonly variable: string;
  readonly values: string[];
}
/** A condition on `issuer`'s `key` claim: StringLike for sub, StringEquals for aud, unless `test` says otherwise. */
const claim = (
  issuer: string,
  key: "sub" | "aud",
  values: string | string[],
  test = key === "sub" ? "StringLike" : "StringEquals",
): Claim => ({
  test,
  variable: `${issuer}:${key}`,
  values: [values].flat(),
});

/** Where the trust policy is: an aws_iam_policy_document the role references, or literal JSON in assume_role_policy. */
type TrustForm = "document" | "literal";
const TRUST_FORMS: readonly { form: TrustForm; name: string; document: string }[] = [
  { form: "document", name: "an aws_iam_policy_document", document: "data.aws_iam_policy_document.trust-doc" },
  { form: "literal", name: "a literal JSON assume_role_policy", document: "aws_iam_role.role" },
];
const SERVICE_TRUST_JSON = { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ecs-tasks.amazonaws.com" } };

/** A role ecg-deploy that `issuer`'s OIDC provider may assume under `conditions`, after a trust of ECS tasks when `serviceFirst`. */
const oidcTrust =
  (form: TrustForm, issuer: string, conditions: Claim[], serviceFirst = false): Build =>
  (stack) => {
    const federated = `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer}`;
    if (form === "document") {
      const statement: DataAwsIamPolicyDocumentStatement[] = [
        {
          effect: "Allow",
          actions: ["sts:AssumeRoleWithWebIdentity"],
          principals: [{ type: "Federated", identifiers: [federated] }],
          condition: conditions,
        },
      ];
      if (serviceFirst)
        statement.unshift({
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }],
        });
      const doc = new DataAwsIamPolicyDocument(stack, "trust-doc", { statement });
      new IamRole(stack, "role", { name: "ecg-deploy", assumeRolePolicy: doc.json });
      return;
    }
    const Condition: Record<string, Record<string, string[]>> = {};
    for (const c of conditions) Condition[c.test] = { ...Condition[c.test], [c.variable]: c.values };
    const web = {
      Effect: "Allow",
      Action: "sts:AssumeRoleWithWebIdentity",
      Principal: { Federated: federated },
      ...(conditions.length ? { Condition } : {}),
    };
    new IamRole(stack, "role", {
      name: "ecg-deploy",
      assumeRolePolicy: literalPolicy(...(serviceFirst ? [SERVICE_TRUST_JSON, web] : [web])),
    });
  };

const GITHUB_SUB = "repo:my-org/my-repo:ref:refs/heads/main";
const GITHUB_AUD = claim(GITHUB, "aud", "sts.amazonaws.com");
const TFC_SUB = "organization:ecg:project:Default Project:workspace:ecg-prod:run_phase:*";
const TFC_AUD = claim(TFC, "aud", "aws.workload.identity");

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
  aws_rds_cluster: (preventDestroy) => cluster({ lifecycle: { preventDestroy } }),
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
    found: "backup_retention_period = 0",
  },
  {
    rule: "ECG_RDS_BACKUP_RETENTION",
    req: "[RDS-2]",
    pass: database(),
    fail: database({ backupRetentionPeriod: undefined }),
    found: "no explicit backup_retention_period",
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
    rule: "CKV_AWS_353",
    pass: database(),
    fail: database({ performanceInsightsEnabled: false, performanceInsightsKmsKeyId: undefined }),
    found: "performance_insights_enabled is off",
  },
  {
    rule: "CKV_AWS_354",
    req: "[SEC-4]",
    pass: database(),
    fail: database({ performanceInsightsKmsKeyId: undefined }),
    found: "Performance Insights uses the AWS-managed key",
  },
  {
    rule: "ECG_RDS_INSIGHTS_CMK",
    req: "[SEC-4]",
    pass: database(),
    fail: database({ performanceInsightsEnabled: false, performanceInsightsKmsKeyId: undefined }),
    found: "performance_insights_enabled is off",
  },
  { rule: "CKV2_AWS_60", pass: database(), fail: database({ copyTagsToSnapshot: false }), found: "copy_tags_to_snapshot is off" },
  {
    rule: "CKV2_AWS_69",
    req: "[SEC-4]",
    pass: database(),
    fail: database({}, "0"),
    found: "parameter group aws_db_parameter_group.params does not set rds.force_ssl = 1",
  },
  {
    rule: "ECG_RDS_FORCE_SSL",
    req: "[RDS-2] [SEC-4]",
    pass: database(),
    fail: database({ parameterGroupName: undefined }),
    found: "no parameter group with rds.force_ssl = 1",
  },
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
    pass: publicAccessBlocked(),
    fail: publicAccessBlocked({ blockPublicPolicy: false }),
    found: "no public access block with block_public_acls and block_public_policy on",
  },
  {
    rule: "ECG_S3_PUBLIC_ACCESS_BLOCK_ALL",
    req: "[S3-3]",
    pass: publicAccessBlocked(),
    fail: publicAccessBlocked({ restrictPublicBuckets: false }),
    found: "no public access block with all four settings on",
  },
  { rule: "CKV2_AWS_61", pass: lifecycle(EXPIRE_TMP), fail: bucketWith(), found: "no lifecycle configuration" },
  {
    rule: "CKV_AWS_300",
    pass: lifecycle(ABORT_UPLOADS),
    fail: lifecycle(EXPIRE_TMP),
    found: "no enabled rule without a prefix or tag filter aborts incomplete multipart uploads",
  },
  { rule: "ECG_S3_ABORT_MULTIPART", pass: lifecycle(EXPIRE_TMP, ABORT_UPLOADS), fail: bucketWith(), found: "no lifecycle configuration" },
  {
    rule: "CKV2_AWS_65",
    pass: ownership("BucketOwnerEnforced"),
    fail: ownership("BucketOwnerPreferred"),
    found: "object ownership is not BucketOwnerEnforced",
  },
  {
    rule: "ECG_S3_OWNERSHIP_ENFORCED",
    pass: ownership("BucketOwnerEnforced"),
    fail: bucketWith(),
    found: "object ownership is not BucketOwnerEnforced",
  },
  { rule: "CKV_AWS_18", pass: logged, fail: bucketWith(), found: "access logging is off" },
  {
    rule: "CKV_AWS_144",
    req: "[DR-2]",
    pass: replicatedFrom("Enabled"),
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
  // iamRules
  { rule: "CKV_AWS_1", pass: policyDocument(READ_OBJECTS), fail: policyDocument(READ_OBJECTS, ALLOW_ALL), found: 'Allow "*" on "*"' },
  { rule: "CKV_AWS_49", pass: policyDocument(READ_OBJECTS), fail: policyDocument(ALLOW_ALL_ON_BUCKET), found: 'Allow with Action "*"' },
  {
    rule: "CKV_AWS_62",
    pass: iamPolicyDocument(READ_OBJECTS),
    fail: iamPolicyDocument(READ_OBJECTS, ALLOW_ALL),
    found: 'Allow "*" on "*"',
  },
  {
    rule: "CKV_AWS_63",
    pass: iamPolicyDocument(READ_OBJECTS),
    fail: literalRolePolicy(LISTED_JSON, STAR_ON_BUCKET_JSON),
    found: 'Allow with Action "*"',
  },
  {
    rule: "ECG_IAM_BROAD_ACTIONS",
    pass: literalRolePolicy(LISTED_JSON),
    fail: literalRolePolicy(LISTED_JSON, { Effect: "Allow", Action: "*:*", Resource: "*" }),
    found: 'Allow with Action "*:*" or NotAction on every resource (1 statement(s))',
  },
  {
    rule: "CKV_AWS_60",
    pass: trustDocument({ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }),
    fail: trustDocument({ type: "AWS", identifiers: ["*"] }),
    found: "the trust policy allows any principal",
  },
  {
    rule: "ECG_IAM_TRUST_NAMED",
    pass: trustLiteral(literalPolicy(SERVICE_TRUST_JSON)),
    fail: trustLiteral(literalPolicy({ Effect: "Allow", Action: "sts:AssumeRole", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })),
    found: "the trust policy allows by NotPrincipal",
  },
  {
    rule: "ECG_SERVICE_TRUST_SOURCE",
    req: "[SEC-1]",
    pass: trustLiteral(
      literalPolicy({
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Service: "codedeploy.amazonaws.com" },
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      }),
    ),
    fail: trustDocument({ type: "Service", identifiers: ["codedeploy.amazonaws.com"] }),
    found: "codedeploy.amazonaws.com may assume the role for any account (confused deputy)",
  },
  {
    rule: "CKV_AWS_358",
    pass: oidcTrust("document", GITHUB, [claim(GITHUB, "sub", GITHUB_SUB), GITHUB_AUD]),
    fail: oidcTrust("document", GITHUB, [claim(GITHUB, "sub", "repo:*"), GITHUB_AUD]),
    found: "sub repo:* allows every repository",
  },
  {
    rule: "ECG_GITHUB_OIDC_TRUST",
    pass: oidcTrust("literal", GITHUB, [claim(GITHUB, "sub", GITHUB_SUB), GITHUB_AUD]),
    fail: oidcTrust("literal", GITHUB, [claim(GITHUB, "sub", "repo:my-org/*"), GITHUB_AUD]),
    found: "sub repo:my-org/* is a pattern, not named repositories",
  },
  {
    rule: "ECG_TFC_OIDC_TRUST",
    pass: oidcTrust("document", TFC, [claim(TFC, "sub", TFC_SUB), TFC_AUD]),
    fail: oidcTrust("document", TFC, [claim(TFC, "sub", "organization:ecg:*"), TFC_AUD]),
    found: "sub organization:ecg:* does not name an organization and a workspace",
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
  { rule: "ECG_LOG_RETENTION", pass: logGroup(30, KEY_ARN), fail: logGroup(0, KEY_ARN), found: "logs are kept forever" },
  { rule: "CKV_AWS_158", req: "[SEC-4]", pass: logGroup(30, KEY_ARN), fail: logGroup(30, undefined), found: "no kms_key_id" },
  {
    rule: "CKV_AWS_7",
    req: "[SEC-4]",
    pass: kmsKey({ enableKeyRotation: true }),
    fail: kmsKey({ enableKeyRotation: false }),
    found: "enable_key_rotation is off",
  },
  { rule: "CKV_AWS_149", req: "[SEC-4]", pass: secret(KEY_ARN), fail: secret(undefined), found: "the secret uses an AWS-managed key" },
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
    req: "[SEC-4]",
    pass: distribution(),
    fail: distribution({ viewerCertificate: { cloudfrontDefaultCertificate: true } }),
    found: "the CloudFront default certificate allows TLSv1",
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

const UNINSPECTABLE = "cannot be inspected";

/** Lifecycle rules aborting incomplete uploads, narrowed (or not) as given. */
const abortUploads = (narrowing: Partial<S3BucketLifecycleConfigurationRule>): S3BucketLifecycleConfigurationRule => ({
  ...ABORT_UPLOADS,
  filter: undefined,
  ...narrowing,
});

/** The other forms each rule reads, what it leaves alone, and its other ways to fail. */
const MORE_CASES: readonly MoreCase[] = [
  // ---- databases: read replicas are exempt only where the rule says so.
  {
    rule: "CKV_AWS_16",
    title: "[RDS-2] [SEC-4] a read replica without a KMS key fails",
    build: replica({ kmsKeyId: undefined }),
    found: "storage_encrypted is off",
  },
  {
    rule: "CKV_AWS_157",
    title: "[RDS-2] a single-AZ read replica fails in production (replicas are not exempt)",
    build: replica({ multiAz: false }),
    found: "multi_az is off in production",
  },
  { rule: "CKV_AWS_157", title: "[RDS-2] a Multi-AZ read replica passes in production", build: replica({ multiAz: true }) },
  {
    rule: "CKV_AWS_133",
    title: "[RDS-2] an unset backup_retention_period passes (RDS's default is one day)",
    build: database({ backupRetentionPeriod: undefined }),
  },
  { rule: "CKV_AWS_133", title: "[RDS-2] backup_retention_period = 35 passes", build: database({ backupRetentionPeriod: 35 }) },
  {
    rule: "CKV_AWS_133",
    title: "[RDS-2] backup_retention_period = 36 fails",
    build: database({ backupRetentionPeriod: 36 }),
    found: "backup_retention_period = 36",
  },
  {
    rule: "CKV_AWS_133",
    title: "a read replica with backup_retention_period = 0 fails (replicas are not exempt)",
    build: replica({ backupRetentionPeriod: 0 }),
    found: "backup_retention_period = 0",
  },
  {
    rule: "CKV_AWS_133",
    title: "an aws_rds_cluster with backup_retention_period = 0 fails",
    build: cluster({ backupRetentionPeriod: 0 }),
    found: "backup_retention_period = 0",
  },
  { rule: "CKV_AWS_133", title: "an aws_rds_cluster on the default retention passes", build: cluster() },
  {
    rule: "CKV_AWS_133",
    title: "a retention given as an expression cannot be inspected",
    build: database({ backupRetentionPeriod: "${var.backup_days}" as unknown as number }),
    found: UNINSPECTABLE,
  },
  { rule: "ECG_RDS_BACKUP_RETENTION", title: "[RDS-2] a read replica without its own backups passes", build: replica() },
  {
    rule: "ECG_RDS_BACKUP_RETENTION",
    title: "[RDS-2] backup_retention_period = 0 fails",
    build: database({ backupRetentionPeriod: 0 }),
    found: "no explicit backup_retention_period",
  },
  {
    rule: "CKV_AWS_161",
    title: "a read replica without an engine of its own (so not mysql or postgres) is not evaluated",
    build: replica({ iamDatabaseAuthenticationEnabled: false }),
  },
  {
    rule: "CKV_AWS_161",
    title: "a MariaDB database without IAM authentication is not evaluated",
    build: database({ engine: "mariadb", engineVersion: "10.11", iamDatabaseAuthenticationEnabled: false }),
  },
  {
    rule: "CKV_AWS_161",
    title: "a MySQL database without IAM authentication fails",
    build: database({ engine: "mysql", engineVersion: "8.0", iamDatabaseAuthenticationEnabled: false }),
    found: "iam_database_authentication_enabled is off",
  },
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
  {
    rule: "CKV_AWS_118",
    title: "an interval RDS does not offer (45 seconds) fails",
    build: database({ monitoringInterval: 45 }),
    found: "monitoring_interval is 45",
  },
  { rule: "CKV_AWS_118", title: "an Aurora cluster instance with enhanced monitoring passes", build: clusterInstance(60) },
  {
    rule: "CKV_AWS_118",
    title: "an Aurora cluster instance without enhanced monitoring fails",
    build: clusterInstance(0),
    found: "monitoring_interval is 0",
  },
  {
    rule: "CKV_AWS_353",
    title: "MySQL on db.t3.micro (no Performance Insights there) is not evaluated",
    build: database({ engine: "mysql", engineVersion: "8.0", instanceClass: "db.t3.micro", performanceInsightsEnabled: false }),
  },
  {
    rule: "CKV_AWS_354",
    title: "a database without Performance Insights needs no key for it",
    build: database({ performanceInsightsEnabled: false, performanceInsightsKmsKeyId: undefined }),
  },
  {
    rule: "ECG_RDS_INSIGHTS_CMK",
    title: "[SEC-4] Performance Insights on the AWS-managed key fails",
    build: database({ performanceInsightsKmsKeyId: undefined }),
    found: "Performance Insights uses the AWS-managed key",
  },
  // CKV2_AWS_69 follows the parameter group's family; without a group of this stack it passes.
  { rule: "CKV2_AWS_69", title: "a database without a parameter group passes", build: database({ parameterGroupName: undefined }) },
  {
    rule: "CKV2_AWS_69",
    title: "a database on a default parameter group (a literal name) passes",
    build: database({ parameterGroupName: "default.postgres16" }),
  },
  { rule: "CKV2_AWS_69", title: "a read replica on its source's parameters (no parameter group) passes", build: replica() },
  {
    rule: "CKV2_AWS_69",
    title: "a read replica with a parameter group that does not force TLS fails",
    build: replica({}, "0"),
    found: "does not set rds.force_ssl = 1",
  },
  { rule: "CKV2_AWS_69", title: "a read replica with a parameter group that forces TLS passes", build: replica({}, "1") },
  {
    rule: "CKV2_AWS_69",
    title: "a MySQL group with require_secure_transport = 1 passes",
    build: databaseWithGroup("mysql8.0", [{ name: "require_secure_transport", value: "1" }], { engine: "mysql", engineVersion: "8.0" }),
  },
  {
    rule: "CKV2_AWS_69",
    title: "a MySQL group that sets only rds.force_ssl (no such MySQL parameter) fails",
    build: databaseWithGroup("mysql8.0", [{ name: "rds.force_ssl", value: "1" }], { engine: "mysql", engineVersion: "8.0" }),
    found: "does not set require_secure_transport = 1",
  },
  {
    rule: "CKV2_AWS_69",
    title: "a MariaDB group with require_secure_transport = 0 fails",
    build: databaseWithGroup("mariadb10.11", [{ name: "require_secure_transport", value: "0" }], {
      engine: "mariadb",
      engineVersion: "10.11",
    }),
    found: "does not set require_secure_transport = 1",
  },
  {
    rule: "CKV2_AWS_69",
    title: "a SQL Server group without rds.force_ssl fails",
    build: databaseWithGroup("sqlserver-se-15.0", [{ name: "contained database authentication", value: "1" }], { engine: "sqlserver-se" }),
    found: "does not set rds.force_ssl = 1",
  },
  {
    rule: "CKV2_AWS_69",
    title: "an Oracle group (a family without a TLS parameter) passes",
    build: databaseWithGroup("oracle-ee-19", [{ name: "open_cursors", value: "500" }], { engine: "oracle-ee" }),
  },
  {
    rule: "ECG_RDS_FORCE_SSL",
    title: "[RDS-2] a PostgreSQL database on a default parameter group (a literal name) fails",
    build: database({ parameterGroupName: "default.postgres16" }),
    found: "no parameter group with rds.force_ssl = 1",
  },
  {
    rule: "ECG_RDS_FORCE_SSL",
    title: "[RDS-2] a group with rds.force_ssl = 0 fails",
    build: database({}, "0"),
    found: "no parameter group with rds.force_ssl = 1",
  },
  { rule: "ECG_RDS_FORCE_SSL", title: "a read replica on its source's parameters passes", build: replica() },
  {
    rule: "ECG_RDS_FORCE_SSL",
    title: "a read replica with its own group that does not force TLS fails",
    build: replica({}, "0"),
    found: "no parameter group with rds.force_ssl = 1",
  },
  {
    rule: "ECG_RDS_FORCE_SSL",
    title: "a MySQL database is not evaluated",
    build: database({ engine: "mysql", engineVersion: "8.0", parameterGroupName: undefined }),
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
  // ---- Redis authentication through a token instead of RBAC.
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
  {
    rule: "CKV_AWS_31",
    title: "Redis with a user group but no encryption in transit fails",
    build: redis({ transitEncryptionEnabled: false }),
    found: "transit_encryption_enabled is off",
  },
  // ---- buckets: settings count when their `bucket` argument is this bucket, and so do the inline blocks.
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
  {
    rule: "CKV_AWS_21",
    title: "[S3-3] an inline versioning { enabled = true } block on aws_s3_bucket passes",
    build: (stack) => {
      testBucket(stack, { versioning: { enabled: true } });
    },
  },
  {
    rule: "CKV_AWS_21",
    title: "[S3-3] an inline versioning { enabled = false } block fails",
    build: (stack) => {
      testBucket(stack, { versioning: { enabled: false } });
    },
    found: "versioning is not enabled",
  },
  { rule: "CKV2_AWS_6", title: "[S3-3] a bucket with no public access block fails", build: bucketWith(), found: "no public access block" },
  {
    rule: "CKV2_AWS_6",
    title: "a public access block with ignore_public_acls and restrict_public_buckets off passes (checkov reads two settings)",
    build: publicAccessBlocked({ ignorePublicAcls: false, restrictPublicBuckets: false }),
  },
  {
    rule: "ECG_S3_PUBLIC_ACCESS_BLOCK_ALL",
    title: "[S3-3] a public access block with ignore_public_acls off fails",
    build: publicAccessBlocked({ ignorePublicAcls: false }),
    found: "no public access block with all four settings on",
  },
  {
    rule: "ECG_S3_PUBLIC_ACCESS_BLOCK_ALL",
    title: "[S3-3] a bucket with no public access block fails",
    build: bucketWith(),
    found: "no public access block with all four settings on",
  },
  {
    rule: "CKV2_AWS_61",
    title: "an inline lifecycle_rule block on aws_s3_bucket passes",
    build: (stack) => {
      testBucket(stack, { lifecycleRule: [{ id: "expire-tmp", enabled: true, prefix: "tmp/", expiration: { days: 30 } }] });
    },
  },
  {
    rule: "CKV2_AWS_61",
    title: "a lifecycle configuration is not inspected beyond its existence (a Disabled rule passes)",
    build: lifecycle({ ...EXPIRE_TMP, status: "Disabled" }),
  },
  // CKV_AWS_300 is about the lifecycle configuration, and only a rule for the whole bucket counts.
  {
    rule: "CKV_AWS_300",
    title: "an abort rule with filter {} passes",
    build: lifecycle(ABORT_UPLOADS),
  },
  { rule: "CKV_AWS_300", title: "an abort rule without a filter passes", build: lifecycle(abortUploads({})) },
  {
    rule: "CKV_AWS_300",
    title: 'an abort rule limited by a filter prefix ("logs/") fails',
    build: lifecycle(abortUploads({ filter: [{ prefix: "logs/" }] })),
    found: "no enabled rule without a prefix or tag filter aborts incomplete multipart uploads",
    address: "aws_s3_bucket_lifecycle_configuration.lifecycle",
  },
  {
    rule: "CKV_AWS_300",
    title: "an abort rule limited by a tag fails",
    build: lifecycle(abortUploads({ filter: [{ tag: [{ key: "class", value: "scratch" }] }] })),
    found: "no enabled rule without a prefix or tag filter aborts incomplete multipart uploads",
  },
  {
    rule: "CKV_AWS_300",
    title: "an abort rule limited by filter { and { prefix, tags } } fails",
    build: lifecycle(abortUploads({ filter: [{ and: [{ prefix: "logs/", tags: { class: "scratch" } }] }] })),
    found: "no enabled rule without a prefix or tag filter aborts incomplete multipart uploads",
  },
  {
    rule: "CKV_AWS_300",
    title: 'an abort rule limited by the rule-level prefix ("logs/") fails',
    build: lifecycle(abortUploads({ prefix: "logs/" })),
    found: "no enabled rule without a prefix or tag filter aborts incomplete multipart uploads",
  },
  {
    rule: "CKV_AWS_300",
    title: "a Disabled abort rule fails",
    build: lifecycle({ ...ABORT_UPLOADS, status: "Disabled" }),
    found: "no enabled rule without a prefix or tag filter aborts incomplete multipart uploads",
  },
  {
    rule: "CKV_AWS_300",
    title: "a prefix-limited abort rule beside a bucket-wide one passes",
    build: lifecycle(abortUploads({ id: "abort-logs", filter: [{ prefix: "logs/" }] }), ABORT_UPLOADS),
  },
  {
    rule: "ECG_S3_ABORT_MULTIPART",
    title: 'a bucket whose only abort rule is limited to "logs/" fails',
    build: lifecycle(abortUploads({ filter: [{ prefix: "logs/" }] })),
    found: "no enabled bucket-wide rule aborts incomplete multipart uploads",
    address: "aws_s3_bucket.bucket",
  },
  {
    rule: "ECG_S3_ABORT_MULTIPART",
    title: "a bucket whose abort rule is Disabled fails",
    build: lifecycle({ ...ABORT_UPLOADS, status: "Disabled" }),
    found: "no enabled bucket-wide rule aborts incomplete multipart uploads",
  },
  {
    rule: "ECG_S3_ABORT_MULTIPART",
    title: 'a bucket aborting uploads under filter { prefix = "" } passes',
    build: lifecycle(abortUploads({ filter: [{ prefix: "" }] })),
  },
  {
    rule: "CKV2_AWS_65",
    title: "the finding is about the ownership controls, not the bucket",
    build: ownership("ObjectWriter"),
    found: "object ownership is not BucketOwnerEnforced",
    address: "aws_s3_bucket_ownership_controls.ownership",
  },
  {
    rule: "ECG_S3_OWNERSHIP_ENFORCED",
    title: "a bucket whose ownership controls prefer the bucket owner fails",
    build: ownership("BucketOwnerPreferred"),
    found: "object ownership is not BucketOwnerEnforced",
    address: "aws_s3_bucket.bucket",
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
  {
    rule: "CKV_AWS_18",
    title: "an inline logging block on aws_s3_bucket passes",
    build: (stack) => {
      testBucket(stack, { logging: { targetBucket: "ecg-access-logs", targetPrefix: "s3/ecg-test-bucket/" } });
    },
  },
  { rule: "CKV_AWS_144", title: "[DR-2] the destination of a replication passes", build: replicatedTo },
  {
    rule: "CKV_AWS_144",
    title: "[DR-2] a replication configuration whose every rule is Disabled fails",
    build: replicatedFrom("Disabled", "Disabled"),
    found: "every replication rule is Disabled",
  },
  {
    rule: "CKV_AWS_144",
    title: "[DR-2] one Enabled replication rule among Disabled ones passes",
    build: replicatedFrom("Disabled", "Enabled"),
  },
  {
    rule: "CKV_AWS_144",
    title: "[DR-2] the deprecated inline replication_configuration with an Enabled rule passes",
    build: replicatedInline("Enabled"),
  },
  {
    rule: "CKV_AWS_144",
    title: "[DR-2] the deprecated inline replication_configuration with every rule Disabled fails",
    build: replicatedInline("Disabled"),
    found: "every replication rule is Disabled",
  },
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
    title: "[S3-3] a policy the rule cannot read fails, as not inspectable",
    build: bucketPolicyLiteral(UNREADABLE_POLICY),
    found: "cannot be inspected: the policy of aws_s3_bucket_policy.",
  },
  // ---- IAM: CKV_AWS_1/49 read policy documents, CKV_AWS_62/63 policy resources; "*:*" and NotAction are ECG_IAM_BROAD_ACTIONS.
  {
    rule: "CKV_AWS_1",
    title: 'Allow "*" on one bucket is not full admin and passes',
    build: policyDocument(ALLOW_ALL_ON_BUCKET),
  },
  { rule: "CKV_AWS_1", title: "a document that denies every action passes", build: policyDocument(READ_OBJECTS, DENY_ALL) },
  {
    rule: "CKV_AWS_1",
    title: "a document used by no policy resource (a bucket policy's) is checked too",
    build: bucketPolicyDocument(ALLOW_READ, { ...ALLOW_ALL, principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${ACCOUNT}:root`] }] }),
    found: 'Allow "*" on "*"',
    address: "data.aws_iam_policy_document.bucket-policy-doc",
  },
  {
    rule: "CKV_AWS_1",
    title: "a merged document is reported where it is written, not where it is merged",
    build: (stack) => {
      const admin = new DataAwsIamPolicyDocument(stack, "admin-doc", { statement: [ALLOW_ALL] });
      new DataAwsIamPolicyDocument(stack, "merged-doc", { sourcePolicyDocuments: [admin.json], statement: [READ_OBJECTS] });
    },
    found: 'Allow "*" on "*"',
    address: "data.aws_iam_policy_document.admin-doc",
  },
  {
    rule: "CKV_AWS_49",
    title: 'a document allowing "s3:*" passes (only the action "*" counts)',
    build: policyDocument({ effect: "Allow", actions: ["s3:*"], resources: ["arn:aws:s3:::ecg-test-bucket/*"] }),
  },
  {
    rule: "CKV_AWS_49",
    title: 'a statement without an effect (Allow) with "*" fails',
    build: policyDocument({ actions: ["*"], resources: ["arn:aws:s3:::ecg-test-bucket/*"] }),
    found: 'Allow with Action "*"',
  },
  { rule: "CKV_AWS_49", title: "a document that denies every action passes", build: policyDocument(READ_OBJECTS, DENY_ALL) },
  { rule: "CKV_AWS_62", title: "a policy document that denies every action passes", build: iamPolicyDocument(READ_OBJECTS, DENY_ALL) },
  { rule: "CKV_AWS_63", title: "a policy document that denies every action passes", build: iamPolicyDocument(READ_OBJECTS, DENY_ALL) },
  { rule: "CKV_AWS_62", title: "a literal JSON role policy with listed actions passes", build: literalRolePolicy(LISTED_JSON) },
  { rule: "CKV_AWS_63", title: "a literal JSON role policy with listed actions passes", build: literalRolePolicy(LISTED_JSON) },
  {
    rule: "CKV_AWS_62",
    title: 'a literal JSON user policy allowing "*" on one bucket is not full admin and passes',
    build: (stack) => {
      new IamUserPolicy(stack, "policy", { user: "ecg-test", policy: literalPolicy(STAR_ON_BUCKET_JSON) });
    },
  },
  {
    rule: "CKV_AWS_62",
    title: "a policy that merges an admin document into its own fails",
    build: (stack) => {
      const admin = new DataAwsIamPolicyDocument(stack, "admin-doc", { statement: [ALLOW_ALL] });
      const doc = new DataAwsIamPolicyDocument(stack, "policy-doc", { sourcePolicyDocuments: [admin.json], statement: [READ_OBJECTS] });
      new IamPolicy(stack, "policy", { name: "ecg-test", policy: doc.json });
    },
    found: 'Allow "*" on "*"',
  },
  ...["CKV_AWS_62", "CKV_AWS_63"].map(
    (rule): MoreCase => ({
      rule,
      title: 'a literal JSON group policy with a single Statement object allowing "*" on "*" fails',
      build: (stack) => {
        new IamGroupPolicy(stack, "policy", {
          group: "ecg-test",
          policy: JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "*", Resource: "*" } }),
        });
      },
      found: rule === "CKV_AWS_62" ? 'Allow "*" on "*"' : 'Allow with Action "*"',
    }),
  ),
  {
    rule: "CKV_AWS_63",
    title: 'a literal JSON user policy allowing "*:*" passes (only the action "*" counts; ECG_IAM_BROAD_ACTIONS catches it)',
    build: (stack) => {
      new IamUserPolicy(stack, "policy", { user: "ecg-test", policy: literalPolicy({ Effect: "Allow", Action: "*:*", Resource: "*" }) });
    },
  },
  {
    rule: "CKV_AWS_63",
    title: "NotAction on every resource passes (ECG_IAM_BROAD_ACTIONS catches it)",
    build: literalRolePolicy({ Effect: "Allow", NotAction: ["iam:*"], Resource: "*" }),
  },
  {
    rule: "CKV_AWS_63",
    title: 'a permission set inline policy allowing "*" fails',
    build: permissionSetPolicy(STAR_ON_BUCKET_JSON),
    found: 'Allow with Action "*"',
    address: "aws_ssoadmin_permission_set_inline_policy.permission-set-policy",
  },
  {
    rule: "ECG_IAM_BROAD_ACTIONS",
    title: 'a literal JSON user policy allowing "*:*" fails',
    build: (stack) => {
      new IamUserPolicy(stack, "policy", {
        user: "ecg-test",
        policy: literalPolicy({ Effect: "Allow", Action: "*:*", Resource: "arn:aws:s3:::ecg-test-bucket/*" }),
      });
    },
    found: 'Allow with Action "*:*"',
  },
  {
    rule: "ECG_IAM_BROAD_ACTIONS",
    title: "NotAction on every resource fails",
    build: literalRolePolicy({ Effect: "Allow", NotAction: ["iam:*"], Resource: "*" }),
    found: "NotAction on every resource",
  },
  {
    rule: "ECG_IAM_BROAD_ACTIONS",
    title: "NotAction on one bucket passes",
    build: literalRolePolicy({ Effect: "Allow", NotAction: ["s3:DeleteObject"], Resource: "arn:aws:s3:::ecg-test-bucket/*" }),
  },
  {
    rule: "ECG_IAM_BROAD_ACTIONS",
    title: "a Deny with NotAction on every resource passes",
    build: literalRolePolicy(LISTED_JSON, { Effect: "Deny", NotAction: ["s3:GetObject"], Resource: "*" }),
  },
  {
    rule: "ECG_IAM_BROAD_ACTIONS",
    title: 'a policy document with NotAction on "*" fails',
    build: iamPolicyDocument({ effect: "Allow", notActions: ["iam:*"], resources: ["*"] }),
    found: "NotAction on every resource",
  },
  {
    rule: "ECG_IAM_BROAD_ACTIONS",
    title: 'a permission set inline policy allowing "*:*" fails',
    build: permissionSetPolicy({ Effect: "Allow", Action: "*:*", Resource: "*" }),
    found: 'Allow with Action "*:*"',
  },
  // A policy none of these rules can read is a finding, not a pass.
  ...["CKV_AWS_62", "CKV_AWS_63", "ECG_IAM_BROAD_ACTIONS"].map(
    (rule): MoreCase => ({
      rule,
      title: "a policy the rule cannot read is reported as not inspectable",
      build: (stack) => {
        new IamPolicy(stack, "policy", { name: "ecg-test", policy: UNREADABLE_POLICY });
      },
      found: `${UNINSPECTABLE}: the policy is not literal JSON or an aws_iam_policy_document`,
    }),
  ),
  {
    rule: "CKV_AWS_60",
    title: "a literal JSON trust policy for one service passes",
    build: trustLiteral(literalPolicy(SERVICE_TRUST_JSON)),
  },
  {
    rule: "CKV_AWS_60",
    title: 'a literal JSON trust policy with Principal { AWS: "*" } fails',
    build: trustLiteral(literalPolicy({ Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: "*" } })),
    found: "allows any principal",
  },
  {
    rule: "CKV_AWS_60",
    title: 'a policy document trusting principals { type = "*", identifiers = ["*"] } fails',
    build: trustDocument({ type: "*", identifiers: ["*"] }),
    found: "allows any principal",
  },
  {
    rule: "CKV_AWS_60",
    title: 'a Deny of Principal "*" passes',
    build: trustLiteral(literalPolicy(SERVICE_TRUST_JSON, { Effect: "Deny", Action: "sts:AssumeRole", Principal: "*" })),
  },
  {
    rule: "CKV_AWS_60",
    title: "a trust by NotPrincipal is not CKV_AWS_60's (ECG_IAM_TRUST_NAMED catches it)",
    build: trustLiteral(
      literalPolicy({ Effect: "Allow", Action: "sts:AssumeRole", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }),
    ),
  },
  {
    rule: "ECG_IAM_TRUST_NAMED",
    title: "a policy document trusting by not_principals fails",
    build: (stack) => {
      const doc = new DataAwsIamPolicyDocument(stack, "trust-doc", {
        statement: [
          { effect: "Allow", actions: ["sts:AssumeRole"], notPrincipals: [{ type: "AWS", identifiers: [`arn:aws:iam::${ACCOUNT}:root`] }] },
        ],
      });
      new IamRole(stack, "role", { name: "ecg-test", assumeRolePolicy: doc.json });
    },
    found: "the trust policy allows by NotPrincipal",
  },
  ...["CKV_AWS_60", "ECG_IAM_TRUST_NAMED", "ECG_GITHUB_OIDC_TRUST", "ECG_TFC_OIDC_TRUST", "CKV_AWS_358"].map(
    (rule): MoreCase => ({
      rule,
      title: "a trust policy the rule cannot read is reported as not inspectable",
      build: trustLiteral(UNREADABLE_POLICY),
      found: `${UNINSPECTABLE}: the trust policy is not literal JSON or an aws_iam_policy_document`,
    }),
  ),
  // ---- platform: the other forms and failures.
  { rule: "CKV_AWS_66", title: "retention_in_days = 0 (never expire) is a retention and passes", build: logGroup(0, KEY_ARN) },
  {
    rule: "ECG_LOG_RETENTION",
    title: "a log group without retention_in_days fails",
    build: logGroup(undefined, KEY_ARN),
    found: "logs are kept forever",
  },
  {
    rule: "CKV_AWS_7",
    title: "[SEC-4] an asymmetric signing key (which cannot rotate) passes",
    build: kmsKey({ customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }),
  },
  {
    rule: "CKV_AWS_149",
    title: "[SEC-4] the AWS-managed key by alias (alias/aws/secretsmanager) fails",
    build: secret("alias/aws/secretsmanager"),
    found: "the secret uses an AWS-managed key",
  },
  {
    rule: "CKV_AWS_149",
    title: "[SEC-4] the AWS-managed key by alias ARN fails",
    build: secret(arn("kms", "alias/aws/secretsmanager")),
    found: "the secret uses an AWS-managed key",
  },
  { rule: "CKV_AWS_149", title: "[SEC-4] a customer-managed key by alias passes", build: secret("alias/ecg/secrets") },
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
    title: "[SEC-4] TLSv1.1_2016 fails",
    build: distribution({ viewerCertificate: { ...CDN.viewerCertificate, minimumProtocolVersion: "TLSv1.1_2016" } }),
    found: "minimum_protocol_version TLSv1.1_2016 is below TLSv1.2",
  },
  {
    rule: "CKV_AWS_174",
    title: "[SEC-4] TLSv1.3_2025 passes",
    build: distribution({ viewerCertificate: { ...CDN.viewerCertificate, minimumProtocolVersion: "TLSv1.3_2025" } }),
  },
  {
    rule: "CKV_AWS_174",
    title: "[SEC-4] the CloudFront default certificate fails even with minimum_protocol_version TLSv1.2_2021",
    build: distribution({ viewerCertificate: { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1.2_2021" } }),
    found: "the CloudFront default certificate allows TLSv1",
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

/** One fixture per rule with a `note`: where the rule departs from checkov on purpose, and checkov would say otherwise. */
const NOTE_CASES: readonly (MoreCase & { readonly checkov: string })[] = [
  {
    rule: "CKV_AWS_149",
    title: '[SEC-4] kms_key_id = "" (the AWS-managed key) fails',
    checkov: 'passes ""',
    build: secret(""),
    found: "the secret uses an AWS-managed key",
  },
  {
    rule: "CKV_AWS_16",
    title: "[RDS-2] [SEC-4] a cross-region read replica with a KMS key and no storage_encrypted passes",
    checkov: "fails it",
    build: replica({ storageEncrypted: undefined }),
  },
  {
    rule: "CKV2_AWS_60",
    title: "a Neptune instance that copies tags to snapshots passes",
    checkov: "fails neptune, docdb and aurora whatever they set",
    build: database({ engine: "neptune", engineVersion: undefined }),
  },
  {
    rule: "CKV_AWS_300",
    title: 'an abort rule under filter { prefix = "" } (the whole bucket) passes',
    checkov: "skips any non-empty filter block and fails it",
    build: lifecycle(abortUploads({ filter: [{ prefix: "" }] })),
  },
  {
    rule: "CKV_AWS_60",
    title: 'a literal JSON trust policy with Principal "*" (a string) fails',
    checkov: "misses the string form and passes it",
    build: trustLiteral(literalPolicy({ Effect: "Allow", Action: "sts:AssumeRole", Principal: "*" })),
    found: "the trust policy allows any principal",
  },
  {
    rule: "CKV_AWS_358",
    title: 'a GitHub trust in the second statement, "repo:*" as its second sub value, fails',
    checkov: "reads only the first statement and the first value, and passes it",
    build: oidcTrust("document", GITHUB, [claim(GITHUB, "sub", [GITHUB_SUB, "repo:*"]), GITHUB_AUD], true),
    found: "sub repo:* allows every repository",
    address: "data.aws_iam_policy_document.trust-doc",
  },
  {
    rule: "CKV_AWS_31",
    title: "transit encryption with RBAC user groups (no AUTH token) passes",
    checkov: "reads auth_token only in its older versions and fails it",
    build: redis({ authToken: undefined, userGroupIds: ["ecg-render"] }),
  },
  {
    rule: "CKV_AWS_314",
    title: "an s3_logs block without status = ENABLED (so DISABLED) logs nothing and fails",
    checkov: "counts any s3_logs block and passes it",
    build: buildProject({ logsConfig: { s3Logs: { location: "ecg-build-logs/codebuild" } } }),
    found: "no logs_config with CloudWatch or S3 logging on",
  },
  {
    rule: "CKV_AWS_219",
    title: "[SEC-4] a cross-region pipeline whose second artifact store is unencrypted fails",
    checkov: "reads only the first artifact store and passes it",
    build: pipeline({
      artifactStore: [
        { location: "ecg-artifacts", type: "S3", region: "ap-northeast-2", encryptionKey: ARTIFACT_KEY },
        { location: "ecg-artifacts-dr", type: "S3", region: "ap-northeast-1" },
      ],
    }),
    found: "an artifact store without encryption_key",
  },
];

// ---------------------------------------------------------------- OIDC trusts

interface GithubCase {
  readonly title: string;
  readonly conditions: Claim[];
  /** CKV_AWS_358's finding (about the document, or the role when its trust is literal); undefined when it passes. */
  readonly ckv358?: string;
  /** ECG_GITHUB_OIDC_TRUST's finding (about the role); undefined when it passes. */
  readonly named?: string;
}

const GITHUB_CASES: readonly GithubCase[] = [
  {
    title: '"repo:my-org/my-repo:ref:refs/heads/main" with aud sts.amazonaws.com passes both',
    conditions: [claim(GITHUB, "sub", GITHUB_SUB), GITHUB_AUD],
  },
  {
    title: 'sub "repo:*" (every repository) fails both',
    conditions: [claim(GITHUB, "sub", "repo:*"), GITHUB_AUD],
    ckv358: "sub repo:* allows every repository",
    named: "sub repo:* allows every repository",
  },
  {
    title: 'sub "*" alone (StringEquals) fails both',
    conditions: [claim(GITHUB, "sub", "*", "StringEquals"), GITHUB_AUD],
    ckv358: "sub is *",
    named: "sub is *",
  },
  {
    title: 'StringLike with a bare "*" fails both',
    conditions: [claim(GITHUB, "sub", "*"), GITHUB_AUD],
    ckv358: "sub is *",
    named: "sub is *",
  },
  {
    title: "a missing condition fails both",
    conditions: [],
    ckv358: "no condition limits token.actions.githubusercontent.com:sub",
    named: "no condition limits token.actions.githubusercontent.com:sub",
  },
  {
    title: "an aud condition without a sub condition fails both",
    conditions: [GITHUB_AUD],
    ckv358: "no condition limits token.actions.githubusercontent.com:sub",
    named: "no condition limits token.actions.githubusercontent.com:sub",
  },
  {
    title: "a StringNotLike on sub does not limit it and fails both",
    conditions: [claim(GITHUB, "sub", "repo:my-org/untrusted:*", "StringNotLike"), GITHUB_AUD],
    ckv358: "no condition limits token.actions.githubusercontent.com:sub",
    named: "no condition limits token.actions.githubusercontent.com:sub",
  },
  {
    title: 'a claim any repository can present ("environment:prod") fails both',
    conditions: [claim(GITHUB, "sub", "environment:prod"), GITHUB_AUD],
    ckv358: "sub environment:prod names a claim any repository can present",
    named: "sub environment:prod names a claim any repository can present",
  },
  {
    title: '"repo:my-org/*" passes CKV_AWS_358 but fails ECG_GITHUB_OIDC_TRUST',
    conditions: [claim(GITHUB, "sub", "repo:my-org/*"), GITHUB_AUD],
    named: "sub repo:my-org/* is a pattern, not named repositories",
  },
  {
    title: "a missing aud fails ECG_GITHUB_OIDC_TRUST only",
    conditions: [claim(GITHUB, "sub", GITHUB_SUB)],
    named: "no condition limits token.actions.githubusercontent.com:aud to sts.amazonaws.com",
  },
];

interface TfcCase {
  readonly title: string;
  readonly conditions: Claim[];
  /** ECG_TFC_OIDC_TRUST's finding; undefined when it passes. */
  readonly found?: string;
}

const TFC_CASES: readonly TfcCase[] = [
  {
    title: '"organization:ecg:project:Default Project:workspace:ecg-prod:run_phase:*" with aud aws.workload.identity passes',
    conditions: [claim(TFC, "sub", TFC_SUB), TFC_AUD],
  },
  {
    title: 'the old format without a project ("organization:ecg:workspace:ecg-prod:run_phase:apply") passes',
    conditions: [claim(TFC, "sub", "organization:ecg:workspace:ecg-prod:run_phase:apply", "StringEquals"), TFC_AUD],
  },
  {
    title: 'a sub without a workspace ("organization:ecg:*") fails',
    conditions: [claim(TFC, "sub", "organization:ecg:*"), TFC_AUD],
    found: "sub organization:ecg:* does not name an organization and a workspace",
  },
  {
    title: '"organization:*" fails',
    conditions: [claim(TFC, "sub", "organization:*"), TFC_AUD],
    found: "sub organization:* does not name an organization and a workspace",
  },
  {
    title: "a workspace pattern fails",
    conditions: [claim(TFC, "sub", "organization:ecg:project:Default Project:workspace:ecg-*:run_phase:*"), TFC_AUD],
    found: "does not name a workspace",
  },
  {
    title: "a wrong aud (sts.amazonaws.com) fails",
    conditions: [claim(TFC, "sub", TFC_SUB), claim(TFC, "aud", "sts.amazonaws.com")],
    found: "app.terraform.io:aud is not limited to aws.workload.identity",
  },
  {
    title: "a missing aud fails",
    conditions: [claim(TFC, "sub", TFC_SUB)],
    found: "app.terraform.io:aud is not limited to aws.workload.identity",
  },
  {
    title: "a missing sub condition fails",
    conditions: [TFC_AUD],
    found: "no condition limits app.terraform.io:sub",
  },
];

/** Each case in each trust form. */
const inEachForm = <T extends { title: string }>(cases: readonly T[]) =>
  TRUST_FORMS.flatMap((form) => cases.map((c) => ({ ...c, ...form, title: `${form.name}: ${c.title}` })));

// ---------------------------------------------------------------- tests

const titled = RULE_CASES.map((c) => ({
  ...c,
  name: [c.req, c.rule, RULES.find((r) => ruleKey(r) === c.rule)?.title].filter(Boolean).join(" "),
}));

/** The findings of `rule` on `build` are none (found undefined), or exactly one saying `found`. */
function expectOutcome(rule: Rule, findings: Finding[], found: string | undefined, address?: string): void {
  if (found === undefined) expect(findings).toEqual([]);
  else expectFinding(rule, findings, found, rule.severity, address);
}

describe("policy rules: databases, caches, buckets, IAM and platform services", () => {
  it.each(titled)("$name: a compliant fixture passes", ({ rule, pass }) => {
    expect(findingsIn(ruleFor(rule), pass)).toEqual([]);
  });

  it.each(titled)("$name: a breaking fixture fails", ({ rule, fail, found, severity }) => {
    const r = ruleFor(rule);
    expectFinding(r, findingsIn(r, fail), found, severity ?? "error");
  });

  it.each(MORE_CASES)("$rule: $title", ({ rule, build, found, address, production }) => {
    const r = ruleFor(rule);
    expectOutcome(r, findingsIn(r, build, production ?? true), found, address);
  });

  it.each(NOTE_CASES)("$rule departs from checkov on purpose (its note; checkov $checkov): $title", ({ rule, build, found, address }) => {
    const r = ruleFor(rule);
    expect(r.note).toBeDefined();
    expectOutcome(r, findingsIn(r, build), found, address);
  });

  it("[DR-2] reports a bucket without replication as a warning, not an error", () => {
    const findings = findingsIn(ruleFor("CKV_AWS_144"), bucketWith());
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([["CKV_AWS_144", "warning"]]);
  });

  describe("GitHub Actions OIDC trusts: CKV_AWS_358 and ECG_GITHUB_OIDC_TRUST", () => {
    const ckv358 = ruleFor("CKV_AWS_358");
    const named = ruleFor("ECG_GITHUB_OIDC_TRUST");

    it.each(inEachForm(GITHUB_CASES))("$title", ({ form, document, conditions, ckv358: found358, named: foundNamed }) => {
      const build = oidcTrust(form, GITHUB, conditions);
      // CKV_AWS_358 reports on the document a role references, and on the role when its trust is literal.
      expectOutcome(ckv358, findingsIn(ckv358, build), found358, document);
      expectOutcome(named, findingsIn(named, build), foundNamed, "aws_iam_role.role");
    });

    it.each(TRUST_FORMS)("$name: an aud other than sts.amazonaws.com fails ECG_GITHUB_OIDC_TRUST", ({ form }) => {
      const build = oidcTrust(form, GITHUB, [claim(GITHUB, "sub", GITHUB_SUB), claim(GITHUB, "aud", "my-audience")]);
      expectFinding(named, findingsIn(named, build), "aud my-audience is not sts.amazonaws.com", "error", "aws_iam_role.role");
    });

    it("a trust of another issuer (Terraform Cloud) is not theirs", () => {
      const build = oidcTrust("literal", TFC, [claim(TFC, "sub", "organization:*")]);
      expect(findingsIn(ckv358, build)).toEqual([]);
      expect(findingsIn(named, build)).toEqual([]);
    });

    it("a sub value that is an expression cannot be inspected", () => {
      const build = oidcTrust("document", GITHUB, [claim(GITHUB, "sub", "repo:${var.repository}:*"), GITHUB_AUD]);
      expectFinding(ckv358, findingsIn(ckv358, build), UNINSPECTABLE, "error", "data.aws_iam_policy_document.trust-doc");
      expectFinding(named, findingsIn(named, build), UNINSPECTABLE, "error", "aws_iam_role.role");
    });
  });

  describe("Terraform Cloud OIDC trusts: ECG_TFC_OIDC_TRUST", () => {
    const rule = ruleFor("ECG_TFC_OIDC_TRUST");

    it.each(inEachForm(TFC_CASES))("$title", ({ form, conditions, found }) => {
      expectOutcome(rule, findingsIn(rule, oidcTrust(form, TFC, conditions)), found, "aws_iam_role.role");
    });

    it("a GitHub trust is not its", () => {
      expect(findingsIn(rule, oidcTrust("literal", GITHUB, [claim(GITHUB, "sub", "repo:*")]))).toEqual([]);
    });
  });

  it.each([
    ["ECG_TFC_OIDC_TRUST", "https://app.terraform.io", TFC, "organization:ecg:*", "does not name an organization and a workspace"],
    ["ECG_GITHUB_OIDC_TRUST", "https://token.actions.githubusercontent.com", GITHUB, "repo:*", "allows every repository"],
  ])(
    "%s reads the issuer of a Federated principal that references an aws_iam_openid_connect_provider (its url)",
    (id, url, issuer, sub, found) => {
      const rule = ruleFor(id);
      const trust =
        (subject: string): Build =>
        (stack) => {
          const provider = new IamOpenidConnectProvider(stack, "oidc", { url, clientIdList: ["aws.workload.identity"] });
          const doc = new DataAwsIamPolicyDocument(stack, "trust-doc", {
            statement: [
              {
                effect: "Allow",
                actions: ["sts:AssumeRoleWithWebIdentity"],
                principals: [{ type: "Federated", identifiers: [provider.arn] }],
                condition: [
                  claim(issuer, "sub", subject),
                  claim(issuer, "aud", issuer === TFC ? "aws.workload.identity" : "sts.amazonaws.com"),
                ],
              },
            ],
          });
          new IamRole(stack, "role", { name: "ecg-deploy", assumeRolePolicy: doc.json });
        };
      expectFinding(rule, findingsIn(rule, trust(sub)), found, "error", "aws_iam_role.role");
      const specific =
        issuer === TFC
          ? "organization:ecg:project:Default Project:workspace:ecg-prod:run_phase:*"
          : "repo:my-org/my-repo:ref:refs/heads/main";
      expect(findingsIn(rule, trust(specific))).toEqual([]);
    },
  );

  it("the OIDC trust rules cannot read a trust whose provider url or condition key is an expression: not inspectable, never a silent pass", () => {
    const named = ruleFor("ECG_GITHUB_OIDC_TRUST");
    const unknownIssuer: Build = (stack) => {
      const provider = new IamOpenidConnectProvider(stack, "oidc", { url: "${var.issuer}", clientIdList: ["sts.amazonaws.com"] });
      const doc = new DataAwsIamPolicyDocument(stack, "trust-doc", {
        statement: [
          { effect: "Allow", actions: ["sts:AssumeRoleWithWebIdentity"], principals: [{ type: "Federated", identifiers: [provider.arn] }] },
        ],
      });
      new IamRole(stack, "role", { name: "ecg-deploy", assumeRolePolicy: doc.json });
    };
    expectFinding(
      named,
      findingsIn(named, unknownIssuer),
      "cannot be inspected: the issuer of aws_iam_openid_connect_provider.oidc",
      "error",
    );
    const computedKey = oidcTrust("document", GITHUB, [
      { test: "StringLike", variable: "${var.issuer_host}:sub", values: ["repo:*"] },
      GITHUB_AUD,
    ]);
    expectFinding(named, findingsIn(named, computedKey), "cannot be inspected: the condition key", "error");
  });

  it("ECG_GITHUB_OIDC_TRUST reads ? as a pattern too (StringLike), as it reads *", () => {
    const named = ruleFor("ECG_GITHUB_OIDC_TRUST");
    const build = oidcTrust("literal", GITHUB, [claim(GITHUB, "sub", "repo:my-org/my-rep?:ref:refs/heads/main"), GITHUB_AUD]);
    expectFinding(named, findingsIn(named, build), "is a pattern, not named repositories", "error", "aws_iam_role.role");
  });

  it("ECG_RDS_FORCE_SSL asks a replica without an engine nothing when its parameter group is not PostgreSQL's (a MySQL replica)", () => {
    const rule = ruleFor("ECG_RDS_FORCE_SSL");
    const mysqlReplica: Build = (stack) => {
      const group = new DbParameterGroup(stack, "params", {
        name: "ecg-mysql8",
        family: "mysql8.0",
        parameter: [{ name: "require_secure_transport", value: "1" }],
      });
      new DbInstance(stack, "replica", { ...REPLICA, parameterGroupName: group.name });
    };
    expect(findingsOf(rule, mysqlReplica)).toEqual([]);
    expectFinding(rule, findingsOf(rule, replica({}, "0")), "no parameter group with rds.force_ssl = 1");
  });

  it("ECG_RDS_INSIGHTS_CMK asks nothing of a class without Performance Insights (MySQL on db.t3.micro), as CKV_AWS_353 does", () => {
    const rule = ruleFor("ECG_RDS_INSIGHTS_CMK");
    const small = database({
      engine: "mysql",
      engineVersion: "8.0",
      instanceClass: "db.t3.micro",
      performanceInsightsEnabled: false,
      performanceInsightsKmsKeyId: undefined,
    });
    expect(findingsOf(rule, small)).toEqual([]);
    expectFinding(
      rule,
      findingsOf(rule, database({ performanceInsightsEnabled: false, performanceInsightsKmsKeyId: undefined })),
      "performance_insights_enabled is off",
    );
  });

  it("[DR-2] CKV_AWS_144 finds a replication configuration that names the bucket literally (hand-written Terraform)", () => {
    const rule = ruleFor("CKV_AWS_144");
    const replicated =
      (status: string): Build =>
      (stack) => {
        testBucket(stack);
        new S3BucketReplicationConfigurationA(stack, "replication", {
          bucket: "ecg-test-bucket",
          role: ROLE_ARN,
          rule: [{ id: "dr", status, filter: { prefix: "" }, destination: { bucket: "arn:aws:s3:::ecg-test-bucket-dr" } }],
        });
      };
    expect(findingsOf(rule, replicated("Enabled"))).toEqual([]);
    expectFinding(rule, findingsOf(rule, replicated("Disabled")), "every replication rule is Disabled", "warning");
  });

  it("covers every rule of databaseRules, cacheRules, storageRules, iamRules and platformRules with a passing and a failing fixture", () => {
    const covered = new Set(RULE_CASES.flatMap((c) => c.rule.split("/")));
    const expected = new Set(RULES.flatMap((r) => r.ids));
    expect([...covered].sort()).toEqual([...expected].sort());
    // One case per rule object, named exactly as its findings are.
    expect(RULE_CASES.map((c) => c.rule).sort()).toEqual(RULES.map(ruleKey).sort());
    expect(MORE_CASES.filter((c) => !RULES.some((r) => ruleKey(r) === c.rule))).toEqual([]);
    // One test of each deliberate departure from checkov.
    expect(NOTE_CASES.map((c) => c.rule).sort()).toEqual(
      RULES.filter((r) => r.note)
        .map(ruleKey)
        .sort(),
    );
  });
});
