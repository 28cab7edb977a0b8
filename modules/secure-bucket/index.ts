import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { bucketNameProblem } from "../common/limits";

export interface SecureBucketProps {
  readonly bucketName: string;
  /** Terraform refuses to destroy the bucket. @default false */
  readonly preventDestroy?: boolean;
  /** Destroying the bucket deletes its objects (disposable log buckets of non-production environments). @default false */
  readonly forceDestroy?: boolean;
  /** Days a superseded object version is kept. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days after which current objects expire (log buckets). @default - never */
  readonly expirationDays?: number;
  /** The log bucket that receives this bucket's access logs, under `logs/<bucket>/`. @default - no access logging */
  readonly accessLogs?: { readonly target: SecureBucket };
  /**
   * This bucket receives S3 server access logs from these source buckets of
   * this account: the logging service may write each one's logs under
   * `logs/<source bucket>/` only (where SecureBucket's `accessLogs` puts them).
   * @default - not a log bucket
   */
  readonly logDelivery?: { readonly accountId: string; readonly partition: string; readonly sourceBucketNames: string[] };
  /** Lifecycle rules in addition to the bucket-wide one. @default [] */
  readonly extraLifecycleRules?: S3BucketLifecycleConfigurationRule[];
  /** Provider of another region (a replica bucket). @default - the stack's default provider */
  readonly provider?: TerraformProvider;
  /**
   * `BucketOwnerPreferred` only for a target that a service writes to through
   * ACLs (CloudFront standard logs need them); everything else keeps ACLs off.
   * @default "BucketOwnerEnforced"
   */
  readonly objectOwnership?: "BucketOwnerEnforced" | "BucketOwnerPreferred";
  /**
   * SSE-KMS with this customer-managed key, and an S3 Bucket Key (S3 asks
   * KMS once per bucket key, not once per object: fewer KMS requests, less
   * cost). Not for a server-access-log target: log delivery writes SSE-S3 only.
   * @default - SSE-S3 (AES-256)
   */
  readonly kmsKeyArn?: string;
  /**
   * S3 Object Lock on the bucket (only at creation): versions written with a
   * retention cannot be deleted or overwritten before it ends. No default
   * retention here: the writer (or a bucket policy) asks for it per object.
   * @default false
   */
  readonly objectLock?: boolean;
}

/**
 * An S3 bucket with the project's baseline, secure by default: versioning,
 * SSE-S3 (AES-256; S3-3, and the only encryption a server-access-log target
 * supports) or SSE-KMS with a customer key, all public access blocked, ACLs off (owner enforced), a
 * lifecycle that expires old versions and aborts stale multipart uploads, and
 * a policy that denies anything but TLS 1.2+.
 */
export class SecureBucket extends Construct {
  /** Key prefix of a source bucket's access logs in its log bucket. */
  static logPrefix(sourceBucketName: string): string {
    return `logs/${sourceBucketName}/`;
  }

  readonly bucket: S3Bucket;
  readonly versioning: S3BucketVersioningA;
  readonly ownership: S3BucketOwnershipControls;
  readonly policy: S3BucketPolicy;
  readonly lifecycle: S3BucketLifecycleConfiguration;
  private readonly policyDocument: DataAwsIamPolicyDocument;
  private readonly statements: DataAwsIamPolicyDocumentStatement[];

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    if (props.forceDestroy && props.preventDestroy)
      throw new Error(`SecureBucket "${id}": forceDestroy and preventDestroy contradict each other`);
    if (props.kmsKeyArn && props.logDelivery)
      throw new Error(`SecureBucket "${id}": kmsKeyArn: a server-access-log target must use SSE-S3 (S3 log delivery cannot use a KMS key)`);
    const problem = bucketNameProblem(props.bucketName);
    if (problem) throw new Error(`SecureBucket "${id}": bucketName: ${problem}`);
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? 90;
    for (const [field, days] of [
      ["noncurrentVersionExpirationDays", noncurrentDays],
      ["expirationDays", props.expirationDays],
    ] as const) {
      if (days !== undefined && (!Number.isInteger(days) || days < 1)) {
        throw new Error(`SecureBucket "${id}": ${field}: ${days} must be a whole number of days >= 1`);
      }
    }

