import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
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
}

/**
 * The environment's ECS cluster (CMP-1): Container Insights on (CKV_AWS_65),
 * and ECS Exec sessions encrypted with the KMS key and logged to an encrypted
 * log group, so every interactive command in a task leaves an audit trail.
 */
export class ComputeCluster extends Construct {
  readonly cluster: EcsCluster;
  readonly execLogGroup: CloudwatchLogGroup;
  readonly clusterName: string;
  readonly clusterArn: string;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    const retention = props.execLogRetentionDays ?? 365;
    const problem = logRetentionProblem(retention);
    if (problem) throw new Error(`ComputeCluster "${id}": execLogRetentionDays: ${problem}`);
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
    this.clusterName = this.cluster.name;
    this.clusterArn = this.cluster.arn;
    ComponentTags.apply(this, "compute");
  }
}
