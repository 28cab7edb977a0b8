import { StackModel } from "../policy/model";
import { blocks } from "../policy/rules/helpers";
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
import type { Json } from "../common/json";

/**
 * The metric contract (issue #13, item 12): every alarm, scaling policy and
 * dashboard widget must name a metric that something publishes, with a
 * dimension-name set it is published with. CloudWatch does not aggregate
 * across dimensions: a query for a metric with a dimension set it was not
 * published with is a different (empty) metric, so the alarm sits in
 * INSUFFICIENT_DATA and the scaling policy never scales, silently.
 *
 * Two sources of truth:
 * - AWS namespaces: the metrics and dimension sets of each service's
 *   documentation (cited per entry). Only the metrics the program reads (and a
 *   few neighbours) are listed; an unlisted metric fails, and is added here
 *   with its documented dimension sets.
 * - The program's own contract (CloudWatch agent, the services): the constants of
 *   {@link ./metrics}, not repeated here.
 */

/** Who must do something before a metric is published at all. */
type PublishingCondition =
  /** AWS/AutoScaling group metrics: the group must enable the metric (`enabled_metrics`, granularity 1Minute). */
  "asg-group-metrics";

export interface PublishedMetric {
  readonly namespace: string;
  readonly metricName: string;
  /** Each set of dimension names the metric is published with (`[]`: without dimensions). */
  readonly dimensionSets: readonly (readonly string[])[];
  readonly condition?: PublishingCondition;
  /** The documentation (or contract) that says it is published so. */
  readonly source: string;
}

const family = (
  namespace: string,
  metricNames: readonly string[],
  dimensionSets: readonly (readonly string[])[],
  source: string,
  condition?: PublishingCondition,
): PublishedMetric[] => metricNames.map((metricName) => ({ namespace, metricName, dimensionSets, source, condition }));

const ALB = "Elastic Load Balancing User Guide for Application Load Balancers, CloudWatch metrics: metric dimensions";
const ALB_TARGET_DIMENSIONS = [
  ["LoadBalancer"],
  ["AvailabilityZone", "LoadBalancer"],
  ["LoadBalancer", "TargetGroup"],
  ["AvailabilityZone", "LoadBalancer", "TargetGroup"],
];
const EC2_DIMENSIONS = [[], ["InstanceId"], ["AutoScalingGroupName"], ["ImageId"], ["InstanceType"]];
const RDS_DIMENSIONS = [[], ["DBInstanceIdentifier"], ["DatabaseClass"], ["EngineName"]];
const ELASTICACHE_DIMENSIONS = [[], ["CacheClusterId"], ["CacheClusterId", "CacheNodeId"]];

