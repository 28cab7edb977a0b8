/**
 * The metrics the dashboards and alarms read (MON-1, MON-2, MON-5).
 *
 * ## Host metrics (CloudWatch agent, MON-5)
 *
 * The agent config of `CloudWatchAgentConfig` publishes into {@link CWAGENT_NAMESPACE}.
 * Its `nvidia_gpu` plugin names each metric `nvidia_smi_<measurement>`; `mem`
 * and `disk` name theirs `<plugin>_<measurement>`. Every metric is also
 * published aggregated by `AutoScalingGroupName` alone (`aggregation_dimensions`),
 * which is the only dimension the dashboards, the alarms and the ML fleet's
 * scaling policy use: a host's own dimensions (InstanceId, GPU index, disk path)
 * change with every replacement.
 *
 * ## Application metrics (the services publish them)
 *
 * Contract for the services' developers: publish with `PutMetricData` (or the
 * embedded metric format) every 60 seconds, with exactly one dimension
 * `Environment` = the environment name (`dev`, `staging`, `prod`). Publish a
 * metric even when its value is 0: the alarms on {@link RENDER_METRICS}.queueDepth
 * treat silence as a failure.
 *
 * Namespace {@link RENDER_NAMESPACE} (GPU Render service and its Celery workers):
 * - `QueueDepth` (Count): render jobs waiting in the queue, sampled once a minute.
 * - `JobsCompleted` (Count): render jobs finished successfully since the last data point.
 * - `JobsFailed` (Count): render jobs that ended in failure since the last data point.
 *   The dashboards derive the completion rate as 100 * completed / (completed + failed).
 * - `FrameDropRate` (Percent, 0-100): frames dropped / frames rendered of the jobs of the minute.
 * - `MemoryEfficiency` (Percent, 0-100): GPU memory the render jobs used / GPU memory they reserved.
 *
 * Namespace {@link API_NAMESPACE} (Backend API, per task):
 * - `DbPoolInUse` (Count): database connections checked out of the task's pool.
 * - `DbPoolSize` (Count): the task's pool size (maximum connections).
 *   Pool utilization is 100 * max(DbPoolInUse) / max(DbPoolSize); 100% means
 *   requests wait for a connection (pool exhausted).
 */

/** Namespace of the CloudWatch agent's metrics (its default). */
export const CWAGENT_NAMESPACE = "CWAgent";

/** GPU metrics of the agent's `nvidia_gpu` plugin. Memory is in MiB, temperature in °C. */
export const GPU_METRICS = {
  utilization: "nvidia_smi_utilization_gpu",
  memoryUsed: "nvidia_smi_memory_used",
  memoryTotal: "nvidia_smi_memory_total",
  temperature: "nvidia_smi_temperature_gpu",
} as const;

/** Host memory and disk metrics of the agent's `mem` and `disk` plugins (percent). */
export const HOST_METRICS = {
  memoryUsedPercent: "mem_used_percent",
  diskUsedPercent: "disk_used_percent",
} as const;

/** The dimension every agent metric is aggregated by. */
export const ASG_DIMENSION = "AutoScalingGroupName";

/** Namespace the GPU Render service and its Celery workers publish into. */
export const RENDER_NAMESPACE = "ECG/Render";

/** Metrics of {@link RENDER_NAMESPACE}, see the contract above. */
export const RENDER_METRICS = {
  queueDepth: "QueueDepth",
  jobsCompleted: "JobsCompleted",
  jobsFailed: "JobsFailed",
  frameDropRate: "FrameDropRate",
  memoryEfficiency: "MemoryEfficiency",
} as const;

/** Namespace the Backend API publishes into. */
export const API_NAMESPACE = "ECG/Api";

/** Metrics of {@link API_NAMESPACE}, see the contract above. */
export const API_METRICS = {
  dbPoolInUse: "DbPoolInUse",
  dbPoolSize: "DbPoolSize",
} as const;

/** The one dimension of the application metrics: the environment name. */
export const ENVIRONMENT_DIMENSION = "Environment";
