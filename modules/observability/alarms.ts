import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";
import { type AlarmSpec, type AlarmTargets, criticalAlarms, deploymentAlarmKeys, type MetricMath, warningAlarms } from "./alarm-specs";
import type { Severity } from "./alarm-topics";
import { monitoredSystemProblems, namePrefixProblem } from "./monitored-system";

export interface AlarmsProps extends AlarmTargets {
  /** Prefix of the alarm names `<name>-<key>`, e.g. `ecg-prod`. */
  readonly name: string;
  /** Topic ARN per severity (`AlarmTopics.topicArns`): alarm and OK notifications go there. */
  readonly topics: Readonly<Record<Severity, string>>;
}

/** Alarm names hold at most 255 characters; the longest key is about 30. */
const MAX_PREFIX = 200;

/** ElastiCache limits of a cluster-mode replication group. */
const MAX_SHARDS = 500;
const MAX_REPLICAS = 5;

/**
 * The alarms of MON-2, each notifying the topic of its severity when it fires
 * and when it recovers. Critical: GPU memory > 90%, render queue depth > 100,
 * frame drop rate > 5%, DB connection pool exhausted, ALB 5xx share, unhealthy
 * API targets, PostgreSQL free storage, Redis memory. Warning: CPU > 80% and
 * memory > 85% (API service, GPU hosts), disk > 80%, p90 response time > 2 s,
 * PostgreSQL CPU and replica lag, Redis engine CPU. Every threshold, period
 * and missing-data rule is in `alarm-specs.ts`, with the reason for it.
 */
export class Alarms extends Construct {
  /** Critical alarms by key (e.g. `render-queue-depth`, `gpu-memory-<fleet>`). */
  readonly critical: Readonly<Record<string, CloudwatchMetricAlarm>>;
  /** Warning alarms by key (e.g. `api-cpu`, `host-disk-<fleet>`). */
  readonly warning: Readonly<Record<string, CloudwatchMetricAlarm>>;
  /**
   * Names of the alarms a CodeDeploy deployment group watches to roll the API
   * back (ALB 5xx; per target group unhealthy hosts, 5xx, response time), as references to the
   * alarms, so that the deployment group is created after them.
   */
  readonly deploymentAlarmNames: readonly string[];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    validate(id, props);
    const alarm = (spec: AlarmSpec) => new CloudwatchMetricAlarm(this, spec.key, alarmConfig(props, spec));
    const byKey = (specs: AlarmSpec[]) => Object.fromEntries(specs.map((spec) => [spec.key, alarm(spec)]));
    this.critical = byKey(criticalAlarms(props));
    this.warning = byKey(warningAlarms(props));
    const all = { ...this.critical, ...this.warning };
    this.deploymentAlarmNames = deploymentAlarmKeys(props).map((key) => all[key].alarmName);
    ComponentTags.apply(this, "observability");
  }
}

const isMath = (metric: AlarmSpec["metric"]): metric is MetricMath => "expression" in metric;

function alarmConfig(props: AlarmsProps, spec: AlarmSpec): CloudwatchMetricAlarmConfig {
  const topic = props.topics[spec.severity];
  const common = {
    alarmName: `${props.name}-${spec.key}`,
    alarmDescription: `[${spec.severity}] ${spec.description}`,
    comparisonOperator: spec.comparison,
    threshold: spec.threshold,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm,
    treatMissingData: spec.treatMissingData,
    alarmActions: [topic],
    okActions: [topic],
  };
  const metric = spec.metric;
  if (isMath(metric)) {
    return {
      ...common,
      metricQuery: [
        { id: "result", expression: metric.expression, label: metric.label, returnData: true },
        ...Object.entries(metric.metrics).map(([id, m]) => ({
          id,
          returnData: false,
          metric: { namespace: m.namespace, metricName: m.metricName, dimensions: { ...m.dimensions }, period: spec.period, stat: m.stat },
        })),
      ],
    };
  }
  const percentile = /^p\d+(\.\d+)?$/.test(metric.stat);
  return {
    ...common,
    namespace: metric.namespace,
    metricName: metric.metricName,
    dimensions: { ...metric.dimensions },
    period: spec.period,
    ...(percentile
      ? // A percentile of a few samples is one sample: keep the state until there are enough.
        { extendedStatistic: metric.stat, evaluateLowSampleCountPercentiles: "ignore" }
      : { statistic: metric.stat }),
  };
}

function validate(id: string, props: AlarmsProps): void {
  const problems: string[] = [];
  const name = namePrefixProblem(props.name, MAX_PREFIX);
  if (name) problems.push(`name: ${name}`);
  problems.push(...monitoredSystemProblems(props));
  for (const severity of ["critical", "warning"] as const) {
    if (!props.topics?.[severity]?.trim()) problems.push(`topics.${severity}: must be the ARN of the ${severity} topic`);
  }
  const db = props.database;
  if (!db?.instanceIdentifier?.trim()) problems.push("database.instanceIdentifier: must not be empty");
  (db?.replicaIdentifiers ?? []).forEach((replica, i) => {
    if (!replica?.trim()) problems.push(`database.replicaIdentifiers[${i}]: must not be empty`);
    else if (!Token.isUnresolved(replica) && replica === db.instanceIdentifier)
      problems.push(`database.replicaIdentifiers[${i}]: "${replica}" is the primary`);
  });
  const storage = db?.minimumFreeStorageGiB;
  if (storage !== undefined && !(storage > 0 && storage <= 65536))
    problems.push(`database.minimumFreeStorageGiB: ${storage} must be above 0 and at most 65536 (RDS storage limit)`);
  const lag = db?.maximumReplicaLagSeconds;
  if (lag !== undefined && !(Number.isInteger(lag) && lag >= 1))
    problems.push(`database.maximumReplicaLagSeconds: ${lag} must be a whole number of seconds >= 1`);
  const redis = props.redis;
  if (!redis?.replicationGroupId?.trim()) problems.push("redis.replicationGroupId: must not be empty");
  if (!(Number.isInteger(redis?.shards) && redis.shards >= 1 && redis.shards <= MAX_SHARDS))
    problems.push(`redis.shards: ${redis?.shards} must be a whole number from 1 to ${MAX_SHARDS}`);
  if (!(Number.isInteger(redis?.replicasPerShard) && redis.replicasPerShard >= 0 && redis.replicasPerShard <= MAX_REPLICAS)) {
    problems.push(`redis.replicasPerShard: ${redis?.replicasPerShard} must be a whole number from 0 to ${MAX_REPLICAS}`);
  }
  const share = props.http5xxPercent;
  if (share !== undefined && !(share > 0 && share < 100)) problems.push(`http5xxPercent: ${share} must be above 0 and below 100`);
  refuseProps("Alarms", id, problems);
}
