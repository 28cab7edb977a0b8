import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { BackendKind, EnvironmentConfig, GpuFleetConfig } from "../environments/types";
import { AwsAccountLookup } from "../modules/common/aws-account";
import { ComponentTags } from "../modules/common/component-tags";
import { ContainerRegistry } from "../modules/container-registry";
import { ComputeCluster } from "../modules/ecs-cluster";
import { type CustomMetricTarget, GpuFleet } from "../modules/gpu-fleet";
import { EncryptionKey } from "../modules/kms";
import { Network } from "../modules/network";
import { configureBackend } from "./backend";

export interface PlatformStackProps {
  readonly config: EnvironmentConfig;
  /** Backend of this run: the environment's `backend.kind` unless overridden. */
  readonly backend: BackendKind;
}

/** The three service images (CMP-2..4, CMP-7). */
export const SERVICE_IMAGES = ["ecg-backend-api", "ecg-ml-audio", "ecg-gpu-render"] as const;

/**
 * What each GPU fleet scales on (CMP-3, CMP-4). ML Audio: GPU utilization from
 * the CloudWatch agent's nvidia_gpu plugin (MON-5), > 70% scales out. Render:
 * waiting jobs per host, published by the render service into ECG/Render, so
 * more than 10 waiting jobs per host scales out.
 */
const FLEET_SCALING: Record<"mlAudio" | "render", (asgName: string) => CustomMetricTarget> = {
  mlAudio: (asgName) => ({ namespace: "CWAgent", metricName: "nvidia_smi_utilization_gpu", targetValue: 70, dimensions: { AutoScalingGroupName: asgName } }),
  render: (asgName) => ({ namespace: "ECG/Render", metricName: "QueueDepthPerInstance", targetValue: 10, dimensions: { AutoScalingGroupName: asgName } }),
};

/** Name of an environment's platform stack (and its state key / workspace). */
export const platformStackName = (config: EnvironmentConfig) => `ecg-${config.name}`;

/** Everything one environment runs in its primary region (PLT-2). */
export class PlatformStack extends TerraformStack {
  readonly network: Network;
  /** Encrypts the environment's CloudWatch log groups and ECS Exec sessions. */
  readonly logsKey: EncryptionKey;
  /** Encrypts the container images. */
  readonly imagesKey: EncryptionKey;
  readonly registry: ContainerRegistry;
  readonly cluster: ComputeCluster;
  readonly mlAudioFleet: GpuFleet;
  readonly renderFleet: GpuFleet;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const { config } = props;
    new AwsProvider(this, "aws", {
      region: config.account.region,
      allowedAccountIds: config.account.id ? [config.account.id] : undefined,
      // ENV-4 on every taggable resource; modules add Component.
      defaultTags: [{ tags: { ...config.tags } }],
    });
    configureBackend(this, id, props.backend, config.backend);
    const account = new AwsAccountLookup(this, "account");

    this.logsKey = new EncryptionKey(this, "logs-key", {
      alias: `${id}/logs`,
      description: `${id}: encrypts CloudWatch log groups`,
      account,
      allowCloudWatchLogs: true,
      // Deleting it would make the environment's encrypted logs unreadable.
      preventDestroy: config.production,
    });
    ComponentTags.apply(this.logsKey, "encryption");

    const { network } = config;
    this.network = new Network(this, "network", {
      name: id,
      account,
      vpcCidr: network.vpcCidr,
      availabilityZones: network.availabilityZones,
      subnets: network.subnets,
      natGateways: network.natGateways,
      flowLogRetentionDays: network.flowLogRetentionDays,
      flowLogKmsKeyArn: this.logsKey.keyArn,
    });

    this.imagesKey = new EncryptionKey(this, "images-key", {
      alias: `${id}/images`,
      description: `${id}: encrypts the ECR repositories`,
      account,
      preventDestroy: config.production,
    });
    ComponentTags.apply(this.imagesKey, "encryption");
    this.registry = new ContainerRegistry(this, "registry", { prefix: id, images: SERVICE_IMAGES, kmsKeyArn: this.imagesKey.keyArn });
    this.cluster = new ComputeCluster(this, "cluster", { name: id, kmsKeyArn: this.logsKey.keyArn });

    const fleet = (key: "mlAudio" | "render", suffix: string, securityGroupId: string, config: GpuFleetConfig) => {
      const name = `${id}-${suffix}`;
      return new GpuFleet(this, `${suffix}-fleet`, {
        name,
        clusterName: this.cluster.clusterName,
        subnetIds: this.network.subnetIds.gpu,
        securityGroupIds: [securityGroupId],
        // One GPU per task and per host (T4 family): every type counts as one unit.
        instanceTypes: config.instanceTypes.map((instanceType) => ({ instanceType })),
        minSize: config.instances.min,
        maxSize: config.instances.max,
        onDemandBaseCapacity: config.onDemandBaseCapacity,
        onDemandPercentageAboveBaseCapacity: config.onDemandPercentAboveBase,
        scaleOn: FLEET_SCALING[key](name),
        scheduledMinimums: config.scheduledMinimums,
        predictiveScaling: config.predictiveScaling,
        instanceTags: { ...props.config.tags, Component: "gpu-fleet" },
      });
    };
    this.mlAudioFleet = fleet("mlAudio", "ml-audio", this.network.securityGroupIds.mlAudio, config.compute.mlAudio);
    this.renderFleet = fleet("render", "gpu-render", this.network.securityGroupIds.gpuRender, config.compute.render);
    new EcsClusterCapacityProviders(this, "capacity-providers", {
      clusterName: this.cluster.clusterName,
      capacityProviders: [this.mlAudioFleet.capacityProvider.name, this.renderFleet.capacityProvider.name, "FARGATE"],
    });

    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId });
    new TerraformOutput(this, "ecs_cluster_name", { value: this.cluster.clusterName });
    new TerraformOutput(this, "repository_urls", { value: this.registry.repositoryUrls });
    for (const [tier, ids] of Object.entries(this.network.subnetIds)) {
      new TerraformOutput(this, `${tier}_subnet_ids`, { value: ids });
    }
    new TerraformOutput(this, "security_group_ids", { value: this.network.securityGroupIds });
  }
}
