import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import type { S3StateConfig } from "../environments/types";
import { StateRole } from "../modules/access";
import { AwsAccountLookup } from "../modules/common/aws-account";
import { ComponentTags } from "../modules/common/component-tags";
import { roleArnParts } from "../modules/common/iam-arn";
import { bucketNameProblem } from "../modules/common/limits";
import { suppress } from "../modules/policy";
import { IsolatedStack } from "./isolated-stack";
import { stateKeyAlias, stateKeyPrefix } from "./support/backend";
import { auditBucketName } from "./support/contracts";
import { regionalProvider } from "./support/providers";
import { AuditArchive } from "../modules/account-baseline";
import { EncryptionKey } from "../modules/kms";
import { SecureBucket } from "../modules/secure-bucket";

export interface StateBackendStackProps {
  readonly state: S3StateConfig;
  /**
   * A second state bucket in another region, for the stacks that must work
   * while `state`'s region is down (the standby and global stacks, DR-3).
   * @default - none
   */
  readonly failoverState?: S3StateConfig;
  /** Tags on every resource (ENV-4). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Days a superseded state version is kept, to roll back a bad apply.
   * @default 90
   */
  readonly noncurrentVersionRetentionDays?: number;
  /** Days the state bucket's access logs are kept. @default 365 */
  readonly accessLogRetentionDays?: number;
  /**
   * The state account (ACC-2): the provider refuses any other.
   * @default - not pinned: the caller's account
   */
  readonly accountId?: string;
  /**
   * The environment accounts whose trails and Config recorders deliver to the
   * audit archive (an AuditArchive beside the state bucket).
   * @default - the state account's own (single-account layout)
   */
  readonly auditAccountIds?: readonly string[];
}

/** One environment's state roles and the stacks whose state they reach (ACC-2). */
export interface StateRoleGrant {
  readonly environment: string;
  readonly planRoleArn: string;
  readonly deployRoleArn: string;
  /** Who may assume each: the environment's plan roles, its deploy roles and the administrators. */
  readonly planners: readonly string[];
  readonly deployers: readonly string[];
  /** Stack names by the bucket their state is in (`state` or `failoverState`). */
  readonly stacks: { readonly state: readonly string[]; readonly failoverState: readonly string[] };
}

/** A state bucket, the key that encrypts it and the bucket its access logs go to, in one region. */
export interface StateBuckets {
  readonly stateBucket: SecureBucket;
  readonly stateKey: EncryptionKey;
  readonly accessLogBucket: SecureBucket;
}

/**
 * Bootstrap (PLT-4): the bucket every environment keeps its state in, and the
 * bucket its access logs go to; with `failoverState`, the same pair in the
 * failover region. Applied once (in the state account), before any environment, with
 * local state (the bucket cannot hold the state of its own creation): see
 * docs/operations.md.
 */
export class StateBackendStack extends IsolatedStack {
  /** Every environment account's CloudTrail logs and Config history. */
  readonly auditArchive: AuditArchive;
  readonly stateBucket: SecureBucket;
  readonly stateKey: EncryptionKey;
  readonly accessLogBucket: SecureBucket;
  /** With `failoverState` only. */
  readonly failover?: StateBuckets;

