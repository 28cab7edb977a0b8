import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { logRetentionProblem } from "../common/limits";
import { refuseProps } from "../common/props";
import { type ContainerSpec, containerDefinitions, type TracingSidecar, XRAY_CONTAINER } from "./containers";
import { type PolicyStatement, TaskRoles } from "./roles";

export { type ContainerSpec, type SecretRef, type TracingSidecar, XRAY_CONTAINER, XRAY_DAEMON_ADDRESS } from "./containers";
export type { PolicyStatement } from "./roles";

/** Replica tasks on Fargate, optionally auto scaled on CPU. */
export interface FargateScheduling {
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
export interface DaemonScheduling {
  readonly kind: "ec2-daemon";
  /** Selects the fleet's hosts, e.g. `{ type: "memberOf", expression: "attribute:ecg.fleet == ecg-prod-render" }`. */
  readonly placementConstraint: { readonly type: string; readonly expression: string };
}

export interface ContainerServiceProps {
  /** Service, task family and role name prefix, e.g. `ecg-prod-backend-api`. */
  readonly name: string;
  /** The ECS cluster (its name builds the scaling target's resource id). */
  readonly cluster: { readonly name: string; readonly arn: string };
  readonly account: AwsAccount;
  /** Task subnets (private tiers, one per AZ). */
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  /** Task CPU units (Fargate: 256-16384 in its steps). */
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly scheduling: FargateScheduling | DaemonScheduling;
  /** The task's containers; the first is the service's main container (load balancer, discovery). */
  readonly containers: readonly ContainerSpec[];
  /** X-Ray daemon sidecar in the task, and the task role's permission to send traces (MON-4). @default - no tracing */
  readonly tracing?: TracingSidecar;
  /** ECR repository ARNs the images come from (wildcards allowed). */
  readonly pullFrom: readonly string[];
  /** KMS key of the log groups. */
  readonly logsKmsKeyArn: string;
  /** @default 90 */
  readonly logRetentionDays?: number;
  /** KMS keys of the injected secrets, when not AWS-managed. @default [] */
  readonly secretsKmsKeyArns?: readonly string[];
  /** What the application may do (SEC-1). @default [] */
  readonly taskStatements?: readonly PolicyStatement[];
  /**
   * Registers the main container with an ALB target group. `listener` is what
   * attaches the group to the ALB: ECS refuses a group without a load balancer.
   * @default - not load balanced
   */
  readonly loadBalancer?: { readonly targetGroupArn: string; readonly listener: ITerraformDependable; readonly healthCheckGracePeriodSeconds?: number };
  /** Registers tasks in Cloud Map (`<name>.<namespace>`, A records) for calls between services. @default - not registered */
  readonly discovery?: { readonly namespaceId: string; readonly name: string };
}

/** Fargate's task sizes: memory per CPU value, MiB (AWS: "Task CPU and memory"). */
const FARGATE_MEMORY: Readonly<Record<number, { min: number; max: number; step: number }>> = {
  256: { min: 512, max: 2048, step: 512 },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

/** 256 CPU takes 512, 1024 or 2048 MiB only; the others take every step in their range. */
function fargateMemoryFits(cpu: number, memoryMiB: number): boolean {
  const { min, max, step } = FARGATE_MEMORY[cpu];
  if (cpu === 256) return [512, 1024, 2048].includes(memoryMiB);
  return memoryMiB >= min && memoryMiB <= max && (memoryMiB - min) % step === 0;
}

// IAM role names (`<name>-execution`) are limited to 64 characters.
const MAX_NAME = 64 - "-execution".length;

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
    const { name, account, scheduling } = props;
    const fargate = scheduling.kind === "fargate";

    const logGroups: Record<string, CloudwatchLogGroup> = {};
    for (const groupName of new Set(props.containers.map((c) => c.logGroupName))) {
      logGroups[groupName] = new CloudwatchLogGroup(this, `logs-${Object.keys(logGroups).length}`, {
        name: groupName,
        retentionInDays: props.logRetentionDays ?? 90,
        kmsKeyId: props.logsKmsKeyArn,
      });
    }
    this.logGroups = logGroups;

    this.roles = new TaskRoles(this, "roles", {
      name,
      account,
      pullFrom: props.pullFrom,
      logGroupArns: Object.values(logGroups).map((g) => g.arn),
      secretArns: props.containers.flatMap((c) => Object.values(c.secrets ?? {}).map((s) => s.secretArn)),
      decryptKeyArns: props.secretsKmsKeyArns,
      taskStatements: props.taskStatements,
      tracing: props.tracing !== undefined,
    });

    this.taskDefinition = new EcsTaskDefinition(this, "task", {
      family: name,
      requiresCompatibilities: [fargate ? "FARGATE" : "EC2"],
      networkMode: "awsvpc",
      cpu: String(props.cpu),
      memory: String(props.memoryMiB),
      executionRoleArn: this.roles.executionRole.arn,
      taskRoleArn: this.roles.taskRole.arn,
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      containerDefinitions: containerDefinitions(props.containers, account.region, props.tracing),
    });

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
    this.service = new EcsService(this, "service", {
      name,
      cluster: props.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      ...(fargate
        ? { desiredCount: scheduling.desiredCount, capacityProviderStrategy: [{ capacityProvider: scheduling.capacityProvider ?? "FARGATE", weight: 1 }], platformVersion: "LATEST" }
        : { schedulingStrategy: "DAEMON", launchType: "EC2", placementConstraints: [scheduling.placementConstraint] }),
      networkConfiguration: { subnets: [...props.subnetIds], securityGroups: [...props.securityGroupIds], assignPublicIp: false },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      ...(props.loadBalancer
        ? {
            loadBalancer: [{ targetGroupArn: props.loadBalancer.targetGroupArn, containerName: main.name, containerPort: main.port! }],
            healthCheckGracePeriodSeconds: props.loadBalancer.healthCheckGracePeriodSeconds ?? 60,
          }
        : {}),
      serviceRegistries: this.discoveryService ? { registryArn: this.discoveryService.arn } : undefined,
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      dependsOn: props.loadBalancer ? [props.loadBalancer.listener] : undefined,
      // The scaling policy owns the count once the service exists.
      lifecycle: scaled ? { ignoreChanges: ["desired_count"] } : undefined,
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
  const problems: string[] = [];
  const { scheduling } = props;
  if (!new RegExp(`^[a-zA-Z0-9_-]{1,${MAX_NAME}}$`).test(props.name ?? "")) {
    problems.push(`name: "${props.name ?? ""}" must be 1-${MAX_NAME} letters, digits, - or _ (the role names append -execution, and IAM allows 64 characters)`);
  }
  if ((props.pullFrom ?? []).length === 0) problems.push("pullFrom: name at least one repository ARN the images come from");
  if ((props.subnetIds ?? []).length < 2) problems.push(`subnetIds: ${props.subnetIds?.length ?? 0} given; at least 2 (one per AZ) are required`);
  if ((props.securityGroupIds ?? []).length < 1) problems.push("securityGroupIds: at least one security group is required");
  if ((props.containers ?? []).length === 0) problems.push("containers: at least one container is required");
  props.containers?.forEach((c, i) => {
    if (props.containers.findIndex((o) => o.name === c.name) !== i) problems.push(`containers[${i}].name: "${c.name}" is used twice`);
    if (c.port !== undefined && !(Number.isInteger(c.port) && c.port >= 1 && c.port <= 65535)) problems.push(`containers[${i}].port: ${c.port} is not a TCP port`);
    if (c.gpus && scheduling.kind === "fargate") problems.push(`containers[${i}].gpus: Fargate has no GPUs; run GPU containers on an EC2 fleet`);
    if (c.gpus !== undefined && !(Number.isInteger(c.gpus) && c.gpus >= 0)) problems.push(`containers[${i}].gpus: ${c.gpus} must be a whole number`);
    if (props.tracing && c.name === XRAY_CONTAINER) problems.push(`containers[${i}].name: "${XRAY_CONTAINER}" is the tracing sidecar's name`);
    const both = Object.keys(c.environment ?? {}).filter((name) => c.secrets?.[name] !== undefined);
    if (both.length) problems.push(`containers[${i}]: ${both.join(", ")} set both as environment and as secret`);
    if (!c.logGroupName?.startsWith("/")) problems.push(`containers[${i}].logGroupName: "${c.logGroupName ?? ""}" must be a full log group name starting with /`);
  });
  if (scheduling.kind === "fargate") {
    const memory = FARGATE_MEMORY[props.cpu];
    if (!memory) problems.push(`cpu: ${props.cpu} is not a Fargate CPU value (${Object.keys(FARGATE_MEMORY).join(", ")})`);
    else if (!fargateMemoryFits(props.cpu, props.memoryMiB)) {
      problems.push(`memoryMiB: ${props.memoryMiB} is not a Fargate memory size for ${props.cpu} CPU (${memory.min}-${memory.max} MiB in steps of ${memory.step})`);
    }
    if (!(Number.isInteger(scheduling.desiredCount) && scheduling.desiredCount >= 0)) problems.push(`scheduling.desiredCount: ${scheduling.desiredCount} must be a whole number >= 0`);
    const scaling = scheduling.autoScaling;
    if (scaling && !(Number.isInteger(scaling.maxCount) && scaling.maxCount >= Math.max(1, scheduling.desiredCount))) {
      problems.push(`scheduling.autoScaling.maxCount: ${scaling.maxCount} must be a whole number >= desiredCount (${scheduling.desiredCount}) and >= 1`);
    }
    if (scaling && !(scaling.targetCpuPercent > 0 && scaling.targetCpuPercent <= 100)) problems.push(`scheduling.autoScaling.targetCpuPercent: ${scaling.targetCpuPercent} must be 1-100`);
  } else if (!(props.cpu >= 128 && props.memoryMiB >= 128)) {
    problems.push(`cpu/memoryMiB: ${props.cpu}/${props.memoryMiB} must be at least 128 each`);
  }
  if (props.loadBalancer && !props.containers?.[0]?.port) problems.push("loadBalancer: the first container must have a port to register with the target group");
  if (props.discovery && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(props.discovery.name)) problems.push(`discovery.name: "${props.discovery.name}" must be a DNS label`);
  const retention = logRetentionProblem(props.logRetentionDays ?? 90);
  if (retention) problems.push(`logRetentionDays: ${retention}`);
  refuseProps("ContainerService", id, problems);
}
