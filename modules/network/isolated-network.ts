import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { logRetentionProblem } from "../common/limits";
import { refuseProps } from "../common/props";
import { VpcFlowLogs } from "./flow-logs";
import { subnetLayoutProblems } from "./layout";

export interface IsolatedNetworkProps {
  /** Prefix of the names, e.g. `ecg-staging-replica`. */
  readonly name: string;
  /** The account in the network's region (the provider's): the flow-log role's trust and grants are built from it. */
  readonly account: AwsAccount;
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  /** One private subnet per AZ, in AZ order. */
  readonly subnets: readonly string[];
  readonly flowLogRetentionDays: number;
  /** Encrypts the flow-log group (its policy must let CloudWatch Logs of the region use it). */
  readonly logsKmsKeyArn: string;
  /** @default - the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * A VPC with private subnets only and no route out of it (no internet or
 * NAT gateway, no endpoints): a home for a resource that needs subnets and
 * talks to nothing, such as a cross-region read replica kept for a region's
 * failure (RDS replicates to it over AWS's own network). Flow-logged
 * (NET-6), its default group closed (CKV2_AWS_12); `securityGroupId` is a
 * group without rules, so nothing reaches what is placed in it.
 */
export class IsolatedNetwork extends Construct {
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: IsolatedNetworkProps) {
    super(scope, id);
    const problems = subnetLayoutProblems(
      { vpcCidr: props.vpcCidr, availabilityZones: props.availabilityZones, subnets: { private: props.subnets } },
      "",
      ["private"],
    ).map((p) => `${p.path}: ${p.reason}`);
    const retention = logRetentionProblem(props.flowLogRetentionDays);
    if (retention) problems.push(`flowLogRetentionDays: ${retention}`);
    refuseProps("IsolatedNetwork", id, problems);
    const { name, provider } = props;

    const vpc = new Vpc(this, "vpc", {
      provider,
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: `${name}-vpc` },
    });
    this.vpcId = vpc.id;
    new DefaultSecurityGroup(this, "default-sg", { provider, vpcId: vpc.id, tags: { Name: `${name}-default-closed` } });
    this.subnetIds = props.availabilityZones.map(
      (az, i) =>
        new Subnet(this, `private-${az.slice(-1)}`, {
          provider,
          vpcId: vpc.id,
          cidrBlock: props.subnets[i],
          availabilityZone: az,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-private-${az.slice(-1)}`, Tier: "private" },
        }).id,
    );
    // No rules: the provider removes the default allow-all egress of a new group.
    this.securityGroupId = new SecurityGroup(this, "isolated-sg", {
      provider,
      name: `${name}-isolated`,
      description: `${name}: nothing in, nothing out`,
      vpcId: vpc.id,
      tags: { Name: `${name}-isolated` },
    }).id;
    new VpcFlowLogs(this, "flow-logs", {
      name,
      vpcId: vpc.id,
      account: props.account,
      retentionInDays: props.flowLogRetentionDays,
      kmsKeyArn: props.logsKmsKeyArn,
      provider,
    });
    ComponentTags.apply(this, "network");
  }
}
