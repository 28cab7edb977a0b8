import type { EnvironmentConfig } from "../../environments/types";
import { deploymentHooks, type TrafficShift } from "../../modules/delivery";
import { API_CONTAINER, platformStackName, SERVICE_IMAGES, serviceName } from "../support/contracts";

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