/** AWS namespaces: what the services publish, per their documentation. */
const AWS_METRICS: PublishedMetric[] = [
  ...family(
    "AWS/ECS",
    ["CPUUtilization", "MemoryUtilization"],
    [["ClusterName"], ["ClusterName", "ServiceName"]],
    "Amazon ECS Developer Guide, ECS CloudWatch metrics: service utilization by ClusterName, ServiceName; cluster utilization by ClusterName",
  ),
  ...family(
    "AWS/ECS",
    ["CPUReservation", "MemoryReservation"],
    [["ClusterName"]],
    "Amazon ECS Developer Guide, ECS CloudWatch metrics: cluster reservation by ClusterName",
  ),
  ...family(
    "AWS/ApplicationELB",
    [
      "RequestCount",
      "HTTPCode_Target_2XX_Count",
      "HTTPCode_Target_3XX_Count",
      "HTTPCode_Target_4XX_Count",
      "HTTPCode_Target_5XX_Count",
      "TargetResponseTime",
      "TargetConnectionErrorCount",
    ],
    ALB_TARGET_DIMENSIONS,
    `${ALB}: LoadBalancer; AvailabilityZone, LoadBalancer; TargetGroup, LoadBalancer; TargetGroup, AvailabilityZone, LoadBalancer`,
  ),
  ...family(
    "AWS/ApplicationELB",
    [
      "HTTPCode_ELB_4XX_Count",
      "HTTPCode_ELB_5XX_Count",
      "ProcessedBytes",
      "ActiveConnectionCount",
      "NewConnectionCount",
      "RejectedConnectionCount",
      "ConsumedLCUs",
    ],
    [["LoadBalancer"], ["AvailabilityZone", "LoadBalancer"]],
    `${ALB}: load balancer metrics by LoadBalancer; AvailabilityZone, LoadBalancer`,
  ),
  ...family(
    "AWS/ApplicationELB",
    ["HealthyHostCount", "UnHealthyHostCount"],
    [
      ["LoadBalancer", "TargetGroup"],
      ["AvailabilityZone", "LoadBalancer", "TargetGroup"],
    ],
    `${ALB}: target health by TargetGroup, LoadBalancer; TargetGroup, AvailabilityZone, LoadBalancer`,
  ),
  ...family(
    "AWS/ApplicationELB",
    ["RequestCountPerTarget"],
    [["TargetGroup"], ["LoadBalancer", "TargetGroup"]],
    `${ALB}: RequestCountPerTarget by TargetGroup; TargetGroup, LoadBalancer`,
  ),
  ...family(
    "AWS/EC2",
    [
      "CPUUtilization",
      "NetworkIn",
      "NetworkOut",
      "NetworkPacketsIn",
      "NetworkPacketsOut",
      "StatusCheckFailed",
      "StatusCheckFailed_Instance",
      "StatusCheckFailed_System",
    ],
    EC2_DIMENSIONS,
    "Amazon EC2 User Guide, instance metrics: dimensions InstanceId, AutoScalingGroupName (instances of an Auto Scaling group, basic or detailed monitoring), ImageId, InstanceType, or none",
  ),
  ...family(
    "AWS/RDS",
    [
      "CPUUtilization",
      "FreeStorageSpace",
      "FreeableMemory",
      "DatabaseConnections",
      "ReadLatency",
      "WriteLatency",
      "ReadIOPS",
      "WriteIOPS",
      "ReplicaLag",
      "DiskQueueDepth",
    ],
    RDS_DIMENSIONS,
    "Amazon RDS User Guide, CloudWatch metrics for RDS: instance metrics by DBInstanceIdentifier, DatabaseClass, EngineName, or for the Region",
  ),
  ...family(
    "AWS/ElastiCache",
    [
      "CPUUtilization",
      "EngineCPUUtilization",
      "DatabaseMemoryUsagePercentage",
      "FreeableMemory",
      "CurrConnections",
      "Evictions",
      "ReplicationLag",
      "CacheHits",
      "CacheMisses",
      "SwapUsage",
    ],
    ELASTICACHE_DIMENSIONS,
    "Amazon ElastiCache User Guide, host-level and Redis OSS metrics: published per node (CacheClusterId, CacheNodeId) and per cluster (CacheClusterId)",
  ),
  ...family(
    "AWS/AutoScaling",
    [
      "GroupMinSize",
      "GroupMaxSize",
      "GroupDesiredCapacity",
      "GroupInServiceInstances",
      "GroupPendingInstances",
      "GroupStandbyInstances",
      "GroupTerminatingInstances",
      "GroupTotalInstances",
      "GroupInServiceCapacity",
      "GroupPendingCapacity",
      "GroupStandbyCapacity",
      "GroupTerminatingCapacity",
      "GroupTotalCapacity",
    ],
    [["AutoScalingGroupName"]],
    "Amazon EC2 Auto Scaling User Guide, CloudWatch metrics for Auto Scaling: group metrics by AutoScalingGroupName, reported only if metrics collection is enabled (EnableMetricsCollection, granularity 1Minute)",
    "asg-group-metrics",
  ),
  ...family(
    "AWS/NATGateway",
    ["ErrorPortAllocation", "PacketsDropCount", "ActiveConnectionCount", "ConnectionAttemptCount", "BytesOutToDestination"],
    [["NatGatewayId"]],
    "Amazon VPC User Guide, NAT gateway CloudWatch metrics: dimension NatGatewayId",
  ),
  ...family(
    "AWS/Lambda",
    ["Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"],
    [[], ["FunctionName"], ["FunctionName", "Resource"], ["FunctionName", "ExecutedVersion", "Resource"]],
    "AWS Lambda Developer Guide, function metrics: dimensions FunctionName; FunctionName, Resource (alias or version); ExecutedVersion; or none",
  ),
  ...family(
    "AWS/Route53",
    ["HealthCheckStatus", "HealthCheckPercentageHealthy"],
    [["HealthCheckId"]],
    "Amazon Route 53 Developer Guide, health check metrics (us-east-1): dimension HealthCheckId",
  ),
  ...family(
    "AWS/CloudFront",
    ["Requests", "BytesDownloaded", "4xxErrorRate", "5xxErrorRate", "TotalErrorRate"],
    [["DistributionId", "Region"]],
    "Amazon CloudFront Developer Guide, distribution metrics (us-east-1): dimensions DistributionId, Region = Global",
  ),
  ...family(
    "AWS/WAFV2",
    ["AllowedRequests", "BlockedRequests", "CountedRequests"],
    [
      ["Region", "Rule", "WebACL"],
      ["Rule", "WebACL"],
    ],
    "AWS WAF Developer Guide, WAF metrics and dimensions: Region, Rule, WebACL (REGIONAL); Rule, WebACL (CLOUDFRONT, us-east-1)",
  ),
];

