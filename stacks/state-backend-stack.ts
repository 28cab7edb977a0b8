import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { S3StateConfig } from "../environments/types";
import { AwsAccountLookup } from "../modules/common/aws-account";
import { ComponentTags } from "../modules/common/component-tags";
import { bucketNameProblem } from "../modules/common/limits";
import { suppress } from "../modules/policy";
import { SecureBucket } from "../modules/secure-bucket";

export interface StateBackendStackProps {
  readonly state: S3StateConfig;
  /** Tags on every resource (ENV-4). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Days a superseded state version is kept, to roll back a bad apply.
   * @default 90
   */
  readonly noncurrentVersionRetentionDays?: number;
  /** Days the state bucket's access logs are kept. @default 365 */
  readonly accessLogRetentionDays?: number;
}

export const STATE_BACKEND_STACK = "ecg-state";

/**
 * Bootstrap (PLT-4): the bucket every environment keeps its state in, and the
 * bucket its access logs go to. Applied once per account, before any
 * environment, with local state (the bucket cannot hold the state of its own
 * creation): see the README.
 */
export class StateBackendStack extends TerraformStack {
  readonly stateBucket: SecureBucket;
  readonly accessLogBucket: SecureBucket;

  constructor(scope: Construct, id: string, props: StateBackendStackProps) {
    super(scope, id);
    const bucketProblem = bucketNameProblem(props.state.bucket);
    if (bucketProblem) throw new Error(`StateBackendStack "${id}": state.bucket: ${bucketProblem}`);
    new AwsProvider(this, "aws", { region: props.state.region, defaultTags: [{ tags: { ...props.tags } }] });
    // Relative to the stack's working directory (cdktf.out/stacks/<id>): the
    // state file lands in the project root, where `rm -rf cdktf.out` cannot
    // take it, and the synthesized JSON holds no machine-specific path.
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    const account = new AwsAccountLookup(this, "account");

    this.accessLogBucket = new SecureBucket(this, "access-log-bucket", {
      bucketName: `${props.state.bucket}-access-logs`.slice(0, 63),
      preventDestroy: true,
      expirationDays: props.accessLogRetentionDays ?? 365,
      logDelivery: { accountId: account.accountId, partition: account.partition, sourceBucketNames: [props.state.bucket] },
    });
    suppress(this.accessLogBucket.bucket, "CKV_AWS_18", "This is the access-log bucket; logging it into itself would log its own log writes without end.");

    this.stateBucket = new SecureBucket(this, "state-bucket", {
      bucketName: props.state.bucket,
      // Losing this bucket loses every environment's state.
      preventDestroy: true,
      noncurrentVersionExpirationDays: props.noncurrentVersionRetentionDays ?? 90,
      accessLogs: { target: this.accessLogBucket },
    });

    ComponentTags.apply(this, "state-backend");
    new TerraformOutput(this, "state_bucket", { value: this.stateBucket.bucket.bucket });
  }
}
