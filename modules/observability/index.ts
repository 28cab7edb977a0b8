export { CloudWatchAgentConfig, type CloudWatchAgentConfigProps } from "./agent-config";
export { AlarmTopics, type AlarmTopicsProps } from "./alarm-topics";
export { Alarms, type AlarmsProps } from "./alarms";
export { CostBudget, type CostBudgetProps } from "./cost-budget";
export { Dashboards, type DashboardsProps } from "./dashboards";
export {
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
export type { MonitoredSystem } from "./monitored-system";
export { terraformLiteral } from "./terraform-literal";
export { SECURITY_FINDING_PATTERNS, SecurityFindings } from "./security-findings";
export { Tracing, type TracingProps } from "./tracing";
