import { XrayGroup } from "@cdktf/provider-aws/lib/xray-group";
import { XraySamplingRule } from "@cdktf/provider-aws/lib/xray-sampling-rule";
import { Construct } from "constructs";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";

/** X-Ray sampling rule and group names: 1-32 characters. */
const XRAY_NAME_MAX = 32;

/** The X-Ray service names the services' SDKs report (the `name` of their segments). */
interface TracedServices {
  /** The Backend API, e.g. `backend-api`. */
  readonly api: string;
  /** The Celery workers (task segments), e.g. `celery-workers`. */
  readonly celery: string;
  /** The GPU render service, e.g. `gpu-render-server`. */
  readonly render: string;
}

export interface TracingProps {
  /** Prefix of the sampling rules and groups, e.g. `ecg-prod`. */
  readonly name: string;
  readonly services: TracedServices;
  /** Share of API requests traced beyond the reservoir (0-1). @default 0.05 */
  readonly apiSampleRate?: number;
  /** API requests traced per second before the rate applies. @default 1 */
  readonly apiReservoirPerSecond?: number;
  /** Share of Celery and render tasks traced beyond the reservoir (0-1). @default 0.1 */
  readonly taskSampleRate?: number;
  /** Path of the load balancer's health checks, never traced. @default "/health" */
  readonly healthCheckPath?: string;
  /** Requests slower than this land in the slow-requests group. @default 2 (the MON-2 response-time threshold) */
  readonly slowRequestSeconds?: number;
}

/**
 * X-Ray for MON-4: sampling rules the daemons fetch (health checks never, the
 * API at 5% after one request a second, Celery and render tasks at 10%) and
 * groups with Insights for API faults and errors, slow API requests and the
 * render pipeline. The rules apply to every SDK of the account that reports
 * these service names; S3, database and inter-service calls are subsegments of
 * the sampled traces, so the rules of their callers cover them.
 */
export class Tracing extends Construct {
  readonly samplingRules: Readonly<Record<"health" | "api" | "celery" | "render", XraySamplingRule>>;
  readonly groups: Readonly<Record<"apiErrors" | "apiSlow" | "render", XrayGroup>>;

  constructor(scope: Construct, id: string, props: TracingProps) {
    super(scope, id);
    validate(id, props);
    const { name, services } = props;
    const taskRate = props.taskSampleRate ?? 0.1;
    const rule = (key: string, priority: number, serviceName: string, urlPath: string, reservoirSize: number, fixedRate: number) =>
      new XraySamplingRule(this, `rule-${key}`, {
        ruleName: `${name}-${key}`,
        // Lower numbers are evaluated first; the account's Default rule is 10000.
        priority,
        version: 1,
        serviceName,
        serviceType: "*",
        host: "*",
        httpMethod: "*",
        urlPath,
        resourceArn: "*",
        reservoirSize,
        fixedRate,
      });
    this.samplingRules = {
      // First: health checks (every 15 s from every ALB node) would otherwise fill the API's reservoir.
      health: rule("health", 100, "*", props.healthCheckPath ?? "/health", 0, 0),
      api: rule("api", 1000, services.api, "*", props.apiReservoirPerSecond ?? 1, props.apiSampleRate ?? 0.05),
      // Task segments carry no HTTP request: only the service name matches.
      celery: rule("celery", 1100, services.celery, "*", 1, taskRate),
      render: rule("render", 1200, services.render, "*", 1, taskRate),
    };

    const group = (key: string, filterExpression: string) =>
      new XrayGroup(this, `group-${key}`, {
        groupName: `${name}-${key}`,
        filterExpression,
        // Insights detects anomalies in the group's faults and latency; notifications go to EventBridge.
        insightsConfiguration: { insightsEnabled: true, notificationsEnabled: true },
      });
    const api = JSON.stringify(services.api);
    this.groups = {
      apiErrors: group("api-errors", `service(${api}) { fault = true OR error = true }`),
      apiSlow: group("api-slow", `service(${api}) { responsetime > ${props.slowRequestSeconds ?? 2} }`),
      render: group("render", `service(${JSON.stringify(services.render)}) OR service(${JSON.stringify(services.celery)})`),
    };
    ComponentTags.apply(this, "observability");
  }
}

/** The longest suffix appended to the name ("-api-errors"). */
const LONGEST_SUFFIX = "-api-errors".length;

function validate(id: string, props: TracingProps): void {
  const problems: string[] = [];
  const maxName = XRAY_NAME_MAX - LONGEST_SUFFIX;
  if (!/^[A-Za-z0-9_-]+$/.test(props.name ?? "") || props.name.length > maxName) {
    problems.push(
      `name: "${props.name ?? ""}" must be 1-${maxName} letters, digits, - or _ (X-Ray names hold ${XRAY_NAME_MAX} characters, "-api-errors" is appended)`,
    );
  }
  for (const key of ["api", "celery", "render"] as const) {
    const service = props.services?.[key];
    // X-Ray service names: at most 64 characters; quotes would break the filter expressions.
    if (!service || service.length > 64 || /["\\]/.test(service))
      problems.push(`services.${key}: "${service ?? ""}" must be 1-64 characters without quotes or backslashes`);
  }
  const rate = (field: string, value: number | undefined) => {
    if (value !== undefined && !(value >= 0 && value <= 1)) problems.push(`${field}: ${value} must be a share from 0 to 1`);
  };
  rate("apiSampleRate", props.apiSampleRate);
  rate("taskSampleRate", props.taskSampleRate);
  const reservoir = props.apiReservoirPerSecond;
  if (reservoir !== undefined && !(Number.isInteger(reservoir) && reservoir >= 0))
    problems.push(`apiReservoirPerSecond: ${reservoir} must be a whole number >= 0`);
  const path = props.healthCheckPath ?? "/health";
  if (!path.startsWith("/") || path.length > 128)
    problems.push(`healthCheckPath: "${path}" must start with / and hold at most 128 characters`);
  const slow = props.slowRequestSeconds;
  if (slow !== undefined && !(slow > 0)) problems.push(`slowRequestSeconds: ${slow} must be above 0`);
  refuseProps("Tracing", id, problems);
}
