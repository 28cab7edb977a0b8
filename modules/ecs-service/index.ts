import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";
import type { TaskRoles } from "./roles";
import { defineTask, type TaskProps, taskProblems } from "./task";

export { type ContainerSpec, INIT_CONTAINER, type TracingSidecar, XRAY_CONTAINER, XRAY_DAEMON_ADDRESS } from "./containers";
export type { PolicyStatement } from "./roles";
export { FargateTask } from "./task";

/** Replica tasks on Fargate, optionally auto scaled on CPU. */
interface FargateScheduling {
  readonly kind: "fargate";
  /** @default "FARGATE" */
  readonly capacityProvider?: "FARGATE" | "FARGATE_SPOT";
  /** Tasks to run; the floor when auto scaling is on. */
  readonly desiredCount: number;
  /** Target tracking on the service's average CPU (CMP-2). @default - a fixed count */
  readonly autoScaling?: { readonly maxCount: number; readonly targetCpuPercent: number };
}

/**
 * One task on every container instance that matches the placement constraint:
 * the host fleet's own scalers decide how many hosts, and so how many tasks.
 */
interface DaemonScheduling {
  readonly kind: "ec2-daemon";
  /** Selects the fleet's hosts, e.g. `{ type: "memberOf", expression: "attribute:ecg.fleet == ecg-prod-render" }`. */
  readonly placementConstraint: { readonly type: string; readonly expression: string };
}

export interface ContainerServiceProps extends TaskProps {
  /**
   * The ECS cluster (its name builds the scaling target's resource id), and
   * its capacity-provider association, which a Fargate service's strategy
   * needs to exist first.
   */
  readonly cluster: { readonly name: string; readonly arn: string; readonly capacityProviders?: ITerraformDependable };
  /** Task subnets (private tiers, one per AZ). */
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly scheduling: FargateScheduling | DaemonScheduling;
  /**
   * Registers the main container with an ALB target group. `listener` is what
   * attaches the group to the ALB: ECS refuses a group without a load balancer.
   * @default - not load balanced
   */
  readonly loadBalancer?: {
    readonly targetGroupArn: string;
    readonly listener: ITerraformDependable;
    readonly healthCheckGracePeriodSeconds?: number;
  };
  /**
   * Who rolls out a new task definition. `CODE_DEPLOY`: blue/green by a
   * CodeDeploy deployment group (CI-3), for a load-balanced Fargate service;
   * CodeDeploy then owns the task definition and the target group in use, so
   * Terraform ignores both after creation, and ECS's circuit breaker (ECS
   * controller only) gives way to CodeDeploy's automatic rollback.
   * @default "ECS" (rolling update with the circuit breaker)
   */
  readonly deploymentController?: "ECS" | "CODE_DEPLOY";
  /** Registers tasks in Cloud Map (`<name>.<namespace>`, A records) for calls between services. @default - not registered */
  readonly discovery?: { readonly namespaceId: string; readonly name: string };
}

/**
 * An ECS service with everything it owns: its log groups (KMS-encrypted, with
 * retention: MON-3), its own execution and task roles (SEC-1), a task
 * definition with literal container definitions (optionally an X-Ray sidecar:
 * MON-4), and the service in private subnets without public IPs, with the
 * deployment circuit breaker rolling back a failed deployment. Fargate
 * services may scale on CPU; daemon services follow their host fleet.
 */
export class ContainerService extends Construct {
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly roles: TaskRoles;
  /** Log groups by name. */
  readonly logGroups: Readonly<Record<string, CloudwatchLogGroup>>;
  readonly discoveryService?: ServiceDiscoveryService;
  readonly scalingTarget?: AppautoscalingTarget;

