import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Construct } from "constructs";
import { refuseProps } from "../common/props";
import { dashboardBody, expression, metric, type MetricLine, type MetricWidget } from "./dashboard-widgets";
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
import { type MonitoredSystem, monitoredSystemProblems, namePrefixProblem } from "./monitored-system";

export interface DashboardsProps extends MonitoredSystem {
  /** Prefix of the dashboards `<name>-system`, `<name>-gpu` and `<name>-application`. */
  readonly name: string;
  /** Region of the metrics (every widget names one). */
  readonly region: string;
}

/** Longest suffix the construct appends ("-application"); dashboard names hold at most 255 characters. */
const MAX_PREFIX = 255 - "-application".length;

/**
 * The three dashboards of MON-1: `<name>-system` (CPU, memory, disk, network of
 * the API service and the GPU hosts, and the ALB), `<name>-gpu` (per GPU fleet:
 * utilization, memory used %, temperature) and `<name>-application` (render
 * queue depth, job completion rate, frame drop rate, memory efficiency, DB
 * connection pool of the API). Dashboards are free up to three per account,
 * then billed per month each.
 */
export class Dashboards extends Construct {
  readonly system: CloudwatchDashboard;
  readonly gpu: CloudwatchDashboard;
  readonly application: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: DashboardsProps) {
    super(scope, id);
    validate(id, props);
    const { name, region } = props;
    const dashboard = (kind: string, widgets: MetricWidget[]) =>
      new CloudwatchDashboard(this, kind, { dashboardName: `${name}-${kind}`, dashboardBody: dashboardBody(region, widgets) });
    this.system = dashboard("system", systemWidgets(props));
    this.gpu = dashboard("gpu", gpuWidgets(props));
    this.application = dashboard("application", applicationWidgets(props));
    // CloudWatch dashboards take no tags, so no ComponentTags here.
  }
}

const fleetsOf = (props: MonitoredSystem) => Object.entries(props.gpuFleets);

function systemWidgets(props: DashboardsProps): MetricWidget[] {
  const service = { ClusterName: props.clusterName, ServiceName: props.apiServiceName };
  const alb = { LoadBalancer: props.loadBalancer.arnSuffix };
  const perFleet = (namespace: string, metricName: string, stat?: string): MetricLine[] =>
    fleetsOf(props).map(([fleet, asg]) =>
      metric(namespace, metricName, { [ASG_DIMENSION]: asg }, stat ? { label: fleet, stat } : { label: fleet }),
    );
  return [
    {
      title: "API service CPU and memory (%)",
      yMax: 100,
      metrics: [metric("AWS/ECS", "CPUUtilization", service), metric("AWS/ECS", "MemoryUtilization", service)],
    },
    { title: "GPU hosts CPU (%)", yMax: 100, metrics: perFleet("AWS/EC2", "CPUUtilization") },
    { title: "GPU hosts memory used (%)", yMax: 100, metrics: perFleet(CWAGENT_NAMESPACE, HOST_METRICS.memoryUsedPercent) },
    // The fullest mount point of the group (root volume or /scratch).
    { title: "GPU hosts disk used (%)", yMax: 100, stat: "Maximum", metrics: perFleet(CWAGENT_NAMESPACE, HOST_METRICS.diskUsedPercent) },
    {
      title: "GPU hosts network (bytes)",
      stat: "Sum",
      metrics: fleetsOf(props).flatMap(([fleet, asg]) => [
        metric("AWS/EC2", "NetworkIn", { [ASG_DIMENSION]: asg }, { label: `${fleet} in` }),
        metric("AWS/EC2", "NetworkOut", { [ASG_DIMENSION]: asg }, { label: `${fleet} out` }),
      ]),
    },
    {
      title: "ALB requests and 5xx",
      stat: "Sum",
      metrics: [
        metric("AWS/ApplicationELB", "RequestCount", alb),
        metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", alb),
        metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", alb),
      ],
    },
    {
      title: "ALB target response time (s)",
      metrics: [
        metric("AWS/ApplicationELB", "TargetResponseTime", alb, { stat: "p90" }),
        metric("AWS/ApplicationELB", "TargetResponseTime", alb, { stat: "Average" }),
      ],
    },
    {
      title: "ALB traffic (bytes)",
      stat: "Sum",
      // ALBs publish the bytes they process in both directions as one metric.
      metrics: [metric("AWS/ApplicationELB", "ProcessedBytes", alb)],
    },
  ];
}

