import type { Construct } from "constructs";
import type { DeliverySettings, EnvironmentConfig } from "../../environments/types";
import { roleArn } from "../../modules/common/iam-arn";
import { ReleaseDigests } from "../../modules/container-registry/release-digests";
import { deliveryRoleNames, deploymentHooks, type TrafficShift } from "../../modules/delivery";
import {
  API_CONTAINER,
  PIPELINE_NAME,
  pipelineArtifactBucketName,
  platformStackName,
  SERVICE_IMAGES,
  serviceName,
} from "../support/contracts";

/**
 * What an environment's stack and the delivery pipeline's stack agree on to
 * release the Backend API (CI-3..5). They are separate Terraform states, so
 * they share names derived from the environment, never references.
 */
export interface ApiRelease {
  readonly stackName: string;
  /** CodeDeploy application and deployment group. */
  readonly deploymentName: string;
  readonly taskDefinitionFamily: string;
  readonly containerName: string;
  /** ECR repository of the API image (in the environment's registry). */
  readonly repositoryName: string;
  /** IAM roles the deployment registers task definitions with (iam:PassRole). */
  readonly taskRoleNames: readonly string[];
  readonly trafficShift: TrafficShift;
  readonly hooks: ReturnType<typeof deploymentHooks>;
  /** The API service's capacity provider (FARGATE or FARGATE_SPOT): the AppSpec repeats it. */
  readonly capacityProviderStrategy: readonly { readonly capacityProvider: string; readonly weight: number }[];
}

/** The pipeline stage that releases an environment (`Dev`, `Staging`, `Prod`). */
export const releaseStageName = (config: EnvironmentConfig) => config.name.charAt(0).toUpperCase() + config.name.slice(1);

/** The delivery pipeline's roles, in the pipeline's account, that an environment's resources name. */
export interface PipelineRoles {
  readonly pipeline: string;
  /** The stage's render project: reads the environment's task definition. */
  readonly render: string;
  /** The stage's promotion project: the only role that pushes to the environment's repositories. */
  readonly promote: string;
  /** The stage's record project: writes the environment's release parameters. */
  readonly record: string;
}

/** The pipeline's roles that release `config`, in `accountId` (ARNs in `partition`; a Terraform reference is fine). */
export function pipelineRoles(config: EnvironmentConfig, accountId: string, partition: string): PipelineRoles {
  const arn = (name: string) => roleArn(partition, accountId, name);
  const roles = deliveryRoleNames(PIPELINE_NAME);
  const stage = releaseStageName(config);
  return {
    pipeline: arn(roles.pipeline),
    render: arn(roles.render(stage)),
    promote: arn(roles.promote(stage)),
    record: arn(roles.record(stage)),
  };
}

/** Where a release writes the digests it promoted for `config` (ReleaseDigests), and in which regions: the standby's too. */
export function releaseDigestsOf(config: EnvironmentConfig): { readonly path: string; readonly regions: readonly string[] } {
  const standby = config.disasterRecovery.standby;
  return {
    path: `/${platformStackName(config)}/release`,
    regions: [config.account.region, ...(standby ? [config.disasterRecovery.failoverRegion] : [])],
  };
}

/**
 * What an environment in another account than the delivery pipeline and the
 * pipeline agree on (cross-account delivery): the environment's release role,
 * the pipeline's roles it trusts, and the artifact bucket it reads.
 */
export interface CrossAccountRelease {
  readonly environmentAccountId: string;
  readonly deliveryAccountId: string;
  readonly releaseRoleName: string;
  readonly releaseRoleArn: string;
  /** The pipeline's roles, of which the pipeline role and the stage's render and record roles act as the release role. */
  readonly pipelineRoles: PipelineRoles;
  /** The artifact store the deploy action reads from: the pipeline's own, or its store in the environment's region. */
  readonly artifactBucketName: string;
}

/** The cross-account release of `config`, or undefined when it is in the pipeline's account (or no account is declared). */
export function crossAccountRelease(
  config: EnvironmentConfig,
  pipeline: Pick<DeliverySettings, "account" | "region">,
  partition: string,
): CrossAccountRelease | undefined {
  const environmentAccountId = config.account.id;
  const delivery = pipeline.account;
  if (!delivery || !environmentAccountId || environmentAccountId === delivery.id) return undefined;
  const releaseRoleName = `${platformStackName(config)}-release`;
  return {
    environmentAccountId,
    deliveryAccountId: delivery.id,
    releaseRoleName,
    releaseRoleArn: roleArn(partition, environmentAccountId, releaseRoleName),
    pipelineRoles: pipelineRoles(config, delivery.id, partition),
    artifactBucketName: pipelineArtifactBucketName(delivery.id, config.account.region, pipeline.region),
  };
}

export function apiRelease(config: EnvironmentConfig): ApiRelease {
  const stackName = platformStackName(config);
  const service = serviceName(stackName, "api");
  const deploymentName = `${stackName}-api`;
  const { trafficShift: steps, bakeMinutes } = config.delivery;
  const trafficShift: TrafficShift = { steps, bakeMinutes };
  return {
    stackName,
    deploymentName,
    taskDefinitionFamily: service,
    containerName: API_CONTAINER,
    repositoryName: `${stackName}/${SERVICE_IMAGES.api}`,
    taskRoleNames: [`${service}-execution`, `${service}-task`],
    trafficShift,
    hooks: deploymentHooks(deploymentName, trafficShift),
    capacityProviderStrategy: [{ capacityProvider: config.compute.api.capacityProvider, weight: 1 }],
  };
}

/** The environment's release parameters in the stack's region (its primary's, or its standby's): one per service image. */
export const environmentReleaseDigests = (scope: Construct, config: EnvironmentConfig): ReleaseDigests =>
  new ReleaseDigests(scope, "release-digests", { path: releaseDigestsOf(config).path, images: Object.values(SERVICE_IMAGES) });
