import type { Severity } from "./alarm-topics";
import {
  API_METRICS,
  API_NAMESPACE,
  ASG_DIMENSION,
  CWAGENT_NAMESPACE,
  ENVIRONMENT_DIMENSION,
  GPU_METRICS,
  HOST_METRICS,
  RENDER_METRICS,
  RENDER_NAMESPACE,
} from "./metrics";
import type { MonitoredSystem } from "./monitored-system";

/** One metric an alarm reads. */
interface MetricRead {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** A statistic (`Average`, `Maximum`, `Sum`, `Minimum`) or a percentile (`p90`). */
  readonly stat: string;
}

/** Metric math over named metrics (ids: lower-case first letter, CloudWatch's rule). */
export interface MetricMath {
  readonly expression: string;
  readonly label: string;
  readonly metrics: Readonly<Record<string, MetricRead>>;
}

/**
 * What CloudWatch does with periods without data:
 * - breaching: silence is itself a failure (a publisher that must always report stopped);
 * - notBreaching: silence means nothing is there to go wrong (scaled to zero, no traffic);
 * - missing: keep the current state (an AWS-published metric: a gap is a delivery delay, not a signal).
 */
type MissingData = "breaching" | "notBreaching" | "missing";

/** An alarm before it becomes a resource. */
export interface AlarmSpec {
  readonly severity: Severity;
  /** Unique per construct; the alarm is named `<name>-<key>`. */
  readonly key: string;
  readonly description: string;
  readonly comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  readonly threshold: number;
  /** Seconds per data point. */
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: MissingData;
  readonly metric: MetricRead | MetricMath;
}

/** The PostgreSQL instances watched. Only same-region replicas: an alarm reads the metrics of its own region. */
interface DatabaseAlarmTargets {
  /** DB instance identifier of the primary. */
  readonly instanceIdentifier: string;
  /** Identifiers of the read replicas in this region. @default [] */
  readonly replicaIdentifiers?: readonly string[];
  /** Free storage below which the primary pages. @default 10 */
  readonly minimumFreeStorageGiB?: number;
  /** Replica lag above which a warning is raised. @default 60 */
  readonly maximumReplicaLagSeconds?: number;
}

/**
 * The Redis replication group in cluster mode. ElastiCache publishes its
 * metrics per node with dimension `CacheClusterId`, the member cluster
 * `<group>-<shard, 4 digits>-<node, 3 digits>` (no ReplicationGroupId
 * dimension), so the members are derived from the shape of the group.
 */
interface RedisAlarmTargets {
  readonly replicationGroupId: string;
  readonly shards: number;
  readonly replicasPerShard: number;
}

export interface AlarmTargets extends MonitoredSystem {
  readonly database: DatabaseAlarmTargets;
  readonly redis: RedisAlarmTargets;
  /**
   * The render fleet keeps at least one host at all times, so the render
   * service always publishes the queue depth and silence is a failure.
   * @default true
   */
  readonly renderAlwaysRunning?: boolean;
  /** Share of 5xx responses (target and ALB) of at least 10 requests a minute that pages. @default 5 */
  readonly http5xxPercent?: number;
}

/** `for 5 minutes`: five one-minute data points, all breaching. */
const FIVE_MINUTES = { period: 60, evaluationPeriods: 5, datapointsToAlarm: 5 } as const;

const GIB = 1024 ** 3;

/** Member clusters of one shard: the primary and its replicas. */
function redisShardMembers(redis: RedisAlarmTargets, shard: number): string[] {
  const group = String(shard).padStart(4, "0");
  return Array.from(
    { length: redis.replicasPerShard + 1 },
    (_, node) => `${redis.replicationGroupId}-${group}-${String(node + 1).padStart(3, "0")}`,
  );
}

/** MAX over the nodes of a shard, which is one time series (what an alarm needs). */
function perShardMaximum(redis: RedisAlarmTargets, shard: number, metricName: string, stat: string, label: string): MetricMath {
  const members = redisShardMembers(redis, shard);
  const metrics = Object.fromEntries(
    members.map((member, i) => [
      `node${i + 1}`,
      { namespace: "AWS/ElastiCache", metricName, dimensions: { CacheClusterId: member }, stat },
    ]),
  );
  return { expression: `MAX([${Object.keys(metrics).join(", ")}])`, label, metrics };
}