    this.bucket = new S3Bucket(this, "bucket", {
      provider: props.provider,
      bucket: props.bucketName,
      forceDestroy: props.forceDestroy,
      objectLockEnabled: props.objectLock || undefined,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    const bucket = this.bucket.id;
    this.versioning = new S3BucketVersioningA(this, "versioning", {
      provider: props.provider,
      bucket,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      provider: props.provider,
      bucket,
      rule: [
        props.kmsKeyArn
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      provider: props.provider,
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    this.ownership = new S3BucketOwnershipControls(this, "ownership", {
      provider: props.provider,
      bucket,
      rule: { objectOwnership: props.objectOwnership ?? "BucketOwnerEnforced" },
    });
    this.lifecycle = new S3BucketLifecycleConfiguration(this, "lifecycle", {
      provider: props.provider,
      bucket,
      rule: [
        {
          id: "bucket-baseline",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
          expiration: props.expirationDays ? [{ days: props.expirationDays }] : undefined,
        },
        ...(props.extraLifecycleRules ?? []),
      ],
      // A lifecycle on an unversioned bucket is rejected for noncurrent rules.
      dependsOn: [this.versioning],
    });
    if (props.accessLogs) {
      const { target } = props.accessLogs;
      new S3BucketLoggingA(this, "access-logs", {
        provider: props.provider,
        bucket,
        targetBucket: target.bucket.id,
        targetPrefix: SecureBucket.logPrefix(props.bucketName),
        // S3 checks at PutBucketLogging that the target grants the logging
        // service write access: the target's policy must exist first.
        dependsOn: [target.policy],
      });
    }

    // {"AWS": "*"} is IAM's documented equivalent of "*" in a resource policy;
    // this spelling also keeps moto's PutBucketLogging from crashing on a
    // string Principal (moto 5.2.1 calls .get() on it: HTTP 500).
    const everyone = [{ type: "AWS", identifiers: ["*"] }];
    const objects = [this.bucket.arn, `${this.bucket.arn}/*`];
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        principals: everyone,
        actions: ["s3:*"],
        resources: objects,
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
      {
        sid: "DenyTlsBelow12",
        effect: "Deny",
        principals: everyone,
        actions: ["s3:*"],
        resources: objects,
        condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
      },
    ];
    if (props.logDelivery) {
      // With ACLs off, server access logs are delivered under a bucket-policy grant: each source bucket into its own prefix only.
      const { accountId, partition, sourceBucketNames } = props.logDelivery;
      for (const [i, source] of sourceBucketNames.entries()) {
        statements.push({
          sid: `S3ServerAccessLogDelivery${i === 0 ? "" : i + 1}`,
          principals: [{ type: "Service", identifiers: ["logging.s3.amazonaws.com"] }],
          actions: ["s3:PutObject"],
          resources: [`${this.bucket.arn}/${SecureBucket.logPrefix(source)}*`],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] },
            { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:s3:::${source}`] },
          ],
        });
      }
    }
    this.statements = statements;
    this.policyDocument = new DataAwsIamPolicyDocument(this, "policy-document", { statement: statements });
    this.policy = new S3BucketPolicy(this, "policy", { provider: props.provider, bucket, policy: this.policyDocument.json });
  }

  /** Adds a grant to the bucket policy (e.g. a log-delivery service writing under its prefix). */
  addToPolicy(statement: DataAwsIamPolicyDocumentStatement): void {
    if (!statement.sid || this.statements.some((s) => s.sid === statement.sid)) {
      throw new Error(`SecureBucket "${this.node.id}": addToPolicy: every statement needs a unique sid (got "${statement.sid ?? ""}")`);
    }
    this.statements.push(statement);
    this.policyDocument.putStatement(this.statements);
  }
}
