import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { Construct } from "constructs";

/** Where a stack deploys; modules build ARNs and key policies from it. */
export interface AwsAccount {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

/** Reads the account, region and partition of the stack's provider once. */
export class AwsAccountLookup extends Construct implements AwsAccount {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.accountId = new DataAwsCallerIdentity(this, "caller").accountId;
    this.region = new DataAwsRegion(this, "region").name;
    this.partition = new DataAwsPartition(this, "partition").partition;
  }
}