/** The program's own publishers: the CloudWatch agent config and the services (modules/observability/metrics.ts). */
const CONTRACT_METRICS: PublishedMetric[] = [
  ...family(
    CWAGENT_NAMESPACE,
    [...Object.values(GPU_METRICS), ...Object.values(HOST_METRICS)],
    [[ASG_DIMENSION]],
    "CloudWatchAgentConfig (agent-config.ts): aggregation_dimensions [[AutoScalingGroupName]], the only set the program reads (metrics.ts)",
  ),
  ...family(
    RENDER_NAMESPACE,
    Object.values(RENDER_METRICS),
    [[ENVIRONMENT_DIMENSION]],
    "The render service's contract (metrics.ts): exactly one dimension, Environment",
  ),
  ...family(
    API_NAMESPACE,
    Object.values(API_METRICS),
    [[ENVIRONMENT_DIMENSION]],
    "The Backend API's contract (metrics.ts): exactly one dimension, Environment",
  ),
];

/** Every metric the program may read, with the dimension sets it is published with. */
export const PUBLISHED_METRICS: readonly PublishedMetric[] = [...AWS_METRICS, ...CONTRACT_METRICS];

/** The catalog entry of a metric, or undefined when nothing publishes it. */
export function publishedMetric(
  namespace: string,
  metricName: string,
  catalog: readonly PublishedMetric[] = PUBLISHED_METRICS,
): PublishedMetric | undefined {
  return catalog.find((m) => m.namespace === namespace && m.metricName === metricName);
}

/** A metric one alarm, scaling policy or dashboard widget reads. */
export interface MetricReference {
  readonly stack: string;
  /** Resource address, with where in it: `aws_cloudwatch_metric_alarm.x metric_query[used]`. */
  readonly where: string;
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension name → value (values may be Terraform expressions). */
  readonly dimensions: Readonly<Record<string, string>>;
}

/** `metric_dimension` / `dimensions` blocks `[{name, value}]` → a record. */
const dimensionBlocks = (value: unknown): Record<string, string> => Object.fromEntries(blocks(value).map((d) => [d.name, d.value]));

/** A metric_stat/metric block of the scaling APIs. */
const statMetric = (stack: string, where: string, metric: Json): MetricReference => ({
  stack,
  where,
  namespace: metric.namespace,
  metricName: metric.metric_name,
  dimensions: dimensionBlocks(metric.dimensions),
});

/** Every `metrics[]` entry's `metric_stat[].metric[]` (metric math of target tracking and predictive scaling). */
const mathMetrics = (stack: string, where: string, queries: unknown): MetricReference[] =>
  blocks(queries).flatMap((q) =>
    blocks(q.metric_stat).flatMap((s) => blocks(s.metric).map((m) => statMetric(stack, `${where}[${q.id}]`, m))),
  );

