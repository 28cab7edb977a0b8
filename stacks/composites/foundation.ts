import { Construct } from "constructs";
import type { NetworkConfig } from "../../environments/types";
import type { AwsAccount } from "../../modules/common/aws-account";
import { ComponentTags } from "../../modules/common/component-tags";
import { ComputeCluster } from "../../modules/ecs-cluster";
import { EncryptionKey } from "../../modules/kms";
import { Network } from "../../modules/network";
import { SERVICE_PORTS } from "../support/contracts";

export interface FoundationProps {
  /** The stack's name: the VPC, key alias, cluster and namespace derive from it. */
  readonly stackName: string;
  readonly account: AwsAccount;
  readonly network: NetworkConfig;
  /** `prevent_destroy` on the logs key (production). */
  readonly production: boolean;
  /** The ALB's blue/green test listener port, admitted from the NAT addresses only (CI-3). @default - none */
  readonly albTestListenerPort?: number;
  /** HTTPS from the service tiers through NAT (AWS services of another region). @default false */
  readonly httpsThroughNat?: boolean;
}

/**
 * What every region of an environment stands on: the key of its log groups,
 * the VPC with its three subnet tiers and security groups (NET-1..6), and the
 * ECS cluster with its Cloud Map namespace.
 */
export class Foundation extends Construct {
  /** Encrypts the region's CloudWatch log groups and ECS Exec sessions. */
  readonly logsKey: EncryptionKey;
  readonly network: Network;
  readonly cluster: ComputeCluster;

  constructor(scope: Construct, id: string, props: FoundationProps) {
    super(scope, id);
    const { stackName: name, account, network } = props;
    this.logsKey = new EncryptionKey(this, "logs-key", {
      alias: `${name}/logs`,
      description: `${name}: encrypts CloudWatch log groups`,
      account,
      allowCloudWatchLogs: true,
      // Deleting it would make the environment's encrypted logs unreadable.
      preventDestroy: props.production,
    });
    ComponentTags.apply(this.logsKey, "encryption");

    this.network = new Network(this, "network", {
      name,
      account,
      vpcCidr: network.vpcCidr,
      availabilityZones: network.availabilityZones,
      subnets: network.subnets,
      ports: SERVICE_PORTS,
      natGateways: network.natGateways,
      flowLogRetentionDays: network.flowLogRetentionDays,
      flowLogKmsKeyArn: this.logsKey.keyArn,
      albTestListenerPort: props.albTestListenerPort,
      httpsThroughNat: props.httpsThroughNat,
    });

    this.cluster = new ComputeCluster(this, "cluster", {
      name,
      kmsKeyArn: this.logsKey.keyArn,
      serviceNamespace: { name: `${name}.internal`, vpcId: this.network.vpcId },
    });
  }
}
