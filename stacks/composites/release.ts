import type { DeliveryAccountConfig, EnvironmentConfig } from "../../environments/types";
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

/**
 * What an environment in another account than the delivery pipeline and the
 * pipeline agree on (cross-account delivery): the environment's release role,
 * the pipeline's roles it trusts, the build role its registry admits, and the
 * artifact bucket it reads. ARNs in `partition` (a Terraform reference is fine).
 */
export interface CrossAccountRelease {
  readonly environmentAccountId: string;
  readonly deliveryAccountId: string;
  readonly releaseRoleName: string;
  readonly releaseRoleArn: string;
  /** The pipeline's role and the stage's render project's role: they act as the release role. */
  readonly pipelineRoleArns: readonly string[];
  /** The pipeline's build project's role: it pushes the images. */
  readonly buildRoleArn: string;
  readonly artifactBucketName: string;
}

/** The cross-account release of `config`, or undefined when it is in the pipeline's account (or no account is declared). */
export function crossAccountRelease(
  config: EnvironmentConfig,
  delivery: DeliveryAccountConfig | undefined,
  partition: string,
): CrossAccountRelease | undefined {
  const environmentAccountId = config.account.id;
  if (!delivery || !environmentAccountId || environmentAccountId === delivery.id) return undefined;
  const role = (account: string, name: string) => `arn:${partition}:iam::${account}:role/${name}`;
  const roles = deliveryRoleNames(PIPELINE_NAME);
  const releaseRoleName = `${platformStackName(config)}-release`;
  return {
    environmentAccountId,
    deliveryAccountId: delivery.id,
    releaseRoleName,
    releaseRoleArn: role(environmentAccountId, releaseRoleName),
    pipelineRoleArns: [role(delivery.id, roles.pipeline), role(delivery.id, roles.render(releaseStageName(config)))],
    buildRoleArn: role(delivery.id, roles.build),
    artifactBucketName: pipelineArtifactBucketName(delivery.id),
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
