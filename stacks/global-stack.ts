import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { BackendKind, EnvironmentConfig } from "../environments/types";
import { GLOBAL_ACCELERATOR_API_REGION, GlobalEntryPoint } from "../modules/failover";
import { configureBackend } from "./support/backend";
import { IsolatedStack } from "./isolated-stack";
import { environmentProviderSettings, regionalProvider } from "./support/providers";
import { albName, platformStackName, standbyStackName } from "./support/contracts";

export interface GlobalStackProps {
  /** An environment with `disasterRecovery.standby`. */
  readonly config: EnvironmentConfig;
  /** Backend of this run: the standby's `backend.kind` unless overridden (its state lives with the standby's). */
  readonly backend: BackendKind;
}

/**
 * Global Accelerator in front of the environment's two regional ALBs (SC-2,
 * DR-3), found by name; its state lives with the standby's, outside the
 * primary region, and it fails over by itself (docs/architecture.md).
 */
export class GlobalStack extends IsolatedStack {
  readonly entryPoint: GlobalEntryPoint;

  constructor(scope: Construct, id: string, props: GlobalStackProps) {
    super(scope, id);
    const { config } = props;
    const standby = config.disasterRecovery.standby;
    if (!standby) throw new Error(`GlobalStack "${id}": environment "${config.name}" has no disasterRecovery.standby`);
    const settings = environmentProviderSettings(this, config);
    // Every Global Accelerator resource is managed through us-west-2.
    const accelerator = new AwsProvider(this, "aws", { ...settings, region: GLOBAL_ACCELERATOR_API_REGION });
    configureBackend(this, id, props.backend, standby.backend);
    const regions = { primary: config.account.region, secondary: config.disasterRecovery.failoverRegion };
    const lookup = (key: "primary" | "secondary", stackName: string) => {
      const region = regions[key];
      const provider = regionalProvider(this, region, settings);
      return { region, loadBalancerArn: new DataAwsLb(this, `${key}-alb`, { provider, name: albName(stackName) }).arn };
    };
    this.entryPoint = new GlobalEntryPoint(this, "accelerator", {
      name: id,
      provider: accelerator,
      primary: lookup("primary", platformStackName(config)),
      secondary: lookup("secondary", standbyStackName(config)),
    });
    new TerraformOutput(this, "static_ip_addresses", { value: this.entryPoint.staticIpAddresses });
    new TerraformOutput(this, "accelerator_dns_name", { value: this.entryPoint.dnsName });
  }
}
