import { Fn } from "cdktf";

/** The ECS container-instance attribute that names a host's fleet (task placement). */
export const FLEET_ATTRIBUTE = "ecg.fleet";

/**
 * Boot script of a GPU container host: join the ECS cluster with GPU support
 * and Spot draining on, tag the host with its fleet (services place their
 * tasks with `attribute:ecg.fleet`), and format the NVMe instance store
 * (g4dn: 125-900 GB) as /scratch for render frames (CMP-5). The instance store
 * is wiped when the instance stops, so it holds scratch data only.
 * With `agentConfigParameter`, installs the CloudWatch agent and starts it
 * with that SSM parameter's configuration (GPU metrics: MON-5).
 */
export function gpuHostUserData(clusterName: string, fleetName: string, agentConfigParameter?: string): string {
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    "cat >> /etc/ecs/ecs.config <<'ECS'",
    `ECS_CLUSTER=${clusterName}`,
    "ECS_ENABLE_GPU_SUPPORT=true",
    "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true",
    "ECS_CONTAINER_STOP_TIMEOUT=120s",
    `ECS_INSTANCE_ATTRIBUTES=${JSON.stringify({ [FLEET_ATTRIBUTE]: fleetName })}`,
    "ECS",
    "# NVMe instance store, if the type has one, as scratch space.",
    "store=$(lsblk -dpno NAME,MODEL | awk '/Amazon EC2 NVMe Instance Storage/ {print $1; exit}')",
    'if [[ -n "$store" ]]; then',
    '  mkfs.xfs -f "$store"',
    "  mkdir -p /scratch",
    '  mount -o noatime "$store" /scratch',
    "  chmod 1777 /scratch",
    "fi",
    ...(agentConfigParameter ? cloudWatchAgentLines(agentConfigParameter) : []),
    "",
  ].join("\n");
}

/**
 * The CloudWatch agent is not on the ECS GPU AMI: install it from the Amazon
 * Linux 2 repositories (served from S3, reached through the gateway endpoint)
 * and run it with the configuration in SSM (`ssm` and `monitoring` interface
 * endpoints). It reports through nvidia-smi, which the GPU AMI ships.
 */
function cloudWatchAgentLines(parameter: string): string[] {
  return [
    "# CloudWatch agent: GPU, memory and disk metrics (MON-5).",
    "yum install -y amazon-cloudwatch-agent",
    `/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c ssm:${parameter}`,
  ];
}

const CLUSTER_PLACEHOLDER = "@@ECS_CLUSTER@@";

/**
 * The boot script as launch-template user data. The cluster name is usually a
 * Terraform reference, so it is put into the script by Terraform (replace()),
 * and the rest goes in as a raw string: quotes, `$` and `${` stay literal.
 */
export function gpuHostUserDataBase64(clusterName: string, fleetName: string, agentConfigParameter?: string): string {
  return Fn.base64encode(Fn.replace(Fn.rawString(gpuHostUserData(CLUSTER_PLACEHOLDER, fleetName, agentConfigParameter)), CLUSTER_PLACEHOLDER, clusterName));
}
