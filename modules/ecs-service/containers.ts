/** A Secrets Manager secret, or one key of a JSON secret. */
interface SecretRef {
  readonly secretArn: string;
  /** Key of a JSON secret, e.g. `password`. @default - the whole secret string */
  readonly jsonKey?: string;
}

/** One container of a service's task (CMP-2..4). */
export interface ContainerSpec {
  /** Container name; also the log stream prefix. */
  readonly name: string;
  /** Image reference, `<repository url>:<tag>`. */
  readonly image: string;
  /** TCP port the container serves. @default - none */
  readonly port?: number;
  /** Plain environment: names and values that are not secret. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Secrets the ECS agent injects as environment variables, by variable name.
   * Never put secrets in `environment` (trivy AWS-0036). @default {}
   */
  readonly secrets?: Readonly<Record<string, SecretRef>>;
  /** @default - the image's CMD */
  readonly command?: readonly string[];
  /** GPUs reserved for this container (ECS on EC2 only). @default 0 */
  readonly gpus?: number;
  /** Log group of this container's output (MON-3), e.g. `/ecs/ecg-prod/backend-api`. */
  readonly logGroupName: string;
  /**
   * The user (`uid` or `uid:gid`) the container runs as: never root, so code
   * that takes over the process cannot change the image or write the task's
   * mounts as root (the image contract, docs/architecture.md).
   * @default "1000:1000"
   */
  readonly user?: string;
}

/** Whether an ECS `user` (`uid`, `name`, `uid:gid`) is root. */
export const isRootUser = (user: string) => /^(0|root)(:|$)/.test(user);

/** The user every container runs as unless its spec names another (not root). */
export const DEFAULT_CONTAINER_USER = "1000:1000";

/**
 * The writable places of a container whose root filesystem is read-only: task
 * volumes (ephemeral task storage on Fargate, a Docker volume or the host
 * path on EC2) mounted into every container.
 */
export interface TaskVolume {
  readonly name: string;
  readonly containerPath: string;
  /** A directory of the EC2 host (the GPU hosts' NVMe store). @default - ephemeral to the task */
  readonly hostPath?: string;
}

/**
 * The task's first container: as root, it makes the ephemeral volumes
 * writable for every user (mode 1777) and exits; the others start after it
 * succeeded. Fargate and Docker create an empty volume owned by root, mode
 * 0755, unless the image declares it (ECS Developer Guide, "Use bind mounts").
 * Runs the main container's image, which must have `sh` and `chmod`.
 */
export const INIT_CONTAINER = "prepare-volumes";

/** Every container's temporary directory. */
export const TMP_VOLUME: TaskVolume = { name: "tmp", containerPath: "/tmp" };
/**
 * Where the SSM agent that ECS Exec injects keeps its state and logs: with a
 * read-only root filesystem they must be volumes (ECS Developer Guide, ECS
 * Exec considerations).
 */
export const EXEC_VOLUMES: readonly TaskVolume[] = [
  { name: "ssm-agent-lib", containerPath: "/var/lib/amazon" },
  { name: "ssm-agent-log", containerPath: "/var/log/amazon" },
];

/** The X-Ray daemon sidecar every task carries when tracing is on (MON-4). */
export interface TracingSidecar {
  /** Image of the X-Ray daemon. */
  readonly image: string;
}

export const XRAY_CONTAINER = "xray-daemon";
/** Where the SDKs send segments: the sidecar, over the task's shared network namespace. */
export const XRAY_DAEMON_ADDRESS = "127.0.0.1:2000";

const byName = (values: Readonly<Record<string, string>>, valueKey: "value" | "valueFrom") =>
  // Sorted: ECS returns them sorted, and an unsorted list re-plans forever.
  Object.keys(values)
    .sort()
    .map((name) => ({ name, [valueKey]: values[name] }));

