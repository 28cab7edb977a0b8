import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { Construct } from "constructs";
import type { EnvironmentConfig, GpuFleetConfig } from "../environments/types";
import type { ComputeCluster } from "../modules/ecs-cluster";
import { type CustomMetricTarget, GpuFleet } from "../modules/gpu-fleet";
import type { Network } from "../modules/network";
import { CloudWatchAgentConfig, GPU_METRICS, RENDER_NAMESPACE } from "../modules/observability";

/**
 * What each GPU fleet scales on (CMP-3, CMP-4). ML Audio: GPU utilization from
 * the CloudWatch agent's nvidia_gpu plugin (MON-5), > 70% scales out. Render:
 * waiting jobs per host, published by the render service into ECG/Render, so
 * more than 10 waiting jobs per host scales out.
 */
const FLEET_SCALING: Record<"mlAudio" | "render", (asgName: string) => CustomMetricTarget> = {
  mlAudio: (asgName) => ({ namespace: "CWAgent", metricName: GPU_METRICS.utilization, targetValue: 70, dimensions: { AutoScalingGroupName: asgName } }),
  render: (asgName) => ({ namespace: RENDER_NAMESPACE, metricName: "QueueDepthPerInstance", targetValue: 10, dimensions: { AutoScalingGroupName: asgName } }),
};

export interface GpuComputeProps {
  /** Prefix of the fleets' names (the stack's name). */
  readonly name: string;
  readonly config: EnvironmentConfig;
  readonly network: Network;
  readonly cluster: ComputeCluster;
  /**
   * Pilot light (DR-1): both fleets at zero hosts, no scheduled minimums or
   * predictive scaling (a forecast of an idle region is zero); their maximums
   * stay, so they grow the moment tasks need hosts.
   * @default false
   */
  readonly idle?: boolean;
}

/**
 * The ECG GPU capacity of one region (CMP-3, CMP-4, COST-1..3, MON-5): the
 * CloudWatch agent's configuration in SSM, the ML Audio and GPU Render fleets
 * with their scaling, and the cluster's capacity providers (both fleets and
 * Fargate for the API).
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
      return new GpuFleet(this, `${suffix}-fleet`, {
        name,
        clusterName: cluster.clusterName,
        subnetIds: network.subnetIds.gpu,
        securityGroupIds: [securityGroupId],
        // One GPU per task and per host (T4 family): every type counts as one unit.
        instanceTypes: config.instanceTypes.map((instanceType) => ({ instanceType })),
        minSize: idle ? 0 : config.instances.min,
        maxSize: config.instances.max,
        onDemandBaseCapacity: idle ? 0 : config.onDemandBaseCapacity,
        onDemandPercentageAboveBaseCapacity: config.onDemandPercentAboveBase,
        scaleOn: FLEET_SCALING[key](name),
        scheduledMinimums: idle ? undefined : config.scheduledMinimums,
        predictiveScaling: idle ? false : config.predictiveScaling,
        instanceTags: { ...props.config.tags, Component: "gpu-fleet" },
        cloudWatchAgentConfigParameter: this.agentConfig.parameterName,
      });
    };
    const { compute } = props.config;
    this.mlAudioFleet = fleet("mlAudio", "ml-audio", network.securityGroupIds.mlAudio, compute.mlAudio);
    this.renderFleet = fleet("render", "gpu-render", network.securityGroupIds.gpuRender, compute.render);
    new EcsClusterCapacityProviders(this, "capacity-providers", {
      clusterName: cluster.clusterName,
      capacityProviders: [this.mlAudioFleet.capacityProvider.name, this.renderFleet.capacityProvider.name, "FARGATE", "FARGATE_SPOT"],
    });
  }
}
