import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { serviceTrustPolicy } from "../common/trust";

export interface VpcFlowLogsProps {
  readonly name: string;
  readonly vpcId: string;
  readonly account: AwsAccount;
  readonly retentionInDays: number;
  readonly kmsKeyArn: string;
  /** The VPC's region's provider. @default - the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * VPC flow logs (NET-6, CKV2_AWS_11) of all traffic into a KMS-encrypted log
 * group, delivered by a role only the flow-logs service of this account can
 * assume (confused-deputy conditions) and that can write only to that group.
 */
export class VpcFlowLogs extends Construct {
  readonly logGroup: CloudwatchLogGroup;
  readonly role: IamRole;
  readonly flowLog: FlowLog;

  constructor(scope: Construct, id: string, props: VpcFlowLogsProps) {
    super(scope, id);
    const { accountId, region, partition } = props.account;
    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      provider: props.provider,
      name: `/aws/vpc/${props.name}/flow-logs`,
      retentionInDays: props.retentionInDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const trust = serviceTrustPolicy(
      this,
      "trust",
      "vpc-flow-logs.amazonaws.com",
      props.account,
      `arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*`,
    );
    this.role = new IamRole(this, "role", {
      name: `${props.name}-vpc-flow-logs`,
      description: "Delivers the VPC flow logs to their log group",
      assumeRolePolicy: trust.json,
    });
    const write = new DataAwsIamPolicyDocument(this, "write", {
      statement: [
        {
          sid: "WriteFlowLogStreams",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [`${this.logGroup.arn}:*`],
        },
        {
          // DescribeLogGroups has no resource-level scoping below the account.
          sid: "FindTheLogGroup",
          actions: ["logs:DescribeLogGroups"],
          resources: [`arn:${partition}:logs:${region}:${accountId}:log-group:*`],
        },
      ],
    });
    new IamRolePolicy(this, "write-policy", { name: "write-flow-logs", role: this.role.id, policy: write.json });
    this.flowLog = new FlowLog(this, "flow-log", {
      provider: props.provider,
      vpcId: props.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: this.logGroup.arn,
      iamRoleArn: this.role.arn,
      // One-minute aggregation: faster incident evidence than the 10-minute default.
      maxAggregationInterval: 60,
      tags: { Name: `${props.name}-flow-logs` },
    });
  }
}