/** The critical alarms of MON-2 and the critical basics of the data stores. */
export function criticalAlarms(t: AlarmTargets): AlarmSpec[] {
  const environment = { [ENVIRONMENT_DIMENSION]: t.environment };
  const alb = { LoadBalancer: t.loadBalancer.arnSuffix };
  const database = t.database;
  const specs: AlarmSpec[] = [];
  for (const [fleet, asg] of Object.entries(t.gpuFleets)) {
    const dimensions = { [ASG_DIMENSION]: asg };
    specs.push({
      severity: "critical",
      key: `gpu-memory-${fleet}`,
      description: `GPU memory of the ${fleet} fleet above 90% for 5 minutes (MON-2): models or frames will fail to allocate`,
      comparison: "GreaterThanThreshold",
      threshold: 90,
      ...FIVE_MINUTES,
      // No hosts, no data: the fleets may scale to zero.
      treatMissingData: "notBreaching",
      metric: {
        // Maximum of both: the fullest GPU of the group (all GPUs of a fleet are one model).
        expression: "100 * used / total",
        label: "GPU memory used %",
        metrics: {
          used: { namespace: CWAGENT_NAMESPACE, metricName: GPU_METRICS.memoryUsed, dimensions, stat: "Maximum" },
          total: { namespace: CWAGENT_NAMESPACE, metricName: GPU_METRICS.memoryTotal, dimensions, stat: "Maximum" },
        },
      },
    });
  }
  specs.push(
    {
      severity: "critical",
      key: "render-queue-depth",
      description: "More than 100 render jobs waiting for 5 minutes (MON-2)",
      comparison: "GreaterThanThreshold",
      threshold: 100,
      ...FIVE_MINUTES,
      // The render service must publish the depth every minute, zeros included:
      // silence means nobody watches the queue; unless its fleet may scale to
      // zero hosts (then nobody runs to publish, and the queue waits for scale-out).
      treatMissingData: t.renderAlwaysRunning === false ? "notBreaching" : "breaching",
      metric: { namespace: RENDER_NAMESPACE, metricName: RENDER_METRICS.queueDepth, dimensions: environment, stat: "Maximum" },
    },
    {
      severity: "critical",
      key: "frame-drop-rate",
      description: "Render frame drop rate above 5% for 5 minutes (MON-2)",
      comparison: "GreaterThanThreshold",
      threshold: 5,
      ...FIVE_MINUTES,
      // Published only while jobs render: an idle renderer drops no frames.
      treatMissingData: "notBreaching",
      metric: { namespace: RENDER_NAMESPACE, metricName: RENDER_METRICS.frameDropRate, dimensions: environment, stat: "Average" },
    },
    {
      severity: "critical",
      key: "db-pool-exhausted",
      description: "An API task's database connection pool fully in use for 3 minutes (MON-2): requests wait for connections",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 100,
      period: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      // Published by running API tasks only; the ECS service alarms cover a service without tasks.
      treatMissingData: "notBreaching",
      metric: {
        // Maximum of both: the busiest task against its pool (every task has the same pool size).
        expression: "100 * inUse / size",
        label: "DB pool in use %",
        metrics: {
          inUse: { namespace: API_NAMESPACE, metricName: API_METRICS.dbPoolInUse, dimensions: environment, stat: "Maximum" },
          size: { namespace: API_NAMESPACE, metricName: API_METRICS.dbPoolSize, dimensions: environment, stat: "Maximum" },
        },
      },
    },
    {
      severity: "critical",
      key: "alb-5xx",
      description: `More than ${t.http5xxPercent ?? 5}% of the API's requests answered 5xx (targets or ALB) for 3 minutes, at 10 or more requests a minute`,
      comparison: "GreaterThanThreshold",
      threshold: t.http5xxPercent ?? 5,
      period: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      // ELB publishes counts only when there are requests: no traffic, no errors.
      treatMissingData: "notBreaching",
      metric: {
        // A share, not a count, so the threshold holds at any traffic; below 10
        // requests a minute one failed request would be 10% or more, so it counts as 0.
        expression: "IF(requests >= 10, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)",
        label: "5xx % of requests",
        metrics: {
          requests: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions: alb, stat: "Sum" },
          target5xx: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: alb, stat: "Sum" },
          elb5xx: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", dimensions: alb, stat: "Sum" },
        },
      },
    },
    {
      severity: "critical",
      key: "rds-free-storage",
      // Critical: a full volume stops every write (RDS sets the instance to storage-full).
      description: `PostgreSQL primary has less than ${database.minimumFreeStorageGiB ?? 10} GiB of free storage`,
      comparison: "LessThanThreshold",
      threshold: (database.minimumFreeStorageGiB ?? 10) * GIB,
      period: 300,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // RDS publishes it every minute while the instance runs: a gap is a delivery delay.
      treatMissingData: "missing",
      metric: {
        namespace: "AWS/RDS",
        metricName: "FreeStorageSpace",
        dimensions: { DBInstanceIdentifier: database.instanceIdentifier },
        stat: "Minimum",
      },
    },
  );
  // Per target group, so a canary's slice is judged on its own: at 10% on the
  // new version, the whole ALB's 5xx share stays under 5% even if every new task fails half its requests.
  for (const [group, targetGroup] of Object.entries(t.loadBalancer.targetGroups)) {
    const dimensions = { TargetGroup: targetGroup, LoadBalancer: t.loadBalancer.arnSuffix };
    specs.push(
      {
        severity: "critical",
        key: `alb-unhealthy-hosts-${group}`,
        description: `An API target of the ${group} target group failed its ALB health checks for 2 minutes`,
        comparison: "GreaterThanThreshold",
        threshold: 0,
        period: 60,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        // A rollback alarm must act on evidence only; a gap (an empty group) is no evidence.
        treatMissingData: "notBreaching",
        // The target-group metric exists only with both dimensions.
        metric: { namespace: "AWS/ApplicationELB", metricName: "UnHealthyHostCount", dimensions, stat: "Maximum" },
      },
      {
        severity: "critical",
        key: `target-5xx-${group}`,
        description: `More than ${t.http5xxPercent ?? 5}% of the requests the ${group} target group served answered 5xx by its targets for 2 minutes, at 10 or more requests a minute`,
        comparison: "GreaterThanThreshold",
        threshold: t.http5xxPercent ?? 5,
        period: 60,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        // No requests to the group (it is idle between releases), no errors.
        treatMissingData: "notBreaching",
        metric: {
          expression: "IF(requests >= 10, 100 * FILL(errors, 0) / requests, 0)",
          label: "5xx % of the group's requests",
          metrics: {
            requests: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions, stat: "Sum" },
            errors: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions, stat: "Sum" },
          },
        },
      },
    );
  }
  for (let shard = 1; shard <= t.redis.shards; shard++) {
    specs.push({
      severity: "critical",
      key: `redis-memory-shard-${shard}`,
      // Critical: the Celery broker's keys have no TTL, so a full node refuses
      // writes (OOM) instead of evicting them, and no render job can be queued.
      description: `A node of Redis shard ${shard} uses more than 90% of its maxmemory for 5 minutes`,
      comparison: "GreaterThanThreshold",
      threshold: 90,
      ...FIVE_MINUTES,
      // ElastiCache publishes it every minute: a gap is a delivery delay.
      treatMissingData: "missing",
      metric: perShardMaximum(t.redis, shard, "DatabaseMemoryUsagePercentage", "Maximum", "Memory used % (fullest node)"),
    });
  }
  return specs;
}