/** A customized metric specification: plain (namespace, metric_name, dimension blocks) or metric math (`metrics`). */
const customized = (stack: string, where: string, spec: Json, dimensionsKey: string): MetricReference[] => [
  ...(spec.metric_name
    ? [{ stack, where, namespace: spec.namespace, metricName: spec.metric_name, dimensions: dimensionBlocks(spec[dimensionsKey]) }]
    : []),
  ...mathMetrics(stack, `${where} metrics`, spec.metrics),
];

/** Dashboard rows: `[namespace, metric, dimName, dimValue, ..., {options}]`; `"."` repeats the row above's entry. */
function dashboardMetrics(stack: string, address: string, body: Json): MetricReference[] {
  const found: MetricReference[] = [];
  blocks(body.widgets).forEach((widget, w) => {
    if (widget.type !== "metric") return;
    let previous: string[] = [];
    for (const row of blocks(widget.properties?.metrics) as unknown as unknown[][]) {
      const strings = row.filter((x): x is string => typeof x === "string");
      if (strings.length === 0) continue; // expression-only row: reads the ids of the other rows
      const parts = strings.map((s, i) => (s === "." ? previous[i] : s));
      previous = parts;
      const dimensions: Record<string, string> = {};
      for (let i = 2; i + 1 < parts.length; i += 2) dimensions[parts[i]] = parts[i + 1];
      found.push({
        stack,
        where: `${address} widgets[${w}] "${widget.properties?.title ?? ""}"`,
        namespace: parts[0],
        metricName: parts[1],
        dimensions,
      });
    }
  });
  return found;
}