  constructor(scope: Construct, id: string, props: ContainerServiceProps) {
    super(scope, id);
    validate(id, props);
    const { name, scheduling } = props;
    const fargate = scheduling.kind === "fargate";

    ({
      taskDefinition: this.taskDefinition,
      roles: this.roles,
      logGroups: this.logGroups,
    } = defineTask(this, props, fargate ? "FARGATE" : "EC2"));

    if (props.discovery) {
      this.discoveryService = new ServiceDiscoveryService(this, "discovery", {
        name: props.discovery.name,
        dnsConfig: {
          namespaceId: props.discovery.namespaceId,
          dnsRecords: [{ type: "A", ttl: 10 }],
          routingPolicy: "MULTIVALUE",
        },
        // ECS reports task health to Cloud Map; unhealthy tasks leave DNS.
        healthCheckCustomConfig: { failureThreshold: 1 },
      });
    }

    const main = props.containers[0];
    const scaled = fargate && scheduling.autoScaling !== undefined;
    const codeDeploy = props.deploymentController === "CODE_DEPLOY";
    const ignored = [...(scaled ? ["desired_count"] : []), ...(codeDeploy ? ["task_definition", "load_balancer"] : [])];
    const dependencies = [
      ...(props.loadBalancer ? [props.loadBalancer.listener] : []),
      ...(fargate && props.cluster.capacityProviders ? [props.cluster.capacityProviders] : []),
    ];
    this.service = new EcsService(this, "service", {
      name,
      cluster: props.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      ...(fargate
        ? {
            desiredCount: scheduling.desiredCount,
            capacityProviderStrategy: [{ capacityProvider: scheduling.capacityProvider ?? "FARGATE", weight: 1 }],
            platformVersion: "LATEST",
          }
        : { schedulingStrategy: "DAEMON", launchType: "EC2", placementConstraints: [scheduling.placementConstraint] }),
      networkConfiguration: { subnets: [...props.subnetIds], securityGroups: [...props.securityGroupIds], assignPublicIp: false },
      ...(codeDeploy ? { deploymentController: { type: "CODE_DEPLOY" } } : { deploymentCircuitBreaker: { enable: true, rollback: true } }),
      // validate(): a load-balanced service's first container has a port.
      ...(props.loadBalancer && main.port !== undefined
        ? {
            loadBalancer: [{ targetGroupArn: props.loadBalancer.targetGroupArn, containerName: main.name, containerPort: main.port }],
            healthCheckGracePeriodSeconds: props.loadBalancer.healthCheckGracePeriodSeconds ?? 60,
          }
        : {}),
      serviceRegistries: this.discoveryService ? { registryArn: this.discoveryService.arn } : undefined,
      enableExecuteCommand: props.execCommand ? true : undefined,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      dependsOn: dependencies.length ? dependencies : undefined,
      // The scaling policy owns the count once the service exists; CodeDeploy
      // owns the task definition and target group in use.
      lifecycle: ignored.length ? { ignoreChanges: ignored } : undefined,
    });

    if (fargate && scheduling.autoScaling) {
      this.scalingTarget = new AppautoscalingTarget(this, "scaling-target", {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: `service/${props.cluster.name}/${this.service.name}`,
        minCapacity: scheduling.desiredCount,
        maxCapacity: scheduling.autoScaling.maxCount,
      });
      new AppautoscalingPolicy(this, "scale-on-cpu", {
        name: `${name}-cpu-${scheduling.autoScaling.targetCpuPercent}`,
        policyType: "TargetTrackingScaling",
        serviceNamespace: this.scalingTarget.serviceNamespace,
        scalableDimension: this.scalingTarget.scalableDimension,
        resourceId: this.scalingTarget.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: scheduling.autoScaling.targetCpuPercent,
          predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
          // Out fast, in slowly: a scale-in right after a burst drops warm tasks.
          scaleOutCooldown: 60,
          scaleInCooldown: 300,
        },
      });
    }
    ComponentTags.apply(this, "compute");
  }
}

function validate(id: string, props: ContainerServiceProps): void {
  const { scheduling } = props;
  const problems = taskProblems(props, scheduling.kind === "fargate");
  if ((props.subnetIds ?? []).length < 2)
    problems.push(`subnetIds: ${props.subnetIds?.length ?? 0} given; at least 2 (one per AZ) are required`);
  if ((props.securityGroupIds ?? []).length < 1) problems.push("securityGroupIds: at least one security group is required");
  if (scheduling.kind === "fargate") {
    if (!(Number.isInteger(scheduling.desiredCount) && scheduling.desiredCount >= 0))
      problems.push(`scheduling.desiredCount: ${scheduling.desiredCount} must be a whole number >= 0`);
    const scaling = scheduling.autoScaling;
    if (scaling && !(Number.isInteger(scaling.maxCount) && scaling.maxCount >= Math.max(1, scheduling.desiredCount))) {
      problems.push(
        `scheduling.autoScaling.maxCount: ${scaling.maxCount} must be a whole number >= desiredCount (${scheduling.desiredCount}) and >= 1`,
      );
    }
    if (scaling && !(scaling.targetCpuPercent > 0 && scaling.targetCpuPercent <= 100))
      problems.push(`scheduling.autoScaling.targetCpuPercent: ${scaling.targetCpuPercent} must be 1-100`);
  }
  if (props.loadBalancer && !props.containers?.[0]?.port)
    problems.push("loadBalancer: the first container must have a port to register with the target group");
  if (props.deploymentController === "CODE_DEPLOY" && (scheduling.kind !== "fargate" || !props.loadBalancer)) {
    problems.push("deploymentController: CODE_DEPLOY (blue/green) needs a load-balanced Fargate service");
  }
  if (props.discovery && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(props.discovery.name))
    problems.push(`discovery.name: "${props.discovery.name}" must be a DNS label`);
  refuseProps("ContainerService", id, problems);
}
