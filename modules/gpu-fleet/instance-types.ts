/**
 * The GPU instance types the fleets may use, with what a task can reserve on
 * them. g4dn (NVIDIA T4) only: the seed's class (CMP-3, CMP-4). 12xlarge and
 * metal carry 4 and 8 GPUs and are left out: a fleet mixes one GPU class and
 * one GPU per host, so a task reserving one GPU fills any host it lands on.
 *
 * `memoryMiB` is what a task may reserve: the instance's memory less 5% kept
 * for the OS and the ECS agent (ECS registers a little less than the instance
 * has; a task larger than the registered memory is never placed).
 */
export interface GpuInstanceType {
  readonly vcpus: number;
  readonly gpus: number;
  readonly memoryMiB: number;
}

export const GPU_INSTANCE_TYPES: Readonly<Record<string, GpuInstanceType>> = {
  "g4dn.xlarge": { vcpus: 4, gpus: 1, memoryMiB: 15_564 },
  "g4dn.2xlarge": { vcpus: 8, gpus: 1, memoryMiB: 31_129 },
  "g4dn.4xlarge": { vcpus: 16, gpus: 1, memoryMiB: 62_259 },
  "g4dn.8xlarge": { vcpus: 32, gpus: 1, memoryMiB: 124_518 },
  "g4dn.16xlarge": { vcpus: 64, gpus: 1, memoryMiB: 249_036 },
};

/** The least CPU (units) and memory any of `types` offers a task, or undefined for an unknown type. */
export function smallestHost(types: readonly string[]): { cpu: number; memoryMiB: number } | undefined {
  const known = types.map((t) => GPU_INSTANCE_TYPES[t]);
  if (known.length === 0 || known.some((k) => !k)) return undefined;
  return { cpu: Math.min(...known.map((k) => k.vcpus * 1024)), memoryMiB: Math.min(...known.map((k) => k.memoryMiB)) };
}
