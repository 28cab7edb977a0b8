import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { S3StateConfig } from "../environments/types";
import { ComponentTags } from "../modules/common/component-tags";
import { bucketNameProblem } from "../modules/common/limits";

export interface StateBackendStackProps {
  readonly state: S3StateConfig;
  /** Tags on every resource (ENV-4). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Days a superseded state version is kept, to roll back a bad apply.
   * @default 90
   */
  readonly noncurrentVersionRetentionDays?: number;
}

export const STATE_BACKEND_STACK = "ecg-state";

/**
 * Bootstrap (PLT-4): the bucket every environment keeps its state in. Applied
 * once per account, before any environment, with local state (the bucket
 * cannot hold the state of its own creation): see the README.
 */
export class StateBackendStack extends TerraformStack {
  readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: StateBackendStackProps) {
    super(scope, id);
    const bucketProblem = bucketNameProblem(props.state.bucket);
    if (bucketProblem) throw new Error(`StateBackendStack "${id}": state.bucket: ${bucketProblem}`);
    const retention = props.noncurrentVersionRetentionDays ?? 90;
    if (!Number.isInteger(retention) || retention < 1) {
      throw new Error(`StateBackendStack "${id}": noncurrentVersionRetentionDays: ${retention} must be a whole number of days >= 1`);
    }
    new AwsProvider(this, "aws", { region: props.state.region, defaultTags: [{ tags: { ...props.tags } }] });
    // Relative to the stack's working directory (cdktf.out/stacks/<id>): the
    // state file lands in the project root, where `rm -rf cdktf.out` cannot
    // take it, and the synthesized JSON holds no machine-specific path.
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });

    this.bucket = new S3Bucket(this, "state-bucket", {
      bucket: props.state.bucket,
      // Losing this bucket loses every environment's state.
      lifecycle: { preventDestroy: true },
    });
    const bucket = this.bucket.id;
    new S3BucketVersioningA(this, "versioning", { bucket, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket,
      rule: [
        {
          id: "expire-old-state-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: retention }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, "tls-only", {
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
        {
          sid: "DenyTlsBelow12",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: "NumericLessThan", variable: "s3:TlsVersion", values: ["1.2"] }],
        },
      ],
    });
    new S3BucketPolicy(this, "policy", { bucket, policy: tlsOnly.json });

    ComponentTags.apply(this, "state-backend");
    new TerraformOutput(this, "state_bucket", { value: this.bucket.bucket });
  }
}
