import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { logRetentionProblem } from "../common/limits";
import { refuseProps } from "../common/props";
import {
  type ContainerSpec,
  containerDefinitions,
  DEFAULT_CONTAINER_USER,
  EXEC_VOLUMES,
  isRootUser,
  TMP_VOLUME,
  type TracingSidecar,
  XRAY_CONTAINER,
} from "./containers";
import { type ExecCommandAccess, type PolicyStatement, TaskRoles } from "./roles";

export interface TaskProps {
  /** Task family and role name prefix, e.g. `ecg-prod-backend-api`. */
  readonly name: string;
  readonly account: AwsAccount;
  /** Task CPU units (Fargate: 256-16384 in its steps). */
  readonly cpu: number;
  readonly memoryMiB: number;
  /** The task's containers; the first is the main one. */
  readonly containers: readonly ContainerSpec[];
  /** X-Ray daemon sidecar in the task, and the task role's permission to send traces (MON-4). @default - no tracing */
  readonly tracing?: TracingSidecar;
  /** ECR repository ARNs the images come from (wildcards allowed). */
  readonly pullFrom: readonly string[];
  /**
   * Those of `pullFrom` that are pull-through cache repositories: the agent
   * also imports their upstream images and creates them on the first pull.
   * @default []
   */
  readonly pullThroughFrom?: readonly string[];
  /** KMS key of the log groups. */
  readonly logsKmsKeyArn: string;
  /** @default 90 */
  readonly logRetentionDays?: number;
  /** KMS keys of the injected secrets, when not AWS-managed. @default [] */
  readonly secretsKmsKeyArns?: readonly string[];
  /** What the application may do (SEC-1). @default [] */
  readonly taskStatements?: readonly PolicyStatement[];
  /**
   * ECS Exec into the tasks, with the cluster's session key and audit log
   * group (ComputeCluster `execCommand`): the task role may open the SSM
   * channels, decrypt the session and write the session log; a service
   * enables it.
   * @default - no ECS Exec
   */
  readonly execCommand?: ExecCommandAccess;
  /**
   * A host directory mounted read-write at the same path in every container
   * (ECS on EC2 only): the GPU hosts' NVMe store (`/scratch`, CMP-5).
   * @default - none
   */
  readonly scratchHostPath?: string;
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

/** Everything wrong with a task's props, each naming the field; `fargate` adds Fargate's size rules. */
export function taskProblems(props: TaskProps, fargate: boolean): string[] {
  const problems: string[] = [];
  if (!new RegExp(`^[a-zA-Z0-9_-]{1,${MAX_NAME}}$`).test(props.name ?? "")) {
    problems.push(
      `name: "${props.name ?? ""}" must be 1-${MAX_NAME} letters, digits, - or _ (the role names append -execution, and IAM allows 64 characters)`,
    );
  }
  if ((props.pullFrom ?? []).length === 0) problems.push("pullFrom: name at least one repository ARN the images come from");
  if ((props.containers ?? []).length === 0) problems.push("containers: at least one container is required");
  props.containers?.forEach((c, i) => {
    if (props.containers.findIndex((o) => o.name === c.name) !== i) problems.push(`containers[${i}].name: "${c.name}" is used twice`);
    if (c.port !== undefined && !(Number.isInteger(c.port) && c.port >= 1 && c.port <= 65535))
      problems.push(`containers[${i}].port: ${c.port} is not a TCP port`);
    if (c.gpus && fargate) problems.push(`containers[${i}].gpus: Fargate has no GPUs; run GPU containers on an EC2 fleet`);
    if (c.gpus !== undefined && !(Number.isInteger(c.gpus) && c.gpus >= 0))
      problems.push(`containers[${i}].gpus: ${c.gpus} must be a whole number`);
    if (props.tracing && c.name === XRAY_CONTAINER)
      problems.push(`containers[${i}].name: "${XRAY_CONTAINER}" is the tracing sidecar's name`);
    const both = Object.keys(c.environment ?? {}).filter((name) => c.secrets?.[name] !== undefined);
    if (both.length) problems.push(`containers[${i}]: ${both.join(", ")} set both as environment and as secret`);
    if (c.user !== undefined && isRootUser(c.user))
      problems.push(`containers[${i}].user: "${c.user}" is root; run as an unprivileged uid (the default is ${DEFAULT_CONTAINER_USER})`);
    if (!c.logGroupName?.startsWith("/"))
      problems.push(`containers[${i}].logGroupName: "${c.logGroupName ?? ""}" must be a full log group name starting with /`);
  });
  if (fargate) {
    const memory = FARGATE_MEMORY[props.cpu];
    if (!memory) problems.push(`cpu: ${props.cpu} is not a Fargate CPU value (${Object.keys(FARGATE_MEMORY).join(", ")})`);
    else if (!fargateMemoryFits(props.cpu, props.memoryMiB)) {
      problems.push(
        `memoryMiB: ${props.memoryMiB} is not a Fargate memory size for ${props.cpu} CPU (${memory.min}-${memory.max} MiB in steps of ${memory.step})`,
      );
    }
  } else if (!(props.cpu >= 128 && props.memoryMiB >= 128)) {
    problems.push(`cpu/memoryMiB: ${props.cpu}/${props.memoryMiB} must be at least 128 each`);
  }
  if (props.scratchHostPath !== undefined && (fargate || !/^\/[\w./-]+$/.test(props.scratchHostPath)))
    problems.push(
      `scratchHostPath: "${props.scratchHostPath}" ${fargate ? "is a host directory, which Fargate does not mount" : "must be an absolute path"}`,
    );
  const retention = logRetentionProblem(props.logRetentionDays ?? 90);
  if (retention) problems.push(`logRetentionDays: ${retention}`);
  return problems;
}

/** What a task is made of: its log groups, its two roles and its definition. */
export interface DefinedTask {
  readonly taskDefinition: EcsTaskDefinition;
  readonly roles: TaskRoles;
  /** Log groups by name. */
  readonly logGroups: Readonly<Record<string, CloudwatchLogGroup>>;
}

/**
 * Creates a task's log groups (KMS-encrypted, with retention: MON-3), its own
 * execution and task roles (SEC-1) and its definition with literal container
 * definitions (optionally an X-Ray sidecar: MON-4), in `scope`.
 */
export function defineTask(scope: Construct, props: TaskProps, compatibility: "FARGATE" | "EC2"): DefinedTask {
  const logGroups: Record<string, CloudwatchLogGroup> = {};
  for (const groupName of new Set(props.containers.map((c) => c.logGroupName))) {
    logGroups[groupName] = new CloudwatchLogGroup(scope, `logs-${Object.keys(logGroups).length}`, {
      name: groupName,
      retentionInDays: props.logRetentionDays ?? 90,
      kmsKeyId: props.logsKmsKeyArn,
    });
  }
  const roles = new TaskRoles(scope, "roles", {
    name: props.name,
    account: props.account,
    // GuardDuty runtime monitoring adds its agent to Fargate tasks, pulled with the execution role from GuardDuty's
    // repository of the region (GuardDuty User Guide, "Prerequisites for AWS Fargate (Amazon ECS only) support").
    pullFrom:
      compatibility === "FARGATE"
        ? [...props.pullFrom, `arn:${props.account.partition}:ecr:${props.account.region}:*:repository/aws-guardduty-agent-fargate`]
        : props.pullFrom,
    pullThroughFrom: props.pullThroughFrom,
    logGroupArns: Object.values(logGroups).map((g) => g.arn),
    secretArns: props.containers.flatMap((c) => Object.values(c.secrets ?? {}).map((s) => s.secretArn)),
    decryptKeyArns: props.secretsKmsKeyArns,
    taskStatements: props.taskStatements,
    execCommand: props.execCommand,
    tracing: props.tracing !== undefined,
  });
  const volumes = [
    TMP_VOLUME,
    ...(props.execCommand ? EXEC_VOLUMES : []),
    ...(props.scratchHostPath ? [{ name: "scratch", containerPath: props.scratchHostPath, hostPath: props.scratchHostPath }] : []),
  ];
  const taskDefinition = new EcsTaskDefinition(scope, "task", {
    family: props.name,
    requiresCompatibilities: [compatibility],
    networkMode: "awsvpc",
    cpu: String(props.cpu),
    memory: String(props.memoryMiB),
    executionRoleArn: roles.executionRole.arn,
    taskRoleArn: roles.taskRole.arn,
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
    containerDefinitions: containerDefinitions(props.containers, props.account.region, volumes, props.tracing),
    volume: volumes.map((v) => ({ name: v.name, hostPath: v.hostPath })),
  });
  return { taskDefinition, roles, logGroups };
}

/**
 * A Fargate task definition without a service, for one-off runs (`aws ecs
 * run-task`): database migrations, maintenance jobs. Same log groups, roles
 * and validation as a service's task.
 */
export class FargateTask extends Construct implements DefinedTask {
  readonly taskDefinition: EcsTaskDefinition;
  readonly roles: TaskRoles;
  readonly logGroups: Readonly<Record<string, CloudwatchLogGroup>>;

  constructor(scope: Construct, id: string, props: TaskProps) {
    super(scope, id);
    refuseProps("FargateTask", id, taskProblems(props, true));
    ({ taskDefinition: this.taskDefinition, roles: this.roles, logGroups: this.logGroups } = defineTask(this, props, "FARGATE"));
    ComponentTags.apply(this, "compute");
  }
}
