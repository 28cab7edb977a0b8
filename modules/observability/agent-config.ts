import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";
import { ASG_DIMENSION, CWAGENT_NAMESPACE } from "./metrics";
import { terraformLiteral } from "./terraform-literal";

/**
 * The managed policy `CloudWatchAgentServerPolicy` lets a host read SSM
 * parameters named `AmazonCloudWatch-*` only, so the agent's config must carry
 * this prefix to be readable with it.
 */
const AGENT_PARAMETER_PREFIX = "AmazonCloudWatch-";

/** Standard-tier SSM parameters hold at most 4 KB. */
const STANDARD_TIER_MAX_CHARS = 4096;

export interface CloudWatchAgentConfigProps {
  /** Suffix of the parameter name `AmazonCloudWatch-<name>`, e.g. `ecg-prod-gpu`. */
  readonly name: string;
  /**
   * Seconds between samples. 1, 5, 10 and 30 publish high-resolution metrics
   * (billed as such); otherwise a multiple of 60.
   * @default 60
   */
  readonly metricsCollectionIntervalSeconds?: number;
  /** Mount points whose usage is collected. @default ["/", "/scratch"] (root volume and the instance-store scratch space) */
  readonly diskMountPoints?: readonly string[];
}

/**
 * The CloudWatch agent's configuration for the GPU container hosts (MON-5), in
 * an SSM parameter the hosts load with
 * `amazon-cloudwatch-agent-ctl -a fetch-config -c ssm:<parameterName>`:
 * GPU utilization, memory, temperature and power of every GPU (`nvidia_gpu`),
 * host memory and disk use, each also aggregated by Auto Scaling group.
 */
export class CloudWatchAgentConfig extends Construct {
  readonly parameter: SsmParameter;
  /** `AmazonCloudWatch-<name>`, for `fetch-config -c ssm:<name>`. */
  readonly parameterName: string;
  readonly parameterArn: string;
  /** The agent configuration as written to the parameter (before Terraform escaping). */
  readonly agentConfig: Readonly<Record<string, unknown>>;

  constructor(scope: Construct, id: string, props: CloudWatchAgentConfigProps) {
    super(scope, id);
    const interval = props.metricsCollectionIntervalSeconds ?? 60;
    const mountPoints = props.diskMountPoints ?? ["/", "/scratch"];
    this.agentConfig = agentConfiguration(interval, mountPoints);
    const json = JSON.stringify(this.agentConfig);
    validate(id, props, interval, mountPoints, json);

    this.parameterName = `${AGENT_PARAMETER_PREFIX}${props.name}`;
    this.parameter = new SsmParameter(this, "parameter", {
      name: this.parameterName,
      description: "CloudWatch agent configuration of the GPU hosts (MON-5)",
      type: "String",
      tier: "Standard",
      // The agent resolves ${aws:...} itself; Terraform must not read it as interpolation.
      value: terraformLiteral(json),
    });
    this.parameterArn = this.parameter.arn;
    ComponentTags.apply(this, "observability");
  }
}

function agentConfiguration(interval: number, mountPoints: readonly string[]): Record<string, unknown> {
  return {
    agent: { metrics_collection_interval: interval },
    metrics: {
      namespace: CWAGENT_NAMESPACE,
      // Resolved by the agent from the instance metadata and tags on each host.
      append_dimensions: {
        AutoScalingGroupName: "${aws:AutoScalingGroupName}",
        InstanceId: "${aws:InstanceId}",
        InstanceType: "${aws:InstanceType}",
      },
      // Also publish each metric with the group as its only dimension: alarms,
      // dashboards and the ML fleet's scaling policy read that series.
      aggregation_dimensions: [[ASG_DIMENSION]],
      metrics_collected: {
        nvidia_gpu: {
          measurement: [
            "utilization_gpu",
            "utilization_memory",
            "memory_total",
            "memory_used",
            "memory_free",
            "temperature_gpu",
            "power_draw",
          ],
        },
        mem: { measurement: ["mem_used_percent"] },
        disk: { measurement: ["used_percent"], resources: [...mountPoints] },
      },
    },
  };
}

/** Agent intervals: high resolution (1, 5, 10, 30 s) or whole minutes. */
const isAgentInterval = (seconds: number) =>
  [1, 5, 10, 30].includes(seconds) || (Number.isInteger(seconds) && seconds > 0 && seconds % 60 === 0);

function validate(id: string, props: CloudWatchAgentConfigProps, interval: number, mountPoints: readonly string[], json: string): void {
  const problems: string[] = [];
  // SSM parameter names: letters, digits and . - _ (no path: the prefix must lead the name).
  if (!/^[a-zA-Z0-9_.-]+$/.test(props.name ?? "") || `${AGENT_PARAMETER_PREFIX}${props.name}`.length > 1011) {
    problems.push(
      `name: "${props.name ?? ""}" must be letters, digits, . - or _ (it follows ${AGENT_PARAMETER_PREFIX} in the parameter name)`,
    );
  }
  if (!isAgentInterval(interval)) problems.push(`metricsCollectionIntervalSeconds: ${interval} must be 1, 5, 10, 30 or a multiple of 60`);
  if (mountPoints.length === 0) problems.push("diskMountPoints: list at least one mount point");
  for (const path of mountPoints) if (!path.startsWith("/")) problems.push(`diskMountPoints: "${path}" must be an absolute path`);
  if (json.length > STANDARD_TIER_MAX_CHARS)
    problems.push(`the agent configuration is ${json.length} characters; a Standard SSM parameter holds ${STANDARD_TIER_MAX_CHARS}`);
  refuseProps("CloudWatchAgentConfig", id, problems);
}
