import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";

/**
 * Interface endpoints AWS documents no endpoint policy for: ECS's three ("Controlling
 * access to Amazon ECS by attaching an endpoint policy to the VPC endpoint isn't
 * currently supported", ECS Developer Guide) and Session Manager's ssmmessages.
 * They keep the default policy; their callers (the ECS agent, ECS Exec) are this
 * account's roles anyway.
 */
export const WITHOUT_ENDPOINT_POLICY: readonly string[] = ["ecs", "ecs-agent", "ecs-telemetry", "ssmmessages"];

/** Only this account's principals reach AWS through an endpoint: stolen keys of another account get nowhere from here. */
export function interfaceEndpointPolicy(account: AwsAccount): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ThisAccountsPrincipalsOnly",
        Effect: "Allow",
        Principal: "*",
        Action: "*",
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalAccount": account.accountId } },
      },
    ],
  });
}

/**
 * The S3 gateway's policy: this account's principals, on this account's
 * buckets, and anyone on the AWS-owned buckets the hosts read: ECR's image
 * layers (ECR User Guide, "Amazon S3 gateway endpoint": prod-<region>-starport-layer-bucket,
 * fetched with URLs ECR's own account presigned) and the Amazon Linux package
 * repositories (al2023-repos-<region>-*, read anonymously). No principal
 * condition on those: neither request carries this account's. No copy to a
 * bucket of another account leaves the VPC this way.
 */
export function s3GatewayPolicy(account: AwsAccount): string {
  const thisAccount = { "aws:PrincipalAccount": account.accountId };
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ThisAccountsBuckets",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:*",
        Resource: "*",
        Condition: { StringEquals: { ...thisAccount, "aws:ResourceAccount": account.accountId } },
      },
      {
        Sid: "AwsOwnedBucketsTheHostsRead",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:GetObject",
        Resource: [
          `arn:${account.partition}:s3:::prod-${account.region}-starport-layer-bucket/*`,
          `arn:${account.partition}:s3:::al2023-repos-${account.region}-*/*`,
        ],
      },
    ],
  });
}

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
  /** The account whose principals alone may use the endpoints (their policies). */
  readonly account: AwsAccount;
  readonly vpcId: string;
  readonly region: string;
  /** One subnet per AZ for the endpoints' network interfaces. */
  readonly subnetIds: string[];
  readonly securityGroupId: string;
  readonly services: readonly string[];
}

/** Interface endpoints with private DNS, so the SDKs' default hostnames resolve to them, each for this account's principals only. */
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
          policy: WITHOUT_ENDPOINT_POLICY.includes(service) ? undefined : interfaceEndpointPolicy(props.account),
          tags: { Name: `${props.name}-${service}` },
        }),
      ]),
    );
  }
}