/** What a stack's metric readers read, and what could not be read (a dashboard body that is not JSON). */
export function metricReferences(stack: string, terraform: Json): { references: MetricReference[]; unreadable: string[] } {
  const model = new StackModel(stack, terraform, false);
  const references: MetricReference[] = [];
  const unreadable: string[] = [];
  for (const alarm of model.ofType("aws_cloudwatch_metric_alarm")) {
    const c = alarm.config;
    if (c.metric_name)
      references.push({ stack, where: alarm.address, namespace: c.namespace, metricName: c.metric_name, dimensions: c.dimensions ?? {} });
    for (const q of blocks(c.metric_query)) {
      for (const m of blocks(q.metric)) {
        references.push({
          stack,
          where: `${alarm.address} metric_query[${q.id}]`,
          namespace: m.namespace,
          metricName: m.metric_name,
          dimensions: m.dimensions ?? {},
        });
      }
    }
  }
  for (const policy of model.ofType("aws_autoscaling_policy")) {
    for (const t of blocks(policy.config.target_tracking_configuration)) {
      for (const spec of blocks(t.customized_metric_specification))
        references.push(...customized(stack, `${policy.address} customized_metric_specification`, spec, "metric_dimension"));
    }
    for (const p of blocks(policy.config.predictive_scaling_configuration)) {
      for (const s of blocks(p.metric_specification)) {
        for (const key of [
          "customized_scaling_metric_specification",
          "customized_load_metric_specification",
          "customized_capacity_metric_specification",
        ]) {
          for (const spec of blocks(s[key]))
            references.push(...mathMetrics(stack, `${policy.address} ${key} metric_data_queries`, spec.metric_data_queries));
        }
      }
    }
  }
  for (const policy of model.ofType("aws_appautoscaling_policy")) {
    for (const t of blocks(policy.config.target_tracking_scaling_policy_configuration)) {
      for (const spec of blocks(t.customized_metric_specification))
        references.push(...customized(stack, `${policy.address} customized_metric_specification`, spec, "dimensions"));
    }
  }
  for (const dashboard of model.ofType("aws_cloudwatch_dashboard")) {
    let body: Json;
    try {
      body = JSON.parse(dashboard.config.dashboard_body);
    } catch {
      unreadable.push(`${stack} ${dashboard.address}: dashboard_body is not literal JSON, its metrics cannot be checked`);
      continue;
    }
    references.push(...dashboardMetrics(stack, dashboard.address, body));
  }
  return { references, unreadable };
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
const setText = (names: readonly string[]) => `{${[...names].sort().join(", ")}}`;

/** Why an AWS/AutoScaling group metric of `reference` is not published by its group, or undefined when it is. */
function groupMetricsProblem(model: StackModel, reference: MetricReference): string | undefined {
  const name = reference.dimensions[ASG_DIMENSION];
  const group =
    model.referenced(name) ?? model.ofType("aws_autoscaling_group").find((g) => typeof name === "string" && g.config.name === name);
  if (group?.type !== "aws_autoscaling_group")
    return `no aws_autoscaling_group of the stack is ${ASG_DIMENSION} "${name}", so none enables its group metrics`;
  const enabled: string[] = group.config.enabled_metrics ?? [];
  // metrics_granularity: the provider's default is 1Minute, the only valid value.
  const granularity = group.config.metrics_granularity ?? "1Minute";
  if (!enabled.includes(reference.metricName) || granularity !== "1Minute") {
    return `${group.address} does not enable ${reference.metricName} (enabled_metrics ${JSON.stringify(enabled)}, metrics_granularity ${granularity}): Auto Scaling publishes a group metric only when its collection is enabled`;
  }
  return undefined;
}

/**
 * A metric by AutoScalingGroupName is published under the group's own name
 * (the agent's `${aws:AutoScalingGroupName}`, EC2's and Auto Scaling's
 * metrics alike): a literal name must be the name of a group of the stack,
 * or the read waits for data that never comes.
 */
function groupNameProblem(model: StackModel, reference: MetricReference): string | undefined {
  const name = reference.dimensions[ASG_DIMENSION];
  if (typeof name !== "string" || name.includes("${")) return undefined;
  if (model.ofType("aws_autoscaling_group").some((g) => g.config.name === name)) return undefined;
  return `no aws_autoscaling_group of the stack is named "${name}", so nothing publishes under that ${ASG_DIMENSION}`;
}

/** One metric read that nothing publishes. */
export interface MetricContractProblem {
  readonly reference?: MetricReference;
  readonly problem: string;
}

/**
 * Every metric read of the stacks (stack name → cdk.tf.json) that nothing
 * publishes: an unknown (namespace, metric), a dimension-name set it is not
 * published with, a group metric its group does not enable, or an
 * AutoScalingGroupName that no group of the stack has. Other dimension
 * values are not checked (they are often expressions).
 */
export function metricContractProblems(
  stacks: Readonly<Record<string, Json>>,
  catalog: readonly PublishedMetric[] = PUBLISHED_METRICS,
): MetricContractProblem[] {
  const problems: MetricContractProblem[] = [];
  for (const [stack, terraform] of Object.entries(stacks)) {
    const model = new StackModel(stack, terraform, false);
    const { references, unreadable } = metricReferences(stack, terraform);
    problems.push(...unreadable.map((problem) => ({ problem })));
    for (const reference of references) {
      const at = `${stack} ${reference.where}: ${reference.namespace} ${reference.metricName} ${setText(Object.keys(reference.dimensions))}`;
      const published = publishedMetric(reference.namespace, reference.metricName, catalog);
      if (!published) {
        const known = catalog.filter((m) => m.namespace === reference.namespace).map((m) => m.metricName);
        problems.push({
          reference,
          problem: `${at}: nothing publishes ${reference.metricName} in ${reference.namespace}${known.length ? ` (published there: ${[...new Set(known)].join(", ")})` : " (unknown namespace)"}`,
        });
        continue;
      }
      const names = Object.keys(reference.dimensions);
      if (!published.dimensionSets.some((set) => sameSet(set, names))) {
        problems.push({
          reference,
          problem: `${at}: published only with ${published.dimensionSets.map(setText).join(" or ")} (${published.source}); CloudWatch does not aggregate across dimensions, so this reads an empty metric`,
        });
        continue;
      }
      const problem =
        published.condition === "asg-group-metrics" ? groupMetricsProblem(model, reference) : groupNameProblem(model, reference);
      if (problem) problems.push({ reference, problem: `${at}: ${problem}` });
    }
  }
  return problems;
}
