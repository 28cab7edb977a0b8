import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { BackendKind, EnvironmentConfig } from "../environments/types";
import { AwsAccountLookup } from "../modules/common/aws-account";
import { ComponentTags } from "../modules/common/component-tags";
import { EncryptionKey } from "../modules/kms";
import { Network } from "../modules/network";
import { configureBackend } from "./backend";

export interface PlatformStackProps {
  readonly config: EnvironmentConfig;
  /** Backend of this run: the environment's `backend.kind` unless overridden. */
  readonly backend: BackendKind;
}

/** Name of an environment's platform stack (and its state key / workspace). */
export const platformStackName = (config: EnvironmentConfig) => `ecg-${config.name}`;

/** Everything one environment runs in its primary region (PLT-2). */
export class PlatformStack extends TerraformStack {
  readonly network: Network;
  /** Encrypts the environment's CloudWatch log groups. */
  readonly logsKey: EncryptionKey;

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

    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId });
    for (const [tier, ids] of Object.entries(this.network.subnetIds)) {
      new TerraformOutput(this, `${tier}_subnet_ids`, { value: ids });
    }
    new TerraformOutput(this, "security_group_ids", { value: this.network.securityGroupIds });
  }
}
