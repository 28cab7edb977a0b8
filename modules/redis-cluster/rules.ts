// ElastiCache's limits for a cluster-mode replication group: one rule each for the
// module's props and the environments' configuration.

const within = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;

export const shardsProblem = (shards: number): string | undefined =>
  within(shards, 1, 500) ? undefined : `${shards} must be 1-500: cluster mode needs at least one node group`;

export const replicasPerShardProblem = (replicas: number): string | undefined =>
  within(replicas, 1, 5) ? undefined : `${replicas} must be 1-5: automatic failover and Multi-AZ need a replica in every shard`;

export const snapshotRetentionProblem = (days: number): string | undefined =>
  within(days, 1, 35) ? undefined : `${days} must be 1-35 (daily snapshots, RED-2)`;
