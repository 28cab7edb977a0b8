import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { Construct } from "constructs";
import { ComponentTags } from "../common/component-tags";
import { logRetentionProblem } from "../common/limits";

export interface EcsClusterProps {
  /** Cluster name, e.g. `ecg-prod`. */
  readonly name: string;
  /** KMS key for ECS Exec sessions and their log group. */
  readonly kmsKeyArn: string;
  /** Retention of the ECS Exec session log group. @default 365 */
  readonly execLogRetentionDays?: number;
  /**
   * A private DNS namespace in this VPC where the cluster's services register
   * (Cloud Map) to call each other, e.g. `ecg-prod.internal`.
   * @default - none
   */
  readonly serviceNamespace?: { readonly name: string; readonly vpcId: string };
}

/**
 * The environment's ECS cluster (CMP-1): Container Insights on (CKV_AWS_65),
 * and ECS Exec sessions encrypted with the KMS key and logged to an encrypted
 * log group, so every interactive command in a task leaves an audit trail;
 * optionally a private DNS namespace where its services find each other.
 */
export class ComputeCluster extends Construct {
  readonly cluster: EcsCluster;
  readonly execLogGroup: CloudwatchLogGroup;
  /** What a service needs to allow ECS Exec into its tasks (ContainerService `execCommand`). */
  readonly execCommand: { readonly kmsKeyArn: string; readonly logGroupArn: string };
  /** FARGATE and FARGATE_SPOT, associated with the cluster: a service with a capacity-provider strategy depends on it. */
  readonly capacityProviders: EcsClusterCapacityProviders;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly namespace?: ServiceDiscoveryPrivateDnsNamespace;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    const retention = props.execLogRetentionDays ?? 365;
    const problem = logRetentionProblem(retention);
    if (problem) throw new Error(`ComputeCluster "${id}": execLogRetentionDays: ${problem}`);
    if (
      props.serviceNamespace &&
      !/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(props.serviceNamespace.name)
    ) {
      throw new Error(`ComputeCluster "${id}": serviceNamespace.name: "${props.serviceNamespace.name}" is not a DNS name`);
    }
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(props.name ?? "")) {
      throw new Error(`ComputeCluster "${id}": name: "${props.name ?? ""}" must be 1-255 letters, digits, - or _`);
    }
    this.execLogGroup = new CloudwatchLogGroup(this, "exec-logs", {
      name: `/ecs/${props.name}/exec`,
      retentionInDays: retention,
      kmsKeyId: props.kmsKeyArn,
    });
    this.cluster = new EcsCluster(this, "cluster", {
      name: props.name,
      setting: [{ name: "containerInsights", value: "enabled" }],
      configuration: {
        executeCommandConfiguration: {
          kmsKeyId: props.kmsKeyArn,
          logging: "OVERRIDE",
          logConfiguration: { cloudWatchEncryptionEnabled: true, cloudWatchLogGroupName: this.execLogGroup.name },
        },
      },
    });
    if (props.serviceNamespace) {
      this.namespace = new ServiceDiscoveryPrivateDnsNamespace(this, "namespace", {
        name: props.serviceNamespace.name,
        vpc: props.serviceNamespace.vpcId,
        description: `Service discovery for the services of ${props.name}`,
      });
    }
    this.execCommand = { kmsKeyArn: props.kmsKeyArn, logGroupArn: this.execLogGroup.arn };
    // Fargate's capacity providers (the GPU services are daemons, which take none). A strategy may
    // name only providers already associated with the cluster (ECS API Reference,
    // CapacityProviderStrategyItem): services that use one wait for this.
    this.capacityProviders = new EcsClusterCapacityProviders(this, "capacity-providers", {
      clusterName: this.cluster.name,
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
    });
    this.clusterName = this.cluster.name;
    this.clusterArn = this.cluster.arn;
    ComponentTags.apply(this, "compute");
  }
}
