import { Construct } from "constructs";
import type { EnvironmentConfig, GpuFleetConfig } from "../../environments/types";
import type { ComputeCluster } from "../../modules/ecs-cluster";
import { type CustomMetricTarget, GpuFleet } from "../../modules/gpu-fleet";
import type { Network } from "../../modules/network";
import {
  ASG_DIMENSION,
  CloudWatchAgentConfig,
  CWAGENT_NAMESPACE,
  ENVIRONMENT_DIMENSION,
  GPU_METRICS,
  RENDER_METRICS,
  RENDER_NAMESPACE,
} from "../../modules/observability";
import { RENDER_WORKER_DRAIN } from "../support/contracts";

/**
 * What each GPU fleet scales on (CMP-3, CMP-4). ML Audio: GPU utilization from
 * the CloudWatch agent's nvidia_gpu plugin (MON-5), > 70% scales out. Render:
 * the waiting jobs the render service publishes (ECG/Render QueueDepth, by
 * Environment: modules/observability/metrics.ts) per in-service host, so more
 * than 10 waiting jobs per host scales out.
 */
const FLEET_SCALING: Record<"mlAudio" | "render", (asgName: string, environment: string) => CustomMetricTarget> = {
  mlAudio: (asgName) => ({
    namespace: CWAGENT_NAMESPACE,
    metricName: GPU_METRICS.utilization,
    targetValue: 70,
    dimensions: { [ASG_DIMENSION]: asgName },
  }),
  render: (_, environment) => ({
    namespace: RENDER_NAMESPACE,
    metricName: RENDER_METRICS.queueDepth,
    targetValue: 10,
    dimensions: { [ENVIRONMENT_DIMENSION]: environment },
    perInstance: true,
  }),
};

export interface GpuComputeProps {
  /** Prefix of the fleets' names (the stack's name). */
  readonly name: string;
  readonly config: EnvironmentConfig;
  readonly network: Network;
  readonly cluster: ComputeCluster;
  /**
   * Pilot light (DR-1): both fleets at zero hosts, no scheduled minimums or
   * predictive scaling (a forecast of an idle region is zero); they take
   * hosts when the standby takes over (its groups are replaced at the
   * environment's minimums). Set for a standby (true or false), its groups
   * are named by mode (`-pilot`, `-active`).
   * @default - a primary region's fleets
   */
  readonly idle?: boolean;
}

/**
 * The ECG GPU capacity of one region (CMP-3, CMP-4, COST-1..3, MON-5): the
 * CloudWatch agent's configuration in SSM, the ML Audio and GPU Render fleets
 * with their scaling and the render hosts' drain on termination.
 */
export class GpuCompute extends Construct {
  readonly mlAudioFleet: GpuFleet;
  readonly renderFleet: GpuFleet;
  readonly agentConfig: CloudWatchAgentConfig;

  constructor(scope: Construct, id: string, props: GpuComputeProps) {
    super(scope, id);
    const { name: prefix, network, cluster } = props;
    const idle = props.idle ?? false;
    // MON-5: the GPU hosts run the CloudWatch agent (nvidia_gpu, memory, disk) with this configuration.
    this.agentConfig = new CloudWatchAgentConfig(this, "agent-config", { name: `${prefix}-gpu-hosts` });
    const fleet = (key: "mlAudio" | "render", suffix: string, securityGroupId: string, config: GpuFleetConfig) => {
      const name = `${prefix}-${suffix}`;
      // A standby names its groups by mode: taking over replaces them at the environment's minimums.
      const groupName = props.idle === undefined ? name : `${name}-${idle ? "pilot" : "active"}`;
      return new GpuFleet(this, `${suffix}-fleet`, {
        name,
        groupName,
        clusterName: cluster.clusterName,
        subnetIds: network.subnetIds.gpu,
        securityGroupIds: [securityGroupId],
        // One GPU per task and per host (T4 family): every type counts as one unit.
        instanceTypes: config.instanceTypes.map((instanceType) => ({ instanceType })),
        minSize: idle ? 0 : config.instances.min,
        maxSize: config.instances.max,
        onDemandBaseCapacity: idle ? 0 : config.onDemandBaseCapacity,
        onDemandPercentageAboveBaseCapacity: config.onDemandPercentAboveBase,
        // The agent's metrics carry the group's own name (${aws:AutoScalingGroupName}).
        scaleOn: FLEET_SCALING[key](groupName, props.config.name),
        // Render hosts finish their jobs before the group takes them (CMP-4); ML Audio answers short requests.
        drainOnTermination: key === "render" ? { ...RENDER_WORKER_DRAIN, maxSeconds: (config.drainMinutes ?? 60) * 60 } : undefined,
        scheduledMinimums: idle ? undefined : config.scheduledMinimums,
        predictiveScaling: idle ? false : config.predictiveScaling,
        instanceTags: { ...props.config.tags, Component: "gpu-fleet" },
        cloudWatchAgentConfigParameter: this.agentConfig.parameterName,
      });
    };
    const { compute } = props.config;
    this.mlAudioFleet = fleet("mlAudio", "ml-audio", network.securityGroupIds.mlAudio, compute.mlAudio);
    this.renderFleet = fleet("render", "gpu-render", network.securityGroupIds.gpuRender, compute.render);
  }
}
