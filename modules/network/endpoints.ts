import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";

/**
 * Interface endpoints the private tiers need when their security groups allow
 * no egress to the internet (NET-5 and what NET-5 implies):
 * - secretsmanager, ecr.api, ecr.dkr: NET-5; task secrets and image pulls;
 * - logs: the awslogs driver of every task (MON-3);
 * - ecs, ecs-agent, ecs-telemetry: the ECS agent on the GPU hosts (CMP-3/4);
 * - monitoring: CloudWatch metrics of the CloudWatch agent (MON-5) and the
 *   custom scaling metrics of the fleets;
 * - ssm: the CloudWatch agent reads its configuration from Parameter Store;
 * - ec2: the CloudWatch agent resolves `${aws:AutoScalingGroupName}` (the
 *   dimension the GPU metrics are aggregated by) with ec2:DescribeTags;
 * - xray: the X-Ray daemon sidecars send the services' traces (MON-4);
 * - ssmmessages, kms: ECS Exec sessions into the tasks (the agent in the task
 *   decrypts the session with the cluster's key);
 * - autoscaling: the render hosts' termination watcher.
 */
export const DEFAULT_INTERFACE_ENDPOINTS: readonly string[] = [
  "secretsmanager",
  "ecr.api",
  "ecr.dkr",
  "logs",
  "ecs",
  "ecs-agent",
  "ecs-telemetry",
  "monitoring",
  "ssm",
  "ssmmessages",
  "kms",
  "autoscaling",
  "ec2",
  "xray",
];

export interface InterfaceEndpointsProps {
  readonly name: string;
  readonly vpcId: string;
  readonly region: string;
  /** One subnet per AZ for the endpoints' network interfaces. */
  readonly subnetIds: string[];
  readonly securityGroupId: string;
  readonly services: readonly string[];
}

/** Interface endpoints with private DNS, so the SDKs' default hostnames resolve to them. */
export class InterfaceEndpoints extends Construct {
  readonly endpoints: Record<string, VpcEndpoint>;

  constructor(scope: Construct, id: string, props: InterfaceEndpointsProps) {
    super(scope, id);
    this.endpoints = Object.fromEntries(
      props.services.map((service) => [
        service,
        new VpcEndpoint(this, service.replace(/\./g, "-"), {
          vpcId: props.vpcId,
          serviceName: `com.amazonaws.${props.region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: props.subnetIds,
          securityGroupIds: [props.securityGroupId],
          tags: { Name: `${props.name}-${service}` },
        }),
      ]),
    );
  }
}
