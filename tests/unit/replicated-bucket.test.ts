import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Testing } from "cdktf";
import { ReplicatedBucket, type ReplicatedBucketProps } from "../../modules/replicated-bucket";
import { SecureBucket } from "../../modules/secure-bucket";
import { bucketId, errorOf, ofBucket, only, resourcesOf, statementsOf, type SynthesizedStack, synthJson, TEST_ACCOUNT } from "../helpers";

/** Props without the replica provider and the log bucket, which have to be created inside the test scope. */
type Overrides = Partial<Omit<ReplicatedBucketProps, "replicaProvider" | "accessLogs">>;

const PREFIXES: ReplicatedBucketProps["prefixes"] = {
  "uploads/": {
    transitions: [
      { days: 30, storageClass: "STANDARD_IA" },
      { days: 90, storageClass: "GLACIER" },
    ],
  },
  "rendered/": { intelligentTiering: true },
  "models/": {},
  "tmp/": { expireAfterDays: 7, replicate: false },
};

const KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/videos";
const REPLICA_KEY = "arn:aws:kms:us-west-2:123456789012:key/videos-replica";

const synth = (overrides: Overrides = {}) =>
  synthJson(
    Testing.synthScope((scope) => {
      const west = new AwsProvider(scope, "west", { region: "us-west-2", alias: "west" });
      const logs = new SecureBucket(scope, "logs", { bucketName: "ecg-test-logs" });
      new ReplicatedBucket(scope, "videos", {
        bucketName: "ecg-test-videos",
        replicaBucketName: "ecg-test-videos-dr",
        replicaProvider: west,
        account: TEST_ACCOUNT,
        accessLogs: { target: logs },
        prefixes: PREFIXES,
        kmsKeyArn: KEY,
        replicaKmsKeyArn: REPLICA_KEY,
        ...overrides,
      });
    }),
  );

const BUCKET_SETTINGS = [
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_policy",
];