function gpuWidgets(props: DashboardsProps): MetricWidget[] {
  return fleetsOf(props).flatMap(([fleet, asg]): MetricWidget[] => {
    const dimensions = { [ASG_DIMENSION]: asg };
    return [
      { title: `${fleet}: GPU utilization (%)`, yMax: 100, metrics: [metric(CWAGENT_NAMESPACE, GPU_METRICS.utilization, dimensions)] },
      {
        title: `${fleet}: GPU memory used (%)`,
        yMax: 100,
        stat: "Maximum",
        // The agent reports MiB; the share is what matters across GPU sizes.
        metrics: [
          expression({ id: "memoryUsedPercent", expression: "100 * used / total", label: "GPU memory used %" }),
          metric(CWAGENT_NAMESPACE, GPU_METRICS.memoryUsed, dimensions, { id: "used", visible: false }),
          metric(CWAGENT_NAMESPACE, GPU_METRICS.memoryTotal, dimensions, { id: "total", visible: false }),
        ],
      },
      {
        title: `${fleet}: GPU temperature (°C)`,
        stat: "Maximum",
        metrics: [metric(CWAGENT_NAMESPACE, GPU_METRICS.temperature, dimensions)],
      },
    ];
  });
}

function applicationWidgets(props: DashboardsProps): MetricWidget[] {
  const environment = { [ENVIRONMENT_DIMENSION]: props.environment };
  return [
    {
      title: "Render queue depth (waiting jobs)",
      stat: "Maximum",
      metrics: [metric(RENDER_NAMESPACE, RENDER_METRICS.queueDepth, environment)],
    },
    {
      title: "Render job completion rate (%)",
      yMax: 100,
      stat: "Sum",
      period: 300,
      metrics: [
        expression({ id: "completionRate", expression: "100 * completed / (completed + failed)", label: "Completed %" }),
        metric(RENDER_NAMESPACE, RENDER_METRICS.jobsCompleted, environment, { id: "completed", visible: false }),
        metric(RENDER_NAMESPACE, RENDER_METRICS.jobsFailed, environment, { id: "failed", visible: false }),
      ],
    },
    {
      title: "Render jobs (count)",
      stat: "Sum",
      period: 300,
      metrics: [
        metric(RENDER_NAMESPACE, RENDER_METRICS.jobsCompleted, environment),
        metric(RENDER_NAMESPACE, RENDER_METRICS.jobsFailed, environment),
      ],
    },
    { title: "Frame drop rate (%)", yMax: 100, metrics: [metric(RENDER_NAMESPACE, RENDER_METRICS.frameDropRate, environment)] },
    { title: "Render memory efficiency (%)", yMax: 100, metrics: [metric(RENDER_NAMESPACE, RENDER_METRICS.memoryEfficiency, environment)] },
    {
      title: "API database pool utilization (%)",
      yMax: 100,
      stat: "Maximum",
      metrics: [
        expression({ id: "poolUtilization", expression: "100 * inUse / size", label: "Pool in use %" }),
        metric(API_NAMESPACE, API_METRICS.dbPoolInUse, environment, { id: "inUse", visible: false }),
        metric(API_NAMESPACE, API_METRICS.dbPoolSize, environment, { id: "size", visible: false }),
      ],
    },
  ];
}

function validate(id: string, props: DashboardsProps): void {
  const problems: string[] = [];
  const name = namePrefixProblem(props.name, MAX_PREFIX);
  if (name) problems.push(`name: ${name}`);
  if (!props.region?.trim()) problems.push("region: must not be empty");
  problems.push(...monitoredSystemProblems(props));
  refuseProps("Dashboards", id, problems);
}
