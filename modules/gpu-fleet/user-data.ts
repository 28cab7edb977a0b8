import { Fn } from "cdktf";

/** Where a GPU host mounts its NVMe instance store; tasks mount it at the same path. */
export const SCRATCH_PATH = "/scratch";

/** The ECS container-instance attribute that names a host's fleet (task placement). */
export const FLEET_ATTRIBUTE = "ecg.fleet";

/** What the boot script of a GPU host sets up. */
export interface GpuHostBoot {
  readonly clusterName: string;
  readonly fleetName: string;
  /** SSM parameter of the CloudWatch agent's configuration (MON-5). @default - no agent */
  readonly agentConfigParameter?: string;
  /** The termination watcher (GpuFleet `drainOnTermination`) and the lifecycle hook it completes. @default - none */
  readonly drain?: {
    readonly stopTakingWork: string;
    readonly isIdle: string;
    readonly maxSeconds: number;
    readonly hookName: string;
    readonly groupName: string;
  };
}

/**
 * Boot script of a GPU container host: join the ECS cluster with GPU support
 * and Spot draining on, tag the host with its fleet (services place their
 * tasks with `attribute:ecg.fleet`), and format the NVMe instance store
 * (g4dn: 125-900 GB) as /scratch for render frames (CMP-5). The instance store
 * is wiped when the instance stops, so it holds scratch data only.
 * With `agentConfigParameter`, installs the CloudWatch agent and starts it
 * with that SSM parameter's configuration (GPU metrics: MON-5); with `drain`,
 * installs the termination watcher.
 */
export function gpuHostUserData(boot: GpuHostBoot): string {
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    "cat >> /etc/ecs/ecs.config <<'ECS'",
    `ECS_CLUSTER=${boot.clusterName}`,
    "ECS_ENABLE_GPU_SUPPORT=true",
    "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true",
    // awsvpc tasks cannot reach the instance metadata service: no task borrows the host's role.
    "ECS_AWSVPC_BLOCK_IMDS=true",
    "ECS_CONTAINER_STOP_TIMEOUT=120s",
    `ECS_INSTANCE_ATTRIBUTES=${JSON.stringify({ [FLEET_ATTRIBUTE]: boot.fleetName })}`,
    "ECS",
    "# NVMe instance store, if the type has one, as scratch space.",
    "store=$(lsblk -dpno NAME,MODEL | awk '/Amazon EC2 NVMe Instance Storage/ {print $1; exit}')",
    'if [[ -n "$store" ]]; then',
    '  mkfs.xfs -f "$store"',
    `  mkdir -p ${SCRATCH_PATH}`,
    `  mount -o noatime "$store" ${SCRATCH_PATH}`,
    // The tasks' non-root users write there (sticky: none deletes another's files).
    `  chmod 1777 ${SCRATCH_PATH}`,
    "fi",
    // The watcher first: a host that runs work must be able to finish it, whatever the agent does.
    ...(boot.drain ? drainWatcherLines(boot.drain) : []),
    ...(boot.agentConfigParameter ? cloudWatchAgentLines(boot.agentConfigParameter) : []),
    "",
  ].join("\n");
}

/**
 * The CloudWatch agent is not on the ECS GPU AMI: install it from the Amazon
 * Linux repositories (served from S3, reached through the gateway endpoint)
 * and run it with the configuration in SSM (`ssm` and `monitoring` interface
 * endpoints). It reports through nvidia-smi, which the GPU AMI ships.
 */
function cloudWatchAgentLines(parameter: string): string[] {
  return [
    "# CloudWatch agent: GPU, memory and disk metrics (MON-5). Not fatal: a host without metrics still serves.",
    "{ dnf install -y amazon-cloudwatch-agent &&",
    `  /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c ssm:${parameter}; } || echo "CloudWatch agent not started" >&2`,
  ];
}

/**
 * A systemd service that waits for this host's termination (the group's
 * target lifecycle state in IMDSv2), tells its work to stop taking jobs,
 * sends the hook a heartbeat every minute until the work is idle or
 * `maxSeconds` have passed, then completes the hook (CONTINUE). The
 * `autoscaling` API is reached through its interface endpoint.
 */
function drainWatcherLines(drain: NonNullable<GpuHostBoot["drain"]>): string[] {
  const script = [
    "#!/bin/bash",
    "set -uo pipefail",
    'imds() { local t; t=$(curl -sf -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token) && curl -sf -H "X-aws-ec2-metadata-token: $t" "http://169.254.169.254/latest/meta-data/$1"; }',
    'until [[ "$(imds autoscaling/target-lifecycle-state)" == "Terminated" ]]; do sleep 5; done',
    "instance=$(imds instance-id); region=$(imds placement/region)",
    `hook=(--region "$region" --auto-scaling-group-name ${drain.groupName} --lifecycle-hook-name ${drain.hookName} --instance-id "$instance")`,
    `deadline=$(( $(date +%s) + ${drain.maxSeconds} ))`,
    "stop_taking_work() {",
    `  ${drain.stopTakingWork}`,
    "}",
    "is_idle() {",
    `  ${drain.isIdle}`,
    "}",
    'stop_taking_work || echo "ecg-drain: could not stop taking work" >&2',
    "until is_idle || (( $(date +%s) >= deadline )); do",
    '  aws autoscaling record-lifecycle-action-heartbeat "${hook[@]}" || true',
    "  sleep 60",
    "done",
    'aws autoscaling complete-lifecycle-action "${hook[@]}" --lifecycle-action-result CONTINUE',
  ].join("\n");
  return [
    "# Termination watcher: a host finishes its work before the group terminates it.",
    'command -v aws >/dev/null || dnf install -y awscli-2 || echo "ecg-drain: no AWS CLI: the hook\'s timeout lets the host go" >&2',
    "cat > /usr/local/bin/ecg-drain <<'DRAIN'",
    script,
    "DRAIN",
    "chmod 755 /usr/local/bin/ecg-drain",
    "cat > /etc/systemd/system/ecg-drain.service <<'UNIT'",
    "[Unit]",
    "Description=Finish this host's work before Auto Scaling terminates it",
    "After=docker.service ecs.service",
    "[Service]",
    "ExecStart=/usr/local/bin/ecg-drain",
    "Restart=on-failure",
    "[Install]",
    "WantedBy=multi-user.target",
    "UNIT",
    "systemctl enable --now --no-block ecg-drain.service",
  ];
}

const CLUSTER_PLACEHOLDER = "@@ECS_CLUSTER@@";

/**
 * The boot script as launch-template user data. The cluster name is usually a
 * Terraform reference, so it is put into the script by Terraform (replace()),
 * and the rest goes in as a raw string: quotes, `$` and `${` stay literal.
 */
export function gpuHostUserDataBase64(boot: GpuHostBoot): string {
  return Fn.base64encode(
    Fn.replace(Fn.rawString(gpuHostUserData({ ...boot, clusterName: CLUSTER_PLACEHOLDER })), CLUSTER_PLACEHOLDER, boot.clusterName),
  );
}