  constructor(scope: Construct, id: string, props: StateBackendStackProps) {
    super(scope, id);
    const targets = [
      { field: "state", config: props.state },
      ...(props.failoverState ? [{ field: "failoverState", config: props.failoverState }] : []),
    ];
    for (const { field, config } of targets) {
      const bucketProblem = bucketNameProblem(config.bucket);
      if (bucketProblem) throw new Error(`StateBackendStack "${id}": ${field}.bucket: ${bucketProblem}`);
    }
    if (props.failoverState && props.failoverState.region === props.state.region) {
      throw new Error(
        `StateBackendStack "${id}": failoverState.region: "${props.failoverState.region}" is the region of state; the failover bucket must survive an outage there`,
      );
    }
    const defaultTags = [{ tags: { ...props.tags } }];
    const pin = props.accountId ? { allowedAccountIds: [props.accountId] } : {};
    new AwsProvider(this, "aws", { region: props.state.region, defaultTags, ...pin });
    // Relative to the stack's working directory (cdktf.out/stacks/<id>): the
    // state file lands in the project root, where `rm -rf cdktf.out` cannot
    // take it, and the synthesized JSON holds no machine-specific path.
    new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    const account = new AwsAccountLookup(this, "account");

    const buckets = (scope: Construct, config: S3StateConfig, provider?: AwsProvider): StateBuckets => {
      // State holds every resource's attributes: a customer key lets only the state roles (through S3) decrypt it.
      const stateKey = new EncryptionKey(scope, "state-key", {
        alias: stateKeyAlias(config.bucket).slice("alias/".length),
        description: `Encrypts the Terraform state in ${config.bucket}`,
        account: { ...account, region: config.region },
        preventDestroy: true,
        provider,
      });
      const accessLogBucket = new SecureBucket(scope, "access-log-bucket", {
        provider,
        bucketName: `${config.bucket}-access-logs`.slice(0, 63),
        preventDestroy: true,
        expirationDays: props.accessLogRetentionDays ?? 365,
        logDelivery: {
          accountId: account.accountId,
          partition: account.partition,
          // The primary region's log bucket also logs the audit archive beside the state bucket.
          sourceBucketNames: provider ? [config.bucket] : [config.bucket, auditBucketName(config)],
        },
      });
      suppress(
        accessLogBucket.bucket,
        "CKV_AWS_18",
        "This is the access-log bucket; logging it into itself would log its own log writes without end.",
      );
      const stateBucket = new SecureBucket(scope, "state-bucket", {
        provider,
        bucketName: config.bucket,
        // Losing this bucket loses every environment's state.
        preventDestroy: true,
        noncurrentVersionExpirationDays: props.noncurrentVersionRetentionDays ?? 90,
        accessLogs: { target: accessLogBucket },
        kmsKeyArn: stateKey.keyArn,
      });
      return { stateBucket, stateKey, accessLogBucket };
    };
    ({ stateBucket: this.stateBucket, stateKey: this.stateKey, accessLogBucket: this.accessLogBucket } = buckets(this, props.state));
    this.auditArchive = new AuditArchive(this, "audit", {
      bucketName: auditBucketName(props.state),
      account,
      sourceAccountIds: props.auditAccountIds?.length ? props.auditAccountIds : [account.accountId],
      accessLogs: { target: this.accessLogBucket },
      preventDestroy: true,
    });
    new TerraformOutput(this, "audit_bucket", { value: this.auditArchive.bucket.bucket.bucket });
    new TerraformOutput(this, "state_bucket", { value: this.stateBucket.bucket.bucket });
    if (props.failoverState) {
      const region = props.failoverState.region;
      const provider = regionalProvider(this, region, { defaultTags, ...pin });
      this.failover = buckets(new Construct(this, "failover"), props.failoverState, provider);
      new TerraformOutput(this, "failover_state_bucket", { value: this.failover.stateBucket.bucket.bucket });
    }
    ComponentTags.apply(this, "state-backend");
  }

  /**
   * ACC-2: per environment, a plan role that reads its stacks' state and a
   * deploy role that reads and writes it, and the bucket policies' guard that
   * nobody else does: an environment's roles cannot touch another's keys.
   */
  admitStateRoles(grants: readonly StateRoleGrant[]): void {
    const buckets = {
      state: { bucket: this.stateBucket, key: this.stateKey },
      failoverState: this.failover && { bucket: this.failover.stateBucket, key: this.failover.stateKey },
    };
    new TerraformOutput(this, "state_role_arns", {
      value: Object.fromEntries(grants.map((g) => [g.environment, { plan: g.planRoleArn, deploy: g.deployRoleArn }])),
    });
    for (const grant of grants) {
      const keys = (["state", "failoverState"] as const).flatMap((field) => {
        const bucket = buckets[field];
        const prefixes = grant.stacks[field].map(stateKeyPrefix);
        if (prefixes.length && !bucket)
          throw new Error(
            `StateBackendStack "${this.node.id}": ${grant.environment}'s stacks keep state in failoverState, which this stack has not`,
          );
        return bucket && prefixes.length ? [{ bucket: bucket.bucket, kmsKeyArn: bucket.key.keyArn, prefixes }] : [];
      });
      const role = (purpose: "plan" | "deploy", arn: string, trustedRoles: readonly string[]) => {
        const { name, path } = roleArnParts(arn) ?? {};
        return new StateRole(this, `${grant.environment}-state-${purpose}`, {
          roleName: name ?? arn,
          path,
          description: `${purpose === "plan" ? "Reads" : "Reads and writes"} the state of ${grant.environment}'s stacks`,
          trustedRoles,
          keys,
          access: purpose === "plan" ? "read" : "write",
        });
      };
      role("plan", grant.planRoleArn, grant.planners);
      role("deploy", grant.deployRoleArn, grant.deployers);
      const title = grant.environment.replace(/^./, (c) => c.toUpperCase());
      for (const { bucket, prefixes } of keys) {
        const resources = prefixes.map((prefix) => `${bucket.bucket.arn}/${prefix}*`);
        const othersDenied = (sid: string, actions: string[], allowed: string[]) =>
          bucket.addToPolicy({
            sid,
            effect: "Deny",
            principals: [{ type: "AWS", identifiers: ["*"] }],
            actions,
            resources,
            condition: [{ test: "ArnNotEquals", variable: "aws:PrincipalArn", values: allowed }],
          });
        // The buckets are versioned: an old version is read, and deleted for good, by the *Version actions.
        othersDenied(`StateOf${title}ReadByItsRolesOnly`, ["s3:GetObject*"], [grant.planRoleArn, grant.deployRoleArn]);
        othersDenied(
          `StateOf${title}WrittenByItsDeployRoleOnly`,
          ["s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject"],
          [grant.deployRoleArn],
        );
      }
    }
  }
}
