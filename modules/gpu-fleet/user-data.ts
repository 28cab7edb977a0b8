/**
 * Boot script of a GPU container host: join the ECS cluster with GPU support
 * and Spot draining on, and format the NVMe instance store (g4dn: 125-900 GB)
 * as /scratch for render frames (CMP-5). The instance store is wiped when the
 * instance stops, so it holds scratch data only.
 */
export function gpuHostUserData(clusterName: string): string {
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    "cat >> /etc/ecs/ecs.config <<'ECS'",
    `ECS_CLUSTER=${clusterName}`,
    "ECS_ENABLE_GPU_SUPPORT=true",
    "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true",
    "ECS_CONTAINER_STOP_TIMEOUT=120s",
    "ECS",
    "# NVMe instance store, if the type has one, as scratch space.",
    "store=$(lsblk -dpno NAME,MODEL | awk '/Amazon EC2 NVMe Instance Storage/ {print $1; exit}')",
    // No double quotes and no "${": the script goes through base64encode() as an
    // HCL string, where both would need escaping.
    "if [[ -n $store ]]; then",
    "  mkfs.xfs -f $store",
    "  mkdir -p /scratch",
    "  mount -o noatime $store /scratch",
    "  chmod 1777 /scratch",
    "fi",
    "",
  ].join("\n");
}
