import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { namedRoles } from "../common/iam-arn";

export interface EncryptionKeyProps {
  /** Alias name without the `alias/` prefix, e.g. `ecg-prod/logs`. */
  readonly alias: string;
  readonly description: string;
  /** The account and region the key lives in (for its key policy). */
  readonly account: AwsAccount;
  /**
   * Let CloudWatch Logs of this account and region encrypt log groups with the
   * key. Logs needs an explicit key-policy grant; IAM permissions are not enough.
   * @default false
   */
  readonly allowCloudWatchLogs?: boolean;
  /**
   * Service principals of this account (e.g. `cloudwatch.amazonaws.com` for
   * alarms) that may `kms:Decrypt` and `kms:GenerateDataKey*` with the key:
   * a service publishing to a KMS-encrypted SNS topic encrypts the message
   * with the topic's key under its own identity, so the key policy must name
   * it. Scoped with `aws:SourceAccount` to requests made on behalf of this
   * account (confused deputy).
   * @default - none
   */
  readonly allowServicePublishers?: readonly string[];
  /**
   * Roles, of other accounts too, that may decrypt with the key (kms:Decrypt,
   * kms:DescribeKey): a cross-account reader of data the key encrypts needs
   * the key policy's grant as well as its own policy's.
   * @default - none
   */
  readonly allowRoles?: readonly string[];
  /**
   * Further key-policy statements, for principals the options above do not
   * cover (services delivering for other accounts, each with its condition).
   * Every statement needs a sid.
   * @default - none
   */
  readonly grants?: readonly DataAwsIamPolicyDocumentStatement[];
  /**
   * Waiting period before a scheduled deletion takes effect (7-30 days).
   * @default 30
   */
  readonly deletionWindowInDays?: number;
  /** Terraform refuses to destroy the key (production). @default false */
  readonly preventDestroy?: boolean;
  /** Provider of another region (a key for a cross-region copy lives there). @default - the stack's default provider */
  readonly provider?: TerraformProvider;
}

/**
 * A customer-managed KMS key with yearly rotation (CKV_AWS_7) and an alias.
 * Its policy delegates administration to the account's IAM (the AWS default
 * key policy) and grants service principals only what they need.
 */
export class EncryptionKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;
  /** ARN of the key, for `kms_key_id` arguments. */
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const window = props.deletionWindowInDays ?? 30;
    if (!Number.isInteger(window) || window < 7 || window > 30) {
      throw new Error(`EncryptionKey "${id}": deletionWindowInDays ${window} must be a whole number from 7 to 30 (KMS limit)`);
    }
    if (!/^[a-zA-Z0-9/_-]+$/.test(props.alias) || props.alias.startsWith("aws/")) {
      throw new Error(`EncryptionKey "${id}": alias "${props.alias}" may hold only letters, digits, / _ - and must not start with aws/`);
    }
    const publishers = props.allowServicePublishers ?? [];
    const notServices = publishers.filter((p) => !/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/.test(p));
    if (notServices.length > 0) {
      throw new Error(
        `EncryptionKey "${id}": allowServicePublishers ${notServices.map((p) => `"${p}"`).join(", ")} must be service principals (<service>.amazonaws.com)`,
      );
    }
    const { accountId, region, partition } = props.account;
    const statements: DataAwsIamPolicyDocumentStatement[] = [
      {
        sid: "AccountAdministersKeyThroughIam",
        principals: [{ type: "AWS", identifiers: [`arn:${partition}:iam::${accountId}:root`] }],
        actions: ["kms:*"],
        resources: ["*"],
      },
    ];
    if (props.allowCloudWatchLogs) {
      statements.push({
        sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
        principals: [{ type: "Service", identifiers: [`logs.${region}.amazonaws.com`] }],
        actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        resources: ["*"],
        condition: [
          {
            test: "ArnLike",
            variable: "kms:EncryptionContext:aws:logs:arn",
            values: [`arn:${partition}:logs:${region}:${accountId}:log-group:*`],
          },
        ],
      });
    }
    if (publishers.length > 0) {
      statements.push({
        sid: "ServicesPublishEncryptedMessagesForThisAccount",
        principals: [{ type: "Service", identifiers: [...new Set(publishers)] }],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
      });
    }
    if (props.allowRoles?.length) {
      statements.push({
        sid: "NamedRolesDecrypt",
        actions: ["kms:Decrypt", "kms:DescribeKey"],
        resources: ["*"],
        ...namedRoles(props.allowRoles),
      });
    }
    for (const grant of props.grants ?? []) {
      if (!grant.sid || statements.some((s) => s.sid === grant.sid))
        throw new Error(`EncryptionKey "${id}": grants: every statement needs a sid of its own (got "${grant.sid ?? ""}")`);
      statements.push(grant);
    }
    const policy = new DataAwsIamPolicyDocument(this, "policy", { statement: statements });
    this.key = new KmsKey(this, "key", {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: window,
      policy: policy.json,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
      provider: props.provider,
    });
    this.alias = new KmsAlias(this, "alias", { name: `alias/${props.alias}`, targetKeyId: this.key.keyId, provider: props.provider });
    this.keyArn = this.key.arn;
  }
}
