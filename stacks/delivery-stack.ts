import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { BackendKind, DeliverySettings, EnvironmentConfig } from "../environments/types";
import { AwsAccountLookup } from "../modules/common/aws-account";
import { repositoryRef } from "../modules/container-registry";
import { ComponentTags } from "../modules/common/component-tags";
import { DeliveryPipeline } from "../modules/delivery";
import { suppress } from "../modules/policy";
import { SecureBucket } from "../modules/secure-bucket";
import { configureBackend } from "./support/backend";
import { IsolatedStack } from "./isolated-stack";
import { apiRelease } from "./composites/release";
import { SERVICE_PORTS } from "./support/contracts";

export interface DeliveryStackProps {
  readonly settings: DeliverySettings;
  /** The environments, in release order (dev → staging → prod). */
  readonly environments: readonly EnvironmentConfig[];
  readonly backend: BackendKind;
  /** Tags on every resource (ENV-4). */
  readonly tags: Readonly<Record<string, string>>;
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The delivery pipeline (CI-1..5), one for all environments: a push to the
 * application's `main` builds and tests the API image once, pushes it to each
 * environment's repository and releases it through the environments in order,
 * each by that environment's CodeDeploy deployment group (stacks/composites/release.ts
 * names what both sides agree on). It lives in its own stack and state: the
 * environments never depend on it, and it depends on them by name only.
 */
export class DeliveryStack extends IsolatedStack {
  readonly pipeline: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    super(scope, id);
    const { settings } = props;
    const elsewhere = props.environments.filter((e) => e.account.region !== settings.region).map((e) => `${e.name} (${e.account.region})`);
    if (elsewhere.length) {
      throw new Error(
        `DeliveryStack "${id}": region: the pipeline's CodeDeploy actions act in ${settings.region}; environments elsewhere are not supported: ${elsewhere.join(", ")}`,
      );
    }
    new AwsProvider(this, "aws", { region: settings.region, defaultTags: [{ tags: { ...props.tags } }] });
    configureBackend(this, id, props.backend, settings.backend);
    const account = new AwsAccountLookup(this, "account");
    const { accountId, partition } = account;

    const logs = new SecureBucket(this, "logs-bucket", {
      bucketName: `${id}-logs-${accountId}`,
      logDelivery: { accountId, partition, sourceBucketNames: [`${id}-artifacts-${accountId}`] },
      expirationDays: 365,
      noncurrentVersionExpirationDays: 7,
      // The release path of production: its audit trail stays.
      preventDestroy: true,
    });
    suppress(logs.bucket, "CKV_AWS_18", "This is the pipeline's access-log bucket: logging its own access would log into itself.");

    const releases = props.environments.map((config) => {
      const release = apiRelease(config);
      const repository = repositoryRef(account, release.repositoryName);
      return { config, release, repositoryUrl: repository.url, repositoryArn: repository.arn };
    });
    this.pipeline = new DeliveryPipeline(this, "pipeline", {
      name: "ecg-release",
      account,
      repository: settings.source,
      artifactBucketName: `${id}-artifacts-${accountId}`,
      accessLogBucket: logs,
      // One image, pushed to every environment's registry with the commit tag: each
      // environment pulls from its own repository (images key, scan on push).
      images: releases.map(({ config, repositoryUrl, repositoryArn }) => ({
        name: `backend-api-${config.name}`,
        repositoryUrl,
        repositoryArn,
        context: settings.apiImageContext,
      })),
      stages: releases.map(({ config, release, repositoryUrl }) => ({
        name: capitalized(config.name),
        approval: config.delivery.approval,
        deployment: {
          applicationName: release.deploymentName,
          deploymentGroupName: release.deploymentName,
          taskDefinitionFamily: release.taskDefinitionFamily,
          containerName: release.containerName,
          containerPort: SERVICE_PORTS.api,
          imageRepositoryUrl: repositoryUrl,
          hooks: release.hooks,
          capacityProviderStrategy: release.capacityProviderStrategy,
        },
        validations: config.delivery.validations,
      })),
      passRoleArns: releases.flatMap(({ release }) =>
        release.taskRoleNames.map((role) => `arn:${partition}:iam::${accountId}:role/${role}`),
      ),
      preventDestroy: true,
    });
    ComponentTags.apply(logs, "delivery");

    new TerraformOutput(this, "pipeline_name", { value: this.pipeline.pipeline.name });
    // CI-1: complete this connection once in the console (Developer Tools → Connections).
    new TerraformOutput(this, "github_connection_arn", { value: this.pipeline.connection.arn });
  }
}
