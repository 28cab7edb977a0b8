import { Token } from "cdktf";

/**
 * What the dashboards and alarms watch, as typed inputs (Terraform references
 * or literals): nothing is looked up by name, so a renamed resource changes the
 * metrics' dimensions in the same plan.
 */
export interface MonitoredSystem {
  /** Value of the `Environment` dimension of the application metrics, e.g. `prod`. */
  readonly environment: string;
  /** ECS cluster of the services (AWS/ECS `ClusterName`). */
  readonly clusterName: string;
  /** ECS service of the Backend API on Fargate (AWS/ECS `ServiceName`). */
  readonly apiServiceName: string;
  /** GPU fleets: a short name (in alarm names and labels, e.g. `render`) to the fleet's Auto Scaling group name. */
  readonly gpuFleets: Readonly<Record<string, string>>;
  /** The API's ALB (AWS/ApplicationELB `LoadBalancer` and `TargetGroup` dimensions). */
  readonly loadBalancer: {
    /** `arn_suffix` of the ALB: `app/<name>/<id>`. */
    readonly arnSuffix: string;
    /**
     * The API's target groups by a short name (in alarm names): `arn_suffix`
     * each (`targetgroup/<name>/<id>`). Under blue/green both groups: CodeDeploy
     * swaps which one serves at every release, so each is watched.
     */
    readonly targetGroups: Readonly<Record<string, string>>;
  };
}

/** Short fleet and target-group names: they go into alarm names and construct ids. */
const FLEET_KEY = /^[a-zA-Z0-9-]{1,32}$/;

/** The problems of the props both Dashboards and Alarms take. */
export function monitoredSystemProblems(props: MonitoredSystem): string[] {
  const problems: string[] = [];
  const required = (field: string, value: string | undefined) => {
    if (!value?.trim()) problems.push(`${field}: must not be empty`);
  };
  required("environment", props.environment);
  required("clusterName", props.clusterName);
  required("apiServiceName", props.apiServiceName);
  const fleets = Object.entries(props.gpuFleets ?? {});
  if (fleets.length === 0) problems.push("gpuFleets: at least one GPU fleet is required (the GPU dashboard and alarms watch them)");
  for (const [key, asgName] of fleets) {
    if (!FLEET_KEY.test(key)) problems.push(`gpuFleets: key "${key}" must be 1-32 letters, digits or dashes`);
    required(`gpuFleets.${key}`, asgName);
  }
  // A literal suffix is checked for its shape; a Terraform reference (arn_suffix) is right by construction.
  const suffix = (field: string, value: string | undefined, prefix: "app/" | "targetgroup/") => {
    if (!value?.trim()) problems.push(`${field}: must not be empty`);
    else if (!Token.isUnresolved(value) && !value.startsWith(prefix))
      problems.push(`${field}: "${value}" must be an ARN suffix starting with ${prefix}`);
  };
  suffix("loadBalancer.arnSuffix", props.loadBalancer?.arnSuffix, "app/");
  const groups = Object.entries(props.loadBalancer?.targetGroups ?? {});
  if (groups.length === 0) problems.push("loadBalancer.targetGroups: at least one target group is required");
  for (const [key, arnSuffix] of groups) {
    if (!FLEET_KEY.test(key)) problems.push(`loadBalancer.targetGroups: key "${key}" must be 1-32 letters, digits or dashes`);
    suffix(`loadBalancer.targetGroups.${key}`, arnSuffix, "targetgroup/");
  }
  return problems;
}

/** CloudWatch dashboard and alarm name prefix: letters, digits, - and _ (dashboard names allow nothing else). */
export function namePrefixProblem(name: string | undefined, maxLength: number): string | undefined {
  return /^[A-Za-z0-9_-]+$/.test(name ?? "") && (name ?? "").length <= maxLength
    ? undefined
    : `"${name ?? ""}" must be 1-${maxLength} letters, digits, - or _`;
}