describe("ReplicatedBucket module", () => {
  const stack = synth();
  const primaryId = bucketId(stack, "ecg-test-videos");
  const replicaId = bucketId(stack, "ecg-test-videos-dr");
  const logsId = bucketId(stack, "ecg-test-logs");
  const primaryArn = `\${aws_s3_bucket.${primaryId}.arn}`;
  const replicaArn = `\${aws_s3_bucket.${replicaId}.arn}`;
  const [, replication] = only(stack, "aws_s3_bucket_replication_configuration");
  const lifecycleRules = (id: string, s: SynthesizedStack = stack) =>
    ofBucket(s, "aws_s3_bucket_lifecycle_configuration", id)[1].rule as any[];

  it("[S3-3] [#17] versions the primary bucket, encrypts it with SSE-KMS under the given key (S3 Bucket Key on), blocks public access and turns ACLs off", () => {
    expect(ofBucket(stack, "aws_s3_bucket_versioning", primaryId)[1].versioning_configuration).toEqual({ status: "Enabled" });
    expect(ofBucket(stack, "aws_s3_bucket_server_side_encryption_configuration", primaryId)[1].rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: KEY }, bucket_key_enabled: true },
    ]);
    expect(ofBucket(stack, "aws_s3_bucket_public_access_block", primaryId)[1]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(ofBucket(stack, "aws_s3_bucket_ownership_controls", primaryId)[1].rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
  });

  it("[S3-3] denies every request to the primary bucket without TLS or below TLS 1.2", () => {
    const [, policy] = ofBucket(stack, "aws_s3_bucket_policy", primaryId);
    const statements = statementsOf(stack, policy.policy);
    expect(statements.map((s) => s.sid)).toEqual(["DenyInsecureTransport", "DenyTlsBelow12"]);
    for (const statement of statements) {
      expect(statement).toMatchObject({ effect: "Deny", actions: ["s3:*"], resources: [primaryArn, `${primaryArn}/*`] });
    }
    expect(statements[0].condition).toEqual([{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }]);
    expect(statements[1].condition).toEqual([{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }]);
  });

  it("[S3-3] turns Transfer Acceleration on by default", () => {
    const [, acceleration] = only(stack, "aws_s3_bucket_accelerate_configuration");
    expect(acceleration).toMatchObject({ bucket: `\${aws_s3_bucket.${primaryId}.id}`, status: "Enabled" });
  });

  it("[S3-3] leaves Transfer Acceleration off when transferAcceleration is false", () => {
    expect(resourcesOf(synth({ transferAcceleration: false }), "aws_s3_bucket_accelerate_configuration")).toEqual([]);
  });

  it("writes the primary bucket's access logs to the target under logs/<bucket>/, after the target's policy exists", () => {
    const [, logging] = ofBucket(stack, "aws_s3_bucket_logging", primaryId);
    const [logsPolicyId] = ofBucket(stack, "aws_s3_bucket_policy", logsId);
    expect(logging).toMatchObject({ target_bucket: `\${aws_s3_bucket.${logsId}.id}`, target_prefix: "logs/ecg-test-videos/" });
    expect(logging.depends_on).toEqual([`aws_s3_bucket_policy.${logsPolicyId}`]);
  });

  it("[S3-2] [S3-5] adds one lifecycle rule per prefix that has something to do, after the bucket baseline", () => {
    const rules = lifecycleRules(primaryId);
    expect(rules.map((r) => r.id)).toEqual(["bucket-baseline", "prefix-uploads", "prefix-rendered", "prefix-tmp"]);
    for (const rule of rules.slice(1)) expect(rule.status).toBe("Enabled");
    expect(rules.slice(1).map((r) => r.filter)).toEqual([[{ prefix: "uploads/" }], [{ prefix: "rendered/" }], [{ prefix: "tmp/" }]]);
    // models/ has neither transitions, expiry nor tiering: no rule filters on it.
    expect(rules.some((r) => r.filter?.[0]?.prefix === "models/")).toBe(false);
  });

  it("[S3-2] [S3-5] moves a prefix through its transitions in the order given, without expiring it", () => {
    const uploads = lifecycleRules(primaryId).find((r) => r.id === "prefix-uploads");
    expect(uploads.transition).toEqual([
      { days: 30, storage_class: "STANDARD_IA" },
      { days: 90, storage_class: "GLACIER" },
    ]);
    expect(uploads.expiration).toBeUndefined();
    expect(uploads.noncurrent_version_expiration).toBeUndefined();
  });

  it("[S3-2] [S3-5] expires an expiring prefix and removes its old versions one day later", () => {
    const tmp = lifecycleRules(primaryId).find((r) => r.id === "prefix-tmp");
    expect(tmp.expiration).toEqual([{ days: 7 }]);
    expect(tmp.noncurrent_version_expiration).toEqual([{ noncurrent_days: 1 }]);
    expect(tmp.transition ?? []).toEqual([]);
  });

  it("[S3-2] [S3-5] moves an Intelligent-Tiering prefix to INTELLIGENT_TIERING at day 0 with its archive tiers at 90 and 180 days", () => {
    const rendered = lifecycleRules(primaryId).find((r) => r.id === "prefix-rendered");
    expect(rendered.transition).toEqual([{ days: 0, storage_class: "INTELLIGENT_TIERING" }]);
    expect(rendered.expiration).toBeUndefined();
    const [, tiering] = only(stack, "aws_s3_bucket_intelligent_tiering_configuration");
    expect(tiering).toMatchObject({ bucket: `\${aws_s3_bucket.${primaryId}.id}`, name: "rendered", filter: { prefix: "rendered/" } });
    expect(tiering.tiering).toEqual([
      { access_tier: "ARCHIVE_ACCESS", days: 90 },
      { access_tier: "DEEP_ARCHIVE_ACCESS", days: 180 },
    ]);
  });

  it("[S3-5] creates one Intelligent-Tiering configuration per Intelligent-Tiering prefix", () => {
    const two = synth({ prefixes: { "rendered/": { intelligentTiering: true }, "thumbs/": { intelligentTiering: true }, "uploads/": {} } });
    const configurations = resourcesOf(two, "aws_s3_bucket_intelligent_tiering_configuration").map(([, c]) => [c.name, c.filter.prefix]);
    expect(configurations.sort()).toEqual([
      ["rendered", "rendered/"],
      ["thumbs", "thumbs/"],
    ]);
  });

  it("[S3-6] [#17] creates the replica bucket through the replica provider, versioned, SSE-KMS under its region's key, private and TLS-only", () => {
    expect(stack.resource.aws_s3_bucket[replicaId].provider).toBe("aws.west");
    for (const type of BUCKET_SETTINGS) expect(ofBucket(stack, type, replicaId)[1].provider).toBe("aws.west");
    expect(ofBucket(stack, "aws_s3_bucket_versioning", replicaId)[1].versioning_configuration).toEqual({ status: "Enabled" });
    expect(ofBucket(stack, "aws_s3_bucket_server_side_encryption_configuration", replicaId)[1].rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: REPLICA_KEY }, bucket_key_enabled: true },
    ]);
    expect(ofBucket(stack, "aws_s3_bucket_public_access_block", replicaId)[1]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const [, policy] = ofBucket(stack, "aws_s3_bucket_policy", replicaId);
    expect(statementsOf(stack, policy.policy).map((s) => s.sid)).toEqual(["DenyInsecureTransport", "DenyTlsBelow12"]);
  });

  it("[S3-6] keeps the primary bucket on the stack's default provider", () => {
    expect(stack.resource.aws_s3_bucket[primaryId].provider).toBeUndefined();
    for (const type of BUCKET_SETTINGS) expect(ofBucket(stack, type, primaryId)[1].provider).toBeUndefined();
  });

  it("[S3-6] moves the whole replica to GLACIER_IR after 30 days by default, and after replicaGlacierAfterDays when set", () => {
    const rules = lifecycleRules(replicaId);
    expect(rules.map((r) => r.id)).toEqual(["bucket-baseline", "dr-copy-to-glacier-ir"]);
    expect(rules[1]).toMatchObject({ status: "Enabled", filter: [{}], transition: [{ days: 30, storage_class: "GLACIER_IR" }] });
    const custom = synth({ replicaGlacierAfterDays: 0 });
    const customRule = lifecycleRules(bucketId(custom, "ecg-test-videos-dr"), custom)[1];
    expect(customRule.transition).toEqual([{ days: 0, storage_class: "GLACIER_IR" }]);
  });

  it("[S3-6] replicates through a role that only S3 acting for this account and the source bucket may assume", () => {
    const [roleId, role] = only(stack, "aws_iam_role");
    expect(role.name).toBe("ecg-test-videos-replication");
    expect(replication.role).toBe(`\${aws_iam_role.${roleId}.arn}`);
    const trust = statementsOf(stack, role.assume_role_policy);
    expect(trust).toHaveLength(1);
    expect(trust[0].effect ?? "Allow").toBe("Allow");
    expect(trust[0].actions).toEqual(["sts:AssumeRole"]);
    expect(trust[0].principals).toEqual([{ type: "Service", identifiers: ["s3.amazonaws.com"] }]);
    expect(trust[0].condition).toEqual([
      { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
      { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:s3:::ecg-test-videos"] },
    ]);
  });

  it("[S3-6] keeps the replication role name within IAM's 64 characters for a long bucket name", () => {
    const longName = `ecg-${"v".repeat(59)}`;
    const [, role] = only(synth({ bucketName: longName }), "aws_iam_role");
    expect(role.name).toHaveLength(64);
    expect(role.name.startsWith(longName)).toBe(true);
  });

  it("[S3-6] lets the replication role read the source's versions and write the replica only", () => {
    const [roleId] = only(stack, "aws_iam_role");
    const [, rolePolicy] = only(stack, "aws_iam_role_policy");
    expect(rolePolicy.role).toBe(`\${aws_iam_role.${roleId}.id}`);
    const statements = statementsOf(stack, rolePolicy.policy);
    expect(statements).toEqual([
      { sid: "ReadReplicationConfiguration", actions: ["s3:GetReplicationConfiguration", "s3:ListBucket"], resources: [primaryArn] },
      {
        sid: "ReadSourceVersions",
        actions: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
        resources: [`${primaryArn}/*`],
      },
      { sid: "WriteReplica", actions: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], resources: [`${replicaArn}/*`] },
      {
        sid: "DecryptTheSource",
        actions: ["kms:Decrypt"],
        resources: [KEY],
        condition: [{ test: "StringLike", variable: "kms:EncryptionContext:aws:s3:arn", values: [primaryArn, `${primaryArn}/*`] }],
      },
      {
        sid: "EncryptTheReplica",
        actions: ["kms:Encrypt", "kms:GenerateDataKey"],
        resources: [REPLICA_KEY],
        condition: [{ test: "StringLike", variable: "kms:EncryptionContext:aws:s3:arn", values: [replicaArn, `${replicaArn}/*`] }],
      },
    ]);
    // Nothing writes the source and nothing reads the replica.
    for (const statement of statements.filter((s: any) => s.actions.every((a: string) => a.startsWith("s3:")))) {
      const touchesReplica = statement.resources.some((r: string) => r.startsWith(replicaArn));
      expect(statement.actions.every((a: string) => a.startsWith("s3:Replicate"))).toBe(touchesReplica);
    }
  });

  it("[S3-6] replicates every prefix except the replicate: false ones, one rule per prefix with unique priorities", () => {
    expect(replication.bucket).toBe(`\${aws_s3_bucket.${primaryId}.id}`);
    const rules: any[] = replication.rule;
    expect(rules.map((r) => r.filter)).toEqual([{ prefix: "uploads/" }, { prefix: "rendered/" }, { prefix: "models/" }]);
    expect(rules.map((r) => r.id)).toEqual(["replicate-uploads", "replicate-rendered", "replicate-models"]);
    const priorities = rules.map((r) => r.priority);
    expect(new Set(priorities).size).toBe(rules.length);
    expect(priorities.every((p) => Number.isInteger(p) && p >= 0)).toBe(true);
  });

  it("[S3-6] replicates delete markers to the replica under Replication Time Control (15 minutes) with 15-minute metrics", () => {
    for (const rule of replication.rule) {
      expect(rule.status).toBe("Enabled");
      expect(rule.delete_marker_replication).toEqual({ status: "Enabled" });
      // SSE-KMS objects replicate only when selected, re-encrypted under the replica's key.
      expect(rule.source_selection_criteria).toEqual({ sse_kms_encrypted_objects: { status: "Enabled" } });
      expect(rule.destination).toMatchObject({
        bucket: replicaArn,
        encryption_configuration: { replica_kms_key_id: REPLICA_KEY },
        replication_time: { status: "Enabled", time: { minutes: 15 } },
        metrics: { status: "Enabled", event_threshold: { minutes: 15 } },
      });
    }
  });

  it("[S3-6] starts replication only after both buckets are versioned", () => {
    const [primaryVersioningId] = ofBucket(stack, "aws_s3_bucket_versioning", primaryId);
    const [replicaVersioningId] = ofBucket(stack, "aws_s3_bucket_versioning", replicaId);
    expect([...replication.depends_on].sort()).toEqual(
      [`aws_s3_bucket_versioning.${primaryVersioningId}`, `aws_s3_bucket_versioning.${replicaVersioningId}`].sort(),
    );
  });

  // Multipart parts and completions carry no lock headers: the lock is set on CreateMultipartUpload.
  const PARTS_EXEMPT = {
    test: "StringNotEquals",
    variable: "s3:ObjectCreationOperation",
    values: ["UploadPart", "UploadPartCopy", "CompleteMultipartUpload"],
  };

  it("[#17] with objectLock: Object Lock on both buckets, and the primary refuses a write under the prefix without GOVERNANCE retention of the given days (a day of margin), multipart parts exempt", () => {
    const locked = synth({ objectLock: { prefix: "uploads/", minimumRetentionDays: 30 } });
    const buckets = resourcesOf(locked, "aws_s3_bucket").filter(([, b]) => b.bucket.startsWith("ecg-test-videos"));
    expect(buckets.map(([, b]) => [b.bucket, b.object_lock_enabled])).toEqual([
      ["ecg-test-videos", true],
      ["ecg-test-videos-dr", true],
    ]);
    expect(resourcesOf(stack, "aws_s3_bucket").every(([, b]) => b.object_lock_enabled === undefined)).toBe(true);
    const [primary] = buckets.find(([, b]) => b.bucket === "ecg-test-videos")!;
    const statements = statementsOf(locked, ofBucket(locked, "aws_s3_bucket_policy", primary)[1].policy);
    const deny = statements.filter((s) => s.sid.startsWith("DenyUploads"));
    expect(deny).toEqual([
      {
        sid: "DenyUploadsWithoutGovernanceRetention",
        effect: "Deny",
        principals: [{ type: "AWS", identifiers: ["*"] }],
        actions: ["s3:PutObject"],
        resources: [`\${aws_s3_bucket.${primary}.arn}/uploads/*`],
        condition: [{ test: "StringNotEquals", variable: "s3:object-lock-mode", values: ["GOVERNANCE"] }, PARTS_EXEMPT],
      },
      {
        sid: "DenyUploadsWithShortRetention",
        effect: "Deny",
        principals: [{ type: "AWS", identifiers: ["*"] }],
        actions: ["s3:PutObject"],
        resources: [`\${aws_s3_bucket.${primary}.arn}/uploads/*`],
        condition: [{ test: "NumericLessThan", variable: "s3:object-lock-remaining-retention-days", values: ["29"] }, PARTS_EXEMPT],
      },
    ]);
    // Replicating locked versions reads their retention and legal hold.
    const [, rolePolicy] = only(locked, "aws_iam_role_policy");
    expect(statementsOf(locked, rolePolicy.policy)[1].actions).toEqual(
      expect.arrayContaining(["s3:GetObjectRetention", "s3:GetObjectLegalHold"]),
    );
    expect(() => synth({ objectLock: { prefix: "other/", minimumRetentionDays: 30 } })).toThrow(
      'objectLock.prefix: "other/" is not one of prefixes',
    );
    expect(() => synth({ objectLock: { prefix: "uploads/", minimumRetentionDays: 0 } })).toThrow(
      "objectLock.minimumRetentionDays: 0 must be 2-36500",
    );
  });

  it("sets prevent_destroy on both buckets when asked, and on neither by default", () => {
    for (const id of [primaryId, replicaId]) expect(stack.resource.aws_s3_bucket[id].lifecycle?.prevent_destroy).toBeUndefined();
    const kept = synth({ preventDestroy: true });
    for (const name of ["ecg-test-videos", "ecg-test-videos-dr"]) {
      expect(kept.resource.aws_s3_bucket[bucketId(kept, name)].lifecycle).toEqual({ prevent_destroy: true });
    }
    // The caller's log bucket is not the module's to protect.
    expect(kept.resource.aws_s3_bucket[bucketId(kept, "ecg-test-logs")].lifecycle).toBeUndefined();
  });

  it("[ENV-4] tags its resources with Component=storage, and leaves the caller's log bucket alone", () => {
    for (const id of [primaryId, replicaId]) expect(stack.resource.aws_s3_bucket[id].tags).toEqual({ Component: "storage" });
    expect(only(stack, "aws_iam_role")[1].tags).toEqual({ Component: "storage" });
    expect(stack.resource.aws_s3_bucket[logsId].tags).toBeUndefined();
  });

  it("accepts the limits of its validation (STANDARD_IA at 30 days, expiry after 1 day, Glacier IR at day 0, transitions from day 0)", () => {
    expect(() =>
      synth({
        prefixes: {
          "uploads/": { transitions: [{ days: 0, storageClass: "GLACIER_IR" }] },
          "ia/": { transitions: [{ days: 30, storageClass: "STANDARD_IA" }] },
          "tmp/": { expireAfterDays: 1, replicate: false },
        },
        replicaGlacierAfterDays: 0,
      }),
    ).not.toThrow();
  });

  const DOTS = "must not contain dots (Transfer Acceleration and TLS virtual-host names refuse them)";
  it.each<[Overrides, string]>([
    [{ bucketName: "ecg.test.videos" }, `bucketName: "ecg.test.videos" ${DOTS}`],
    [{ replicaBucketName: "ecg.test.videos-dr" }, `replicaBucketName: "ecg.test.videos-dr" ${DOTS}`],
    [{ replicaBucketName: "ecg-test-videos" }, "replicaBucketName: must differ from bucketName"],
    [{ prefixes: {} }, "prefixes: list at least one prefix"],
    [{ prefixes: { "tmp/": { expireAfterDays: 1, replicate: false } } }, "prefixes: at least one prefix must be replicated (S3-6)"],
    [
      { prefixes: { "uploads/": { replicate: false }, "rendered/": { replicate: false } } },
      "prefixes: at least one prefix must be replicated (S3-6)",
    ],
    [{ prefixes: { "Uploads/": {} } }, 'prefixes: "Uploads/" must be lower-case and end with /'],
    [{ prefixes: { uploads: {} } }, 'prefixes: "uploads" must be lower-case and end with /'],
    [{ prefixes: { "/uploads/": {} } }, 'prefixes: "/uploads/" must be lower-case and end with /'],
    [{ prefixes: { "": {} } }, 'prefixes: "" must be lower-case and end with /'],
    [
      { prefixes: { "uploads/": {}, "tmp/": { expireAfterDays: 0, replicate: false } } },
      'prefixes["tmp/"].expireAfterDays: 0 must be a whole number of days >= 1',
    ],
    [
      { prefixes: { "uploads/": {}, "tmp/": { expireAfterDays: 1.5, replicate: false } } },
      'prefixes["tmp/"].expireAfterDays: 1.5 must be a whole number of days >= 1',
    ],
    [
      { prefixes: { "uploads/": {}, "tmp/": { expireAfterDays: 7 } } },
      'prefixes["tmp/"]: expiring scratch data should not be replicated (set replicate: false)',
    ],
    [
      {
        prefixes: {
          "uploads/": {
            transitions: [
              { days: 90, storageClass: "GLACIER" },
              { days: 30, storageClass: "STANDARD_IA" },
            ],
          },
        },
      },
      'prefixes["uploads/"].transitions: days 90, 30 must be whole numbers in increasing order',
    ],
    [
      {
        prefixes: {
          "uploads/": {
            transitions: [
              { days: 60, storageClass: "GLACIER_IR" },
              { days: 60, storageClass: "GLACIER" },
            ],
          },
        },
      },
      'prefixes["uploads/"].transitions: days 60, 60 must be whole numbers in increasing order',
    ],
    [
      { prefixes: { "uploads/": { transitions: [{ days: -1, storageClass: "GLACIER" }] } } },
      'prefixes["uploads/"].transitions: days -1 must be whole numbers in increasing order',
    ],
    [
      { prefixes: { "uploads/": { transitions: [{ days: 30.5, storageClass: "GLACIER" }] } } },
      'prefixes["uploads/"].transitions: days 30.5 must be whole numbers in increasing order',
    ],
    [
      { prefixes: { "uploads/": { transitions: [{ days: 29, storageClass: "STANDARD_IA" }] } } },
      'prefixes["uploads/"].transitions: STANDARD_IA after 29 days; S3 allows it from 30 days',
    ],
    [
      { prefixes: { "rendered/": { intelligentTiering: true, transitions: [{ days: 30, storageClass: "GLACIER" }] } } },
      'prefixes["rendered/"]: choose Intelligent-Tiering or transitions, not both',
    ],
    [{ replicaGlacierAfterDays: -1 }, "replicaGlacierAfterDays: -1 must be a whole number >= 0"],
    [{ replicaGlacierAfterDays: 1.5 }, "replicaGlacierAfterDays: 1.5 must be a whole number >= 0"],
  ])("refuses %j", (overrides, problem) => {
    const message = errorOf(() => synth(overrides));
    expect(message).toMatch(/^ReplicatedBucket "videos" is misconfigured:\n/);
    expect(message.split("\n")).toContain(`  - ${problem}`);
  });

  it("reports every problem of its props at once", () => {
    const message = errorOf(() =>
      synth({
        bucketName: "ecg.videos",
        replicaBucketName: "ecg.videos",
        prefixes: {
          "Tmp/": { expireAfterDays: 0 },
          "uploads/": { intelligentTiering: true, transitions: [{ days: 10, storageClass: "STANDARD_IA" }] },
        },
        replicaGlacierAfterDays: -1,
      }),
    );
    expect(message).toMatch(/^ReplicatedBucket "videos" is misconfigured:\n/);
    expect(message.split("\n").filter((line) => line.startsWith("  - "))).toEqual([
      `  - bucketName: "ecg.videos" ${DOTS}`,
      `  - replicaBucketName: "ecg.videos" ${DOTS}`,
      "  - replicaBucketName: must differ from bucketName",
      '  - prefixes: "Tmp/" must be lower-case and end with /',
      '  - prefixes["Tmp/"].expireAfterDays: 0 must be a whole number of days >= 1',
      '  - prefixes["uploads/"].transitions: STANDARD_IA after 10 days; S3 allows it from 30 days',
      '  - prefixes["uploads/"]: choose Intelligent-Tiering or transitions, not both',
      "  - replicaGlacierAfterDays: -1 must be a whole number >= 0",
    ]);
  });

  it("reports both an empty prefix list and the missing replicated prefix", () => {
    const message = errorOf(() => synth({ prefixes: {} }));
    expect(message.split("\n").slice(1)).toEqual([
      "  - prefixes: list at least one prefix",
      "  - prefixes: at least one prefix must be replicated (S3-6)",
    ]);
  });

  it("passes its bucket names on to SecureBucket, which refuses an invalid one", () => {
    expect(() => synth({ bucketName: "ECG_videos" })).toThrow(
      'SecureBucket "primary": bucketName: "ECG_videos" is not a valid S3 bucket name',
    );
    expect(() => synth({ replicaBucketName: "dr" })).toThrow('SecureBucket "replica": bucketName: "dr" is not a valid S3 bucket name');
  });
});