/** The warning alarms of MON-2 and the warning basics of the data stores. */
export function warningAlarms(t: AlarmTargets): AlarmSpec[] {
  const service = { ClusterName: t.clusterName, ServiceName: t.apiServiceName };
  const database = t.database;
  const specs: AlarmSpec[] = [
    {
      severity: "warning",
      key: "api-cpu",
      description: "Backend API service CPU above 80% for 5 minutes (MON-2)",
      comparison: "GreaterThanThreshold",
      threshold: 80,
      ...FIVE_MINUTES,
      // A service scaled to zero tasks publishes nothing.
      treatMissingData: "notBreaching",
      metric: { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: service, stat: "Average" },
    },
    {
      severity: "warning",
      key: "api-memory",
      description: "Backend API service memory above 85% for 5 minutes (MON-2)",
      comparison: "GreaterThanThreshold",
      threshold: 85,
      ...FIVE_MINUTES,
      treatMissingData: "notBreaching",
      metric: { namespace: "AWS/ECS", metricName: "MemoryUtilization", dimensions: service, stat: "Average" },
    },
  ];
  for (const [fleet, asg] of Object.entries(t.gpuFleets)) {
    const dimensions = { [ASG_DIMENSION]: asg };
    specs.push(
      {
        severity: "warning",
        key: `host-cpu-${fleet}`,
        // Average: CPU load is shared by scaling out; one busy render host is normal.
        description: `CPU of the ${fleet} GPU hosts above 80% on average for 5 minutes (MON-2)`,
        comparison: "GreaterThanThreshold",
        threshold: 80,
        ...FIVE_MINUTES,
        // The fleets may scale to zero hosts.
        treatMissingData: "notBreaching",
        metric: { namespace: "AWS/EC2", metricName: "CPUUtilization", dimensions, stat: "Average" },
      },
      {
        severity: "warning",
        key: `host-memory-${fleet}`,
        // Maximum: one host out of memory kills its task whatever the others do.
        description: `Memory of a ${fleet} GPU host above 85% for 5 minutes (MON-2)`,
        comparison: "GreaterThanThreshold",
        threshold: 85,
        ...FIVE_MINUTES,
        treatMissingData: "notBreaching",
        metric: { namespace: CWAGENT_NAMESPACE, metricName: HOST_METRICS.memoryUsedPercent, dimensions, stat: "Maximum" },
      },
      {
        severity: "warning",
        key: `host-disk-${fleet}`,
        // Maximum over hosts and mount points: the root volume or /scratch of one host filling up.
        description: `A disk of a ${fleet} GPU host above 80% used for 5 minutes (MON-2)`,
        comparison: "GreaterThanThreshold",
        threshold: 80,
        ...FIVE_MINUTES,
        treatMissingData: "notBreaching",
        metric: { namespace: CWAGENT_NAMESPACE, metricName: HOST_METRICS.diskUsedPercent, dimensions, stat: "Maximum" },
      },
    );
  }
  specs.push(
    {
      severity: "warning",
      key: "alb-response-time",
      // p90, not the average: an average hides the slow tail users wait on, and
      // p99 of a few requests a minute is one request.
      description: "90th percentile API response time above 2 seconds for 5 minutes (MON-2)",
      comparison: "GreaterThanThreshold",
      threshold: 2,
      ...FIVE_MINUTES,
      // No requests, no response time; a rollback alarm must act on evidence only.
      treatMissingData: "notBreaching",
      metric: {
        namespace: "AWS/ApplicationELB",
        metricName: "TargetResponseTime",
        dimensions: { LoadBalancer: t.loadBalancer.arnSuffix },
        stat: "p90",
      },
    },
    ...Object.entries(t.loadBalancer.targetGroups).map(
      ([group, targetGroup]): AlarmSpec => ({
        severity: "warning",
        key: `target-response-time-${group}`,
        // Per target group: a slow canary slice is judged on its own (see target-5xx-*).
        description: `90th percentile response time of the ${group} target group above 2 seconds for 3 minutes`,
        comparison: "GreaterThanThreshold",
        threshold: 2,
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: "notBreaching",
        metric: {
          namespace: "AWS/ApplicationELB",
          metricName: "TargetResponseTime",
          dimensions: { TargetGroup: targetGroup, LoadBalancer: t.loadBalancer.arnSuffix },
          stat: "p90",
        },
      }),
    ),
    ...[database.instanceIdentifier, ...(database.replicaIdentifiers ?? [])].map(
      (identifier, i): AlarmSpec => ({
        severity: "warning",
        key: i === 0 ? "rds-cpu" : `rds-cpu-replica-${i}`,
        // Warning: a busy database slows queries down but loses nothing (the MON-2 CPU rule).
        description: `PostgreSQL ${i === 0 ? "primary" : `replica ${i}`} CPU above 80% for 5 minutes`,
        comparison: "GreaterThanThreshold",
        threshold: 80,
        ...FIVE_MINUTES,
        // RDS publishes it every minute while the instance runs: a gap is a delivery delay.
        treatMissingData: "missing",
        metric: { namespace: "AWS/RDS", metricName: "CPUUtilization", dimensions: { DBInstanceIdentifier: identifier }, stat: "Average" },
      }),
    ),
    ...(database.replicaIdentifiers ?? []).map(
      (identifier, i): AlarmSpec => ({
        severity: "warning",
        key: `rds-replica-lag-${i + 1}`,
        // Warning: a lagging replica serves stale reads; the primary and its data are unaffected.
        description: `PostgreSQL replica ${i + 1} more than ${database.maximumReplicaLagSeconds ?? 60} s behind the primary for 5 minutes`,
        comparison: "GreaterThanThreshold",
        threshold: database.maximumReplicaLagSeconds ?? 60,
        ...FIVE_MINUTES,
        treatMissingData: "missing",
        metric: { namespace: "AWS/RDS", metricName: "ReplicaLag", dimensions: { DBInstanceIdentifier: identifier }, stat: "Maximum" },
      }),
    ),
  );
  for (let shard = 1; shard <= t.redis.shards; shard++) {
    specs.push({
      severity: "warning",
      key: `redis-engine-cpu-shard-${shard}`,
      // Warning: Redis runs commands on one thread; a busy one adds latency before anything fails.
      description: `The Redis engine thread of a node of shard ${shard} above 80% for 5 minutes`,
      comparison: "GreaterThanThreshold",
      threshold: 80,
      ...FIVE_MINUTES,
      treatMissingData: "missing",
      metric: perShardMaximum(t.redis, shard, "EngineCPUUtilization", "Average", "Engine CPU % (busiest node)"),
    });
  }
  return specs;
}

/**
 * Keys of the alarms CodeDeploy watches to roll a deployment of the API back:
 * the ALB's 5xx share, and per target group its unhealthy hosts, 5xx share
 * and p90 response time (1 + 3 per group: 7 of CodeDeploy's 10 with two groups).
 */
export function deploymentAlarmKeys(t: Pick<AlarmTargets, "loadBalancer">): string[] {
  return [
    "alb-5xx",
    ...Object.keys(t.loadBalancer.targetGroups).flatMap((g) => [
      `alb-unhealthy-hosts-${g}`,
      `target-5xx-${g}`,
      `target-response-time-${g}`,
    ]),
  ];
}
