import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { BackendKind, DeliverySettings, EnvironmentConfig } from "../environments/types";
import { AwsAccountLookup } from "../modules/common/aws-account";
import { roleArn } from "../modules/common/iam-arn";
import { repositoryRef } from "../modules/container-registry";
import { ComponentTags } from "../modules/common/component-tags";
import { DeliveryPipeline } from "../modules/delivery";
import { suppress } from "../modules/policy";
import { SecureBucket } from "../modules/secure-bucket";
import { configureBackend } from "./support/backend";
import { IsolatedStack } from "./isolated-stack";
import { apiRelease, crossAccountRelease, releaseDigestsOf, releaseStageName } from "./composites/release";
import { PIPELINE_NAME, pipelineArtifactBucketName, SERVICE_IMAGES, SERVICE_PORTS } from "./support/contracts";
import { accountProviderSettings } from "./support/providers";

export interface DeliveryStackProps {
  readonly settings: DeliverySettings;
  /** The environments, in release order (dev → staging → prod). */
  readonly environments: readonly EnvironmentConfig[];
  readonly backend: BackendKind;
  /** Tags on every resource (ENV-4). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The delivery pipeline (CI-1..5), one for all environments: a push to the
 * application's `main` builds and tests the service images once, gates them on
 * their scans, and releases them through the environments in order: each stage
 * (after its approval) promotes the gated digests into the environment's
 * repositories and release parameters (the GPU services run them on the
 * environment's next apply), then rolls the API by its CodeDeploy deployment
 * group (stacks/composites/release.ts
 * names what both sides agree on). It lives in its own stack and state: the
 * environments never depend on it, and it depends on them by name only. With
 * `settings.account`, it runs in that account, and an environment of another
 * account is released through the release role its stack creates there.
 */
export class DeliveryStack extends IsolatedStack {
  readonly pipeline: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    super(scope, id);
    const { settings } = props;
    // A release stage elsewhere would need cross-region actions: an artifact store, key and log bucket in each region.
    const elsewhere = props.environments.filter((e) => e.account.region !== settings.region);
    if (elsewhere.length) {
      throw new Error(
        elsewhere
          .map(
            (e) =>
              `environment "${e.name}": account.region: ${e.account.region} is not the delivery pipeline's region (${settings.region}); its release stage would need cross-region CodePipeline actions, which DeliveryStack "${id}" does not build`,
          )
          .join("\n"),
      );
    }
    // Cross-account delivery: the pipeline's own account, reached through its role.
    const pinned = accountProviderSettings(this, settings.account ?? {});
    new AwsProvider(this, "aws", { ...pinned, region: settings.region, defaultTags: [{ tags: { ...props.tags } }] });
    configureBackend(this, id, props.backend, settings.backend);
    const account = new AwsAccountLookup(this, "account");
    const { accountId, partition } = account;

    const artifactBucketName = pipelineArtifactBucketName(accountId);
    const logs = new SecureBucket(this, "logs-bucket", {
      bucketName: `${id}-logs-${accountId}`,
      logDelivery: { accountId, partition, sourceBucketNames: [artifactBucketName] },
      expirationDays: 365,
      noncurrentVersionExpirationDays: 7,
      // The release path of production: its audit trail stays.
      preventDestroy: true,
    });
    suppress(logs.bucket, "CKV_AWS_18", "This is the pipeline's access-log bucket: logging its own access would log into itself.");

    const releases = props.environments.map((config) => {
      const release = apiRelease(config);
      const cross = crossAccountRelease(config, settings.account, partition);
      // An environment of another account pulls from its own registry there.
      const registry = cross ? { ...account, accountId: cross.environmentAccountId } : account;
      const images = Object.values(SERVICE_IMAGES).map((image) => {
        const repository = repositoryRef(registry, `${release.stackName}/${image}`);
        return { name: image, repositoryUrl: repository.url, repositoryArn: repository.arn };
      });
      return { config, release, cross, images };
    });
    this.pipeline = new DeliveryPipeline(this, "pipeline", {
      name: PIPELINE_NAME,
      account,
      repository: settings.source,
      artifactBucketName,
      accessLogBucket: logs,
      // Each image built once into the pipeline's build repositories; every stage
      // promotes what passed the scan gate, by digest, into its environment's own.
      images: (Object.keys(SERVICE_IMAGES) as (keyof typeof SERVICE_IMAGES)[]).map((key) => ({
        name: SERVICE_IMAGES[key],
        context: settings.imageContexts[key],
      })),
      stages: releases.map(({ config, release, cross, images }) => ({
        name: releaseStageName(config),
        approval: config.delivery.approval,
        images,
        releaseDigests: releaseDigestsOf(config),
        deployment: {
          applicationName: release.deploymentName,
          deploymentGroupName: release.deploymentName,
          taskDefinitionFamily: release.taskDefinitionFamily,
          containerName: release.containerName,
          containerPort: SERVICE_PORTS.api,
          image: SERVICE_IMAGES.api,
          hooks: release.hooks,
          capacityProviderStrategy: release.capacityProviderStrategy,
          releaseRoleArn: cross?.releaseRoleArn,
        },
        validations: config.delivery.validations,
      })),
      // The release roles of other accounts pass their own.
      passRoleArns: releases.flatMap(({ release, cross }) =>
        cross ? [] : release.taskRoleNames.map((role) => roleArn(partition, accountId, role)),
      ),
      preventDestroy: true,
    });
    ComponentTags.apply(logs, "delivery");

    new TerraformOutput(this, "pipeline_name", { value: this.pipeline.pipeline.name });
    // CI-1: complete this connection once in the console (Developer Tools → Connections).
    new TerraformOutput(this, "github_connection_arn", { value: this.pipeline.connection.arn });
  }
}
