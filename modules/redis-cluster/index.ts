import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import { Construct } from "constructs";
import { ComponentTags } from "../common/component-tags";
import { logRetentionProblem } from "../common/limits";
import { refuseProps } from "../common/props";
import { replicasPerShardProblem, shardsProblem, snapshotRetentionProblem } from "./rules";

/**
 * RED-3 under cluster mode (seed conflict 2): cluster mode has only database 0,
 * so each use gets a key prefix instead of the seed's DB 0-4. The braces are
 * Redis Cluster hash tags: every key of one use hashes to one slot, so the
 * multi-key commands Celery and the session store issue stay valid.
 */
export const REDIS_KEY_PREFIXES = {
  REDIS_PREFIX_CELERY_BROKER: "{celery-broker}:",
  REDIS_PREFIX_CELERY_RESULTS: "{celery-results}:",
  REDIS_PREFIX_SESSIONS: "{sessions}:",
  REDIS_PREFIX_PROGRESS: "{progress}:",
  REDIS_PREFIX_PHASE2_METRICS: "{phase2-metrics}:",
} as const;

export interface RedisClusterProps {
  /** Replication group id, e.g. `ecg-prod` (at most 40 characters). */
  readonly name: string;
  /** @default "7.0" (RED-1) */
  readonly engineVersion?: string;
  readonly nodeType: string;
  /** Node groups (shards) of cluster mode (RED-1: 3). */
  readonly shards: number;
  /** Replicas per shard (RED-1: 2); at least 1 for automatic failover. */
  readonly replicasPerShard: number;
  /** Private subnets, one per AZ. */
  readonly subnetIds: readonly string[];
  /** Redis-SG of the NET-4 matrix. */
  readonly securityGroupIds: readonly string[];
  /** Encrypts the data at rest and the snapshots (RED-2, SEC-4). */
  readonly kmsKeyArn: string;
  /** Daily snapshots kept, days (RED-2, DR-2). */
  readonly snapshotRetentionDays: number;
  /** KMS key of the slow-log group. */
  readonly logsKmsKeyArn: string;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** `prevent_destroy` on the replication group (production). @default false */
  readonly preventDestroy?: boolean;
}

/** Redis ACL key patterns of the RED-3 prefixes: the services' user reaches no other key. */
export const REDIS_KEY_PATTERNS = Object.values(REDIS_KEY_PREFIXES).map((prefix) => `~${prefix}*`);

/**
 * The card's "clustered Redis" (RED-1, RED-2): Redis in cluster mode over
 * several shards with replicas in other AZs, automatic failover, encryption
 * at rest with a customer key and in transit (TLS), daily snapshots, and the
 * slow log delivered to an encrypted log group.
 *
 * Clients authenticate with IAM (ElastiCache User Guide, "Authenticating with
 * IAM": Redis OSS 7.0+, TLS on): a SigV4 token valid 15 minutes, signed with
 * the task role, for one RBAC user. There is no AUTH token or password, so
 * no secret in the state, and nothing to rotate. The user group's mandatory
 * `default` user is switched off.
 */