const valueFrom = (secrets: Readonly<Record<string, SecretRef>>) =>
  Object.fromEntries(Object.entries(secrets).map(([name, s]) => [name, s.jsonKey ? `${s.secretArn}:${s.jsonKey}::` : s.secretArn]));

const awsLogs = (logs: { readonly group: string; readonly region: string; readonly streamPrefix: string }) => ({
  logDriver: "awslogs",
  options: { "awslogs-group": logs.group, "awslogs-region": logs.region, "awslogs-stream-prefix": logs.streamPrefix },
});

/**
 * The task's container definitions as literal JSON (the policy pack reads
 * them): each container logs to its group, secrets come from `secrets`, and
 * with tracing every container knows the sidecar's address.
 */
export function containerDefinitions(
  containers: readonly ContainerSpec[],
  region: string,
  volumes: readonly TaskVolume[],
  tracing?: TracingSidecar,
): string {
  // Read-only images, writes only to the task's volumes, as a user that is not root (CKV_AWS_336, ECG_ECS_NON_ROOT).
  const hardened = (user: string) => ({
    user,
    readonlyRootFilesystem: true,
    mountPoints: volumes.map((v) => ({ sourceVolume: v.name, containerPath: v.containerPath, readOnly: false })),
  });
  const definitions: Record<string, unknown>[] = containers.map((c) => ({
    name: c.name,
    image: c.image,
    essential: true,
    ...hardened(c.user ?? DEFAULT_CONTAINER_USER),
    ...(c.command ? { command: [...c.command] } : {}),
    ...(c.port ? { portMappings: [{ containerPort: c.port, hostPort: c.port, protocol: "tcp" }] } : {}),
    environment: byName({ ...c.environment, ...(tracing ? { AWS_XRAY_DAEMON_ADDRESS: XRAY_DAEMON_ADDRESS } : {}) }, "value"),
    ...(c.secrets && Object.keys(c.secrets).length ? { secrets: byName(valueFrom(c.secrets), "valueFrom") } : {}),
    ...(c.gpus ? { resourceRequirements: [{ type: "GPU", value: String(c.gpus) }] } : {}),
    // An init process reaps zombies and forwards SIGTERM (Spot draining, deployments).
    linuxParameters: { initProcessEnabled: true },
    logConfiguration: awsLogs({ group: c.logGroupName, region, streamPrefix: c.name }),
  }));
  const ephemeral = volumes.filter((v) => !v.hostPath).map((v) => v.containerPath);
  const init = ephemeral.length > 0 && {
    name: INIT_CONTAINER,
    image: containers[0].image,
    essential: false,
    user: "0",
    readonlyRootFilesystem: true,
    mountPoints: volumes.filter((v) => !v.hostPath).map((v) => ({ sourceVolume: v.name, containerPath: v.containerPath, readOnly: false })),
    command: ["sh", "-c", `chmod 1777 ${ephemeral.join(" ")}`],
    logConfiguration: awsLogs({ group: containers[0].logGroupName, region, streamPrefix: INIT_CONTAINER }),
  };
  if (tracing) {
    definitions.push({
      name: XRAY_CONTAINER,
      image: tracing.image,
      ...hardened(DEFAULT_CONTAINER_USER),
      // The daemon only relays segments: a crash must not take the service down.
      essential: false,
      cpu: 32,
      memoryReservation: 256,
      portMappings: [{ containerPort: 2000, hostPort: 2000, protocol: "udp" }],
      environment: [{ name: "AWS_REGION", value: region }],
      linuxParameters: { initProcessEnabled: true },
      logConfiguration: awsLogs({ group: containers[0].logGroupName, region, streamPrefix: XRAY_CONTAINER }),
    });
  }
  if (!init) return JSON.stringify(definitions);
  const afterInit = definitions.map((d) => ({ ...d, dependsOn: [{ containerName: INIT_CONTAINER, condition: "SUCCESS" }] }));
  return JSON.stringify([...afterInit, init]);
}
