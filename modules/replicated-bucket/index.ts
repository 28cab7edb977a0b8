import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3BucketAccelerateConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-accelerate-configuration";
import { S3BucketIntelligentTieringConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-intelligent-tiering-configuration";
import type { S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketReplicationConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { withStandIns } from "../common/limits";
import { refuseProps } from "../common/props";
import { forObjectsOf } from "../common/s3-kms";
import { serviceTrustPolicy } from "../common/trust";
import { SecureBucket } from "../secure-bucket";

/** A storage-class step of a prefix's lifecycle. */
interface Transition {
  readonly days: number;
  readonly storageClass: "STANDARD_IA" | "INTELLIGENT_TIERING" | "GLACIER_IR" | "GLACIER" | "DEEP_ARCHIVE";
}

/** What happens to the objects under one prefix (S3-1, S3-2, S3-5). */
interface PrefixPolicy {
  /** Current objects expire (and their old versions go a day later). @default - never */
  readonly expireAfterDays?: number;
  /** @default [] */
  readonly transitions?: readonly Transition[];
  /**
   * Intelligent-Tiering from day 0 with its archive tiers (seed conflict 3:
   * what S3 lifecycle cannot do by age, Intelligent-Tiering does by access).
   * @default false
   */
  readonly intelligentTiering?: boolean;
  /** Copied to the replica (S3-6). @default true */
  readonly replicate?: boolean;
}

export interface ReplicatedBucketProps {
  readonly bucketName: string;
  /** In the replica's region; bucket names are global. */
  readonly replicaBucketName: string;
  /** Provider of the replica's region (S3-6: us-west-2). */
  readonly replicaProvider: TerraformProvider;
  readonly account: AwsAccount;
  /** Key prefixes and their lifecycle, e.g. `uploads/`. */
  readonly prefixes: Readonly<Record<string, PrefixPolicy>>;
  /** The log bucket that receives the bucket's access logs (CKV_AWS_18). */
  readonly accessLogs: { readonly target: SecureBucket };
  /** S3 Transfer Acceleration (S3-3). @default true */
  readonly transferAcceleration?: boolean;
  /** Days after which replicas move to Glacier Instant Retrieval: a DR copy is rarely read. @default 30 */
  readonly replicaGlacierAfterDays?: number;
  /** `prevent_destroy` on both buckets (production). @default false */
  readonly preventDestroy?: boolean;
  /** SSE-KMS of the primary (customer-managed key, S3 Bucket Key on). */
  readonly kmsKeyArn: string;
  /** SSE-KMS of the replica: a key of the replica's region (replication re-encrypts with it). */
  readonly replicaKmsKeyArn: string;
  /**
   * Objects under `prefix` are kept from deletion for at least
   * `minimumRetentionDays`: Object Lock on both buckets, and the primary
   * refuses a write there without GOVERNANCE retention of that length (a
   * guard against mass deletion with the writer's own credentials).
   * @default - no Object Lock
   */
  readonly objectLock?: { readonly prefix: string; readonly minimumRetentionDays: number };
}

/**
 * The card's "S3 with cross-region replication" (S3-1..3, S3-5, S3-6): a
 * SecureBucket (versioned, SSE-S3, public access blocked, ACLs off, TLS-only,
 * access-logged) with Transfer Acceleration and a lifecycle per prefix, and a
 * replica bucket in another region with its own lifecycle. Replication copies
 * the durable prefixes with their delete markers under Replication Time
 * Control (15 minutes, with metrics: the RPO of DR-1), through a role that may
 * read only this bucket and write only the replica. Replication starts after
 * both buckets are versioned (S3 refuses it before).
 */
export class ReplicatedBucket extends Construct {
  readonly primary: SecureBucket;
  readonly replica: SecureBucket;
  readonly replication: S3BucketReplicationConfigurationA;
  readonly bucketName: string;
  readonly bucketArn: string;

  constructor(scope: Construct, id: string, props: ReplicatedBucketProps) {
    super(scope, id);
    validate(id, props);
    const prefixes = Object.entries(props.prefixes);
    const rules: S3BucketLifecycleConfigurationRule[] = prefixes
      .filter(([, p]) => p.expireAfterDays || p.transitions?.length || p.intelligentTiering)
      .map(([prefix, p]) => ({
        id: `prefix-${ruleId(prefix)}`,
        status: "Enabled",
        filter: [{ prefix }],
        expiration: p.expireAfterDays ? [{ days: p.expireAfterDays }] : undefined,
        // Expired scratch data must not linger as old versions.
        noncurrentVersionExpiration: p.expireAfterDays ? [{ noncurrentDays: 1 }] : undefined,
        transition: [
          ...(p.intelligentTiering ? [{ days: 0, storageClass: "INTELLIGENT_TIERING" }] : []),
          ...(p.transitions ?? []).map((t) => ({ ...t })),
        ],
      }));
    this.primary = new SecureBucket(this, "primary", {
      bucketName: props.bucketName,
      kmsKeyArn: props.kmsKeyArn,
      objectLock: props.objectLock !== undefined,
      preventDestroy: props.preventDestroy,
      accessLogs: props.accessLogs,
      extraLifecycleRules: rules,
    });
    this.bucketName = props.bucketName;
    this.bucketArn = this.primary.bucket.arn;
    if (props.transferAcceleration ?? true) {
      new S3BucketAccelerateConfiguration(this, "acceleration", { bucket: this.primary.bucket.id, status: "Enabled" });
    }
    for (const [prefix] of prefixes.filter(([, p]) => p.intelligentTiering)) {
      new S3BucketIntelligentTieringConfiguration(this, `tiering-${ruleId(prefix)}`, {
        bucket: this.primary.bucket.id,
        name: ruleId(prefix),
        filter: { prefix },
        tiering: [
          { accessTier: "ARCHIVE_ACCESS", days: 90 },
          { accessTier: "DEEP_ARCHIVE_ACCESS", days: 180 },
        ],
      });
    }

    this.replica = new SecureBucket(this, "replica", {
      provider: props.replicaProvider,
      bucketName: props.replicaBucketName,
      kmsKeyArn: props.replicaKmsKeyArn,
      // Replicas of locked versions keep their retention: the replica must have Object Lock too.
      objectLock: props.objectLock !== undefined,
      preventDestroy: props.preventDestroy,
      extraLifecycleRules: [
        {
          id: "dr-copy-to-glacier-ir",
          status: "Enabled",
          filter: [{}],
          transition: [{ days: props.replicaGlacierAfterDays ?? 30, storageClass: "GLACIER_IR" }],
        },
      ],
    });

    const { account } = props;
    const trust = serviceTrustPolicy(
      this,
      "replication-trust",
      "s3.amazonaws.com",
      account,
      `arn:${account.partition}:s3:::${props.bucketName}`,
    );
    const role = new IamRole(this, "replication-role", {
      name: `${props.bucketName}-replication`.slice(0, 64),
      description: `S3 replication of ${props.bucketName} to ${props.replicaBucketName}`,
      assumeRolePolicy: trust.json,
    });
    const source = this.primary.bucket.arn;
    const target = this.replica.bucket.arn;
    const policy = new DataAwsIamPolicyDocument(this, "replication-policy-document", {
      statement: [
        { sid: "ReadReplicationConfiguration", actions: ["s3:GetReplicationConfiguration", "s3:ListBucket"], resources: [source] },
        {
          sid: "ReadSourceVersions",
          actions: [
            "s3:GetObjectVersionForReplication",
            "s3:GetObjectVersionAcl",
            "s3:GetObjectVersionTagging",
            ...(props.objectLock ? ["s3:GetObjectRetention", "s3:GetObjectLegalHold"] : []),
          ],
          resources: [`${source}/*`],
        },
        { sid: "WriteReplica", actions: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], resources: [`${target}/*`] },
        // S3 User Guide, "Replicating objects created with server-side encryption (SSE-KMS)".
        {
          sid: "DecryptTheSource",
          actions: ["kms:Decrypt"],
          resources: [props.kmsKeyArn],
          condition: [forObjectsOf([source])],
        },
        {
          sid: "EncryptTheReplica",
          actions: ["kms:Encrypt", "kms:GenerateDataKey"],
          resources: [props.replicaKmsKeyArn],
          condition: [forObjectsOf([target])],
        },
      ],
    });
    new IamRolePolicy(this, "replication-policy", { name: "replicate", role: role.id, policy: policy.json });

    const replicated = prefixes.filter(([, p]) => p.replicate ?? true);
    this.replication = new S3BucketReplicationConfigurationA(this, "replication", {
      bucket: this.primary.bucket.id,
      role: role.arn,
      rule: replicated.map(([prefix], i) => ({
        id: `replicate-${ruleId(prefix)}`,
        priority: i + 1,
        status: "Enabled",
        filter: { prefix },
        deleteMarkerReplication: { status: "Enabled" },
        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
        destination: {
          bucket: target,
          storageClass: "STANDARD",
          encryptionConfiguration: { replicaKmsKeyId: props.replicaKmsKeyArn },
          // RTC: 99.99% of objects within 15 minutes, with metrics to alarm on.
          replicationTime: { status: "Enabled", time: { minutes: 15 } },
          metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
        },
      })),
      dependsOn: [this.primary.versioning, this.replica.versioning],
    });
    if (props.objectLock) {
      const { prefix, minimumRetentionDays } = props.objectLock;
      const objects = [`${source}/${prefix}*`];
      const name = ruleId(prefix).replace(/(^|-)(.)/g, (_, __, c: string) => c.toUpperCase());
      // The lock is set on CreateMultipartUpload; the parts and the completion carry no lock headers
      // (S3 User Guide, "Enforce conditional writes": exempt them with s3:ObjectCreationOperation).
      const notAPart = {
        test: "StringNotEquals",
        variable: "s3:ObjectCreationOperation",
        values: ["UploadPart", "UploadPartCopy", "CompleteMultipartUpload"],
      };
      // S3 User Guide, "Object Lock" condition keys: s3:object-lock-mode, s3:object-lock-remaining-retention-days.
      const denyWrites = (why: string, condition: { test: string; variable: string; values: string[] }) =>
        this.primary.addToPolicy({
          sid: `Deny${name}${why}`,
          effect: "Deny",
          principals: [{ type: "AWS", identifiers: ["*"] }],
          actions: ["s3:PutObject"],
          resources: objects,
          condition: [condition, notAPart],
        });
      denyWrites("WithoutGovernanceRetention", { test: "StringNotEquals", variable: "s3:object-lock-mode", values: ["GOVERNANCE"] });
      // A day of margin: the days left are counted when S3 evaluates the request, after the writer computed them.
      denyWrites("WithShortRetention", {
        test: "NumericLessThan",
        variable: "s3:object-lock-remaining-retention-days",
        values: [String(minimumRetentionDays - 1)],
      });
    }
    ComponentTags.apply(this, "storage");
  }
}

const ruleId = (prefix: string) => prefix.replace(/\/+$/, "").replace(/[^A-Za-z0-9-]/g, "-") || "root";

function validate(id: string, props: ReplicatedBucketProps): void {
  const problems: string[] = [];
  // Transfer Acceleration refuses bucket names with dots.
  for (const [field, name] of [
    ["bucketName", props.bucketName],
    ["replicaBucketName", props.replicaBucketName],
  ] as const) {
    if (withStandIns(name ?? "").includes("."))
      problems.push(`${field}: "${name}" must not contain dots (Transfer Acceleration and TLS virtual-host names refuse them)`);
  }
  if (props.bucketName === props.replicaBucketName) problems.push("replicaBucketName: must differ from bucketName");
  const prefixes = Object.entries(props.prefixes ?? {});
  if (prefixes.length === 0) problems.push("prefixes: list at least one prefix");
  if (!prefixes.some(([, p]) => p.replicate ?? true)) problems.push("prefixes: at least one prefix must be replicated (S3-6)");
  const ids = prefixes.map(([prefix]) => ruleId(prefix));
  ids.forEach((ruleName, i) => {
    if (ids.indexOf(ruleName) !== i)
      problems.push(`prefixes: "${prefixes[i][0]}" and "${prefixes[ids.indexOf(ruleName)][0]}" make the same rule id "${ruleName}"`);
  });
  for (const [prefix, p] of prefixes) {
    if (!/^[a-z0-9][a-z0-9._-]*\/$/.test(prefix)) problems.push(`prefixes: "${prefix}" must be lower-case and end with /`);
    if (p.expireAfterDays !== undefined && !(Number.isInteger(p.expireAfterDays) && p.expireAfterDays >= 1))
      problems.push(`prefixes["${prefix}"].expireAfterDays: ${p.expireAfterDays} must be a whole number of days >= 1`);
    if (p.expireAfterDays && (p.replicate ?? true))
      problems.push(`prefixes["${prefix}"]: expiring scratch data should not be replicated (set replicate: false)`);
    const days = (p.transitions ?? []).map((t) => t.days);
    if (days.some((d, i) => !(Number.isInteger(d) && d >= 0) || (i > 0 && d <= days[i - 1])))
      problems.push(`prefixes["${prefix}"].transitions: days ${days.join(", ")} must be whole numbers in increasing order`);
    (p.transitions ?? []).forEach((t) => {
      // S3 lifecycle: Standard-IA no sooner than 30 days (seed conflict 3).
      if (t.storageClass === "STANDARD_IA" && t.days < 30)
        problems.push(`prefixes["${prefix}"].transitions: STANDARD_IA after ${t.days} days; S3 allows it from 30 days`);
    });
    if (p.intelligentTiering && p.transitions?.length)
      problems.push(`prefixes["${prefix}"]: choose Intelligent-Tiering or transitions, not both`);
  }
  if (props.objectLock) {
    const { prefix, minimumRetentionDays: days } = props.objectLock;
    if (!props.prefixes?.[prefix]) problems.push(`objectLock.prefix: "${prefix}" is not one of prefixes`);
    if (!(Number.isInteger(days) && days >= 2 && days <= 36500)) problems.push(`objectLock.minimumRetentionDays: ${days} must be 2-36500`);
  }
  const glacier = props.replicaGlacierAfterDays ?? 30;
  if (!(Number.isInteger(glacier) && glacier >= 0)) problems.push(`replicaGlacierAfterDays: ${glacier} must be a whole number >= 0`);
  refuseProps("ReplicatedBucket", id, problems);
}
