import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type TerraformProvider, TerraformOutput } from "cdktf";
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
import { inPipelineRegion, PIPELINE_NAME, pipelineArtifactBucketName, SERVICE_IMAGES, SERVICE_PORTS } from "./support/contracts";
import { accountProviderSettings, regionalProvider } from "./support/providers";

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
 * account is released through the release role its stack creates there. An
 * environment of another region is deployed by a cross-region action, from an
 * artifact store (bucket, key and log bucket) the stack creates in that region.
 */
export class DeliveryStack extends IsolatedStack {
  readonly pipeline: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    super(scope, id);
    const { settings } = props;
    // Cross-account delivery: the pipeline's own account, reached through its role.
    const pinned = accountProviderSettings(this, settings.account ?? {});
    const defaultTags = [{ tags: { ...props.tags } }];
    new AwsProvider(this, "aws", { ...pinned, region: settings.region, defaultTags });
    configureBackend(this, id, props.backend, settings.backend);
    const account = new AwsAccountLookup(this, "account");
    const { accountId, partition } = account;

    /** An artifact bucket of `region` and the log bucket of its access logs there (the pipeline's region: the ids it always had). */
    const storage = (region: string, provider?: TerraformProvider) => {
      const named = (name: string) => inPipelineRegion(name, region, settings.region);
      const bucketName = pipelineArtifactBucketName(accountId, region, settings.region);
      const logs = new SecureBucket(this, named("logs-bucket"), {
        bucketName: named(`${id}-logs-${accountId}`),
        logDelivery: { accountId, partition, sourceBucketNames: [bucketName] },
        expirationDays: 365,
        noncurrentVersionExpirationDays: 7,
        // The release path of production: its audit trail stays.
        preventDestroy: true,
        provider,
      });
      suppress(logs.bucket, "CKV_AWS_18", "This is the pipeline's access-log bucket: logging its own access would log into itself.");
      ComponentTags.apply(logs, "delivery");
      return { region, bucketName, accessLogBucket: logs };
    };
    const own = storage(settings.region);
    // One store per other region an environment is in: its deploy action runs there.
    const elsewhere = [...new Set(props.environments.map((e) => e.account.region).filter((r) => r !== settings.region))];
    const regionalArtifactStores = elsewhere.map((region) => {
      const provider = regionalProvider(this, region, { ...pinned, defaultTags });
      return { ...storage(region, provider), provider };
    });

    const releases = props.environments.map((config) => {
      const release = apiRelease(config);
      const cross = crossAccountRelease(config, settings, partition);
      // An environment of another account pulls from its own registry there, of another region from its region's.
      const registry = cross ? { ...account, accountId: cross.environmentAccountId } : account;
      const region = config.account.region === settings.region ? undefined : config.account.region;
      const images = Object.values(SERVICE_IMAGES).map((image) => {
        const repository = repositoryRef(registry, `${release.stackName}/${image}`, region);
        return { name: image, repositoryUrl: repository.url, repositoryArn: repository.arn };
      });
      return { config, release, cross, images, region };
    });
    this.pipeline = new DeliveryPipeline(this, "pipeline", {
      name: PIPELINE_NAME,
      account,
      repository: settings.source,
      artifactBucketName: own.bucketName,
      accessLogBucket: own.accessLogBucket,
      regionalArtifactStores,
      // Each image built once into the pipeline's build repositories; every stage
      // promotes what passed the scan gate, by digest, into its environment's own.
      images: (Object.keys(SERVICE_IMAGES) as (keyof typeof SERVICE_IMAGES)[]).map((key) => ({
        name: SERVICE_IMAGES[key],
        context: settings.imageContexts[key],
      })),
      stages: releases.map(({ config, release, cross, images, region }) => ({
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
          region,
        },
        validations: config.delivery.validations,
      })),
      // The release roles of other accounts pass their own.
      passRoleArns: releases.flatMap(({ release, cross }) =>
        cross ? [] : release.taskRoleNames.map((role) => roleArn(partition, accountId, role)),
      ),
      preventDestroy: true,
    });

    new TerraformOutput(this, "pipeline_name", { value: this.pipeline.pipeline.name });
    // CI-1: complete this connection once in the console (Developer Tools → Connections).
    new TerraformOutput(this, "github_connection_arn", { value: this.pipeline.connection.arn });
  }
}