export class RedisCluster extends Construct {
  readonly replicationGroup: ElasticacheReplicationGroup;
  /** The services' RBAC user (IAM authentication): its name is the user name clients sign tokens for. */
  readonly clientUser: ElasticacheUser;
  /** Resources of `elasticache:Connect` for `clientUser`: the replication group and the user (both are required). */
  readonly connectArns: readonly string[];
  /** Cluster-mode entry point; clients discover the shards from it. */
  readonly configurationEndpoint: string;
  readonly port = 6379;
  /** `rediss://<configuration endpoint>:6379` (TLS). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: RedisClusterProps) {
    super(scope, id);
    validate(id, props);
    const { name } = props;
    const engineVersion = props.engineVersion ?? "7.0";

    // Every user group needs a user named "default"; this one can do nothing ("off").
    const defaultUser = new ElasticacheUser(this, "default-user", {
      userId: `${name}-default`,
      userName: "default",
      engine: "redis",
      accessString: "off -@all",
      authenticationMode: { type: "no-password-required" },
    });
    // IAM authentication wants the user id and name identical and lower-case.
    this.clientUser = new ElasticacheUser(this, "client-user", {
      userId: `${name}-app`,
      userName: `${name}-app`,
      engine: "redis",
      // The RED-3 prefixes only (and any Pub/Sub channel, for Celery's result events); no admin or dangerous commands.
      accessString: `on ${REDIS_KEY_PATTERNS.join(" ")} &* +@all -@admin -@dangerous`,
      authenticationMode: { type: "iam" },
    });
    const users = new ElasticacheUserGroup(this, "user-group", {
      userGroupId: name,
      engine: "redis",
      userIds: [defaultUser.userId, this.clientUser.userId],
    });

    const subnets = new ElasticacheSubnetGroup(this, "subnet-group", {
      name,
      subnetIds: [...props.subnetIds],
      description: `${name}: private subnets`,
    });
    const slowLog = new CloudwatchLogGroup(this, "slow-log", {
      name: `/aws/elasticache/${name}/slow-log`,
      retentionInDays: props.logRetentionDays ?? 30,
      kmsKeyId: props.logsKmsKeyArn,
    });
    this.replicationGroup = new ElasticacheReplicationGroup(this, "replication-group", {
      replicationGroupId: name,
      description: `${name}: Celery broker and results, sessions, progress, Phase 2 metrics (RED-3)`,
      engine: "redis",
      engineVersion,
      nodeType: props.nodeType,
      port: this.port,
      // Cluster mode (RED-1): AWS's cluster-enabled parameter group of the engine family.
      parameterGroupName: "default.redis7.cluster.on",
      numNodeGroups: props.shards,
      replicasPerNodeGroup: props.replicasPerShard,
      subnetGroupName: subnets.name,
      securityGroupIds: [...props.securityGroupIds],
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: "true",
      kmsKeyId: props.kmsKeyArn,
      transitEncryptionEnabled: true,
      userGroupIds: [users.userGroupId],
      snapshotRetentionLimit: props.snapshotRetentionDays,
      snapshotWindow: "18:00-19:00", // 03:00-04:00 KST
      maintenanceWindow: "sun:19:30-sun:20:30",
      autoMinorVersionUpgrade: "true",
      applyImmediately: false,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
      logDeliveryConfiguration: [{ destination: slowLog.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" }],
    });
    this.connectArns = [this.replicationGroup.arn, this.clientUser.arn];
    this.configurationEndpoint = this.replicationGroup.configurationEndpointAddress;
    this.url = `rediss://${this.configurationEndpoint}:${this.port}`;
    ComponentTags.apply(this, "cache");
  }
}

function validate(id: string, props: RedisClusterProps): void {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(props.name ?? "") || props.name.endsWith("-") || props.name.includes("--")) {
    problems.push(
      `name: "${props.name ?? ""}" must be 1-40 lower-case letters, digits or single hyphens, starting with a letter (replication group id)`,
    );
  }
  const version = props.engineVersion ?? "7.0";
  // default.redis7.cluster.on is the family's cluster-mode group; Redis 6's family is named differently (redis6.x).
  if (!/^7\.\d+$/.test(version))
    problems.push(
      `engineVersion: "${version}" must be a Redis 7 version (7.0, 7.1): the cluster-mode parameter group is default.redis7.cluster.on`,
    );
  if (!/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(props.nodeType ?? ""))
    problems.push(`nodeType: "${props.nodeType ?? ""}" is not an ElastiCache node type`);
  const shards = shardsProblem(props.shards);
  if (shards) problems.push(`shards: ${shards}`);
  const replicas = replicasPerShardProblem(props.replicasPerShard);
  if (replicas) problems.push(`replicasPerShard: ${replicas}`);
  if ((props.subnetIds ?? []).length < 2)
    problems.push(`subnetIds: ${props.subnetIds?.length ?? 0} given; Multi-AZ needs subnets in at least 2 AZs`);
  if ((props.securityGroupIds ?? []).length < 1) problems.push("securityGroupIds: at least one security group is required");
  const snapshots = snapshotRetentionProblem(props.snapshotRetentionDays);
  if (snapshots) problems.push(`snapshotRetentionDays: ${snapshots}`);
  const retention = logRetentionProblem(props.logRetentionDays ?? 30);
  if (retention) problems.push(`logRetentionDays: ${retention}`);
  refuseProps("RedisCluster", id, problems);
}
