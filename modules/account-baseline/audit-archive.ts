import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { AwsAccount } from "../common/aws-account";
import { ComponentTags } from "../common/component-tags";
import { refuseProps } from "../common/props";
import { EncryptionKey } from "../kms";
import { SecureBucket } from "../secure-bucket";

/** Key prefixes of the archive: CloudTrail and Config each write under `<prefix>/AWSLogs/<account>/`. */
export const AUDIT_PREFIXES = { cloudTrail: "cloudtrail", config: "config" } as const;

/** Where the accounts' trails and Config recorders deliver, as their stacks name it (a typed contract, no lookup). */
export interface AuditArchiveRef {
  readonly bucketName: string;
  readonly region: string;
  /** The archive's account. @default - the trail's own (single-account layout) */
  readonly accountId?: string;
}

/** The archive key's alias (without `alias/`), derived from the bucket's name. */
export const auditKeyAlias = (bucketName: string) => `${bucketName}/audit`;

/**
 * The archive key's alias ARN, for a trail's `kms_key_id` (CloudTrail takes an
 * alias ARN, of another account too; the provider wants an ARN, not a name).
 */
export const auditKeyAliasArn = (archive: AuditArchiveRef, trailAccount: AwsAccount) =>
  `arn:${trailAccount.partition}:kms:${archive.region}:${archive.accountId ?? trailAccount.accountId}:alias/${auditKeyAlias(archive.bucketName)}`;

export interface AuditArchiveProps {
  readonly bucketName: string;
  /** The archive's own account and region. */
  readonly account: AwsAccount;
  /** Accounts whose CloudTrail trails and Config recorders deliver here (the archive's own included, if it has any). */
  readonly sourceAccountIds: readonly string[];
  /** Server access logs of the archive. */
  readonly accessLogs: { readonly target: SecureBucket };
  /** Days the audit logs are kept. @default 365 */
  readonly retentionDays?: number;
  /** @default false */
  readonly preventDestroy?: boolean;
  readonly provider?: TerraformProvider;
}

/**
 * The audit archive of every account (ACC-1): the CloudTrail logs and AWS
 * Config history, in the state account, out of reach of the accounts that
 * produce them (their administrators can stop a trail, not edit what it
 * wrote). SSE-KMS with a key of its own that CloudTrail and Config may use
 * only for the listed accounts' trails and recorders (confused deputy:
 * aws:SourceArn / aws:SourceAccount), versioned, TLS only, expiring after
 * `retentionDays`.
 */
export class AuditArchive extends Construct {
  readonly bucket: SecureBucket;
  readonly key: EncryptionKey;

  constructor(scope: Construct, id: string, props: AuditArchiveProps) {
    super(scope, id);
    const retention = props.retentionDays ?? 365;
    refuseProps("AuditArchive", id, [
      ...(props.sourceAccountIds.length === 0 ? ["sourceAccountIds: name at least one account that delivers here"] : []),
      ...props.sourceAccountIds
        .filter((a) => !/^\d{12}$/.test(a) && !a.includes("${"))
        .map((a) => `sourceAccountIds: "${a}" is not an account id`),
      ...(Number.isInteger(retention) && retention >= 90 ? [] : [`retentionDays: ${retention} must be a whole number of at least 90`]),
    ]);
    const { partition } = props.account;
    const accounts = [...new Set(props.sourceAccountIds)];
    const trails = accounts.map((a) => `arn:${partition}:cloudtrail:*:${a}:trail/*`);
    this.key = new EncryptionKey(this, "key", {
      alias: auditKeyAlias(props.bucketName),
      description: `Encrypts the audit logs in ${props.bucketName} (CloudTrail, AWS Config)`,
      account: props.account,
      preventDestroy: props.preventDestroy,
      provider: props.provider,
      grants: [
        {
          // CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail".
          sid: "CloudTrailEncryptsTheTrailsOfTheSourceAccounts",
          principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
          actions: ["kms:GenerateDataKey*"],
          resources: ["*"],
          condition: [{ test: "StringLike", variable: "kms:EncryptionContext:aws:cloudtrail:arn", values: trails }],
        },
        {
          sid: "CloudTrailDescribesTheKey",
          principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
          actions: ["kms:DescribeKey"],
          resources: ["*"],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: accounts }],
        },
        {
          // The bucket's default encryption: Config writes its snapshots under this key as itself.
          sid: "ConfigEncryptsTheHistoryOfTheSourceAccounts",
          principals: [{ type: "Service", identifiers: ["config.amazonaws.com"] }],
          actions: ["kms:GenerateDataKey", "kms:Decrypt"],
          resources: ["*"],
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: accounts }],
        },
      ],
    });
    this.bucket = new SecureBucket(this, "bucket", {
      provider: props.provider,
      bucketName: props.bucketName,
      kmsKeyArn: this.key.keyArn,
      preventDestroy: props.preventDestroy,
      expirationDays: retention,
      accessLogs: props.accessLogs,
    });
    const arn = this.bucket.bucket.arn;
    const objects = (prefix: string) => accounts.map((a) => `${arn}/${prefix}/AWSLogs/${a}/*`);
    const fromAccounts = [{ test: "StringEquals", variable: "aws:SourceAccount", values: accounts }];
    // CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail"; AWS Config Developer Guide, "Permissions for the Amazon S3 bucket".
    this.bucket.addToPolicy({
      sid: "CloudTrailChecksTheAcl",
      principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
      actions: ["s3:GetBucketAcl"],
      resources: [arn],
      condition: [{ test: "ArnLike", variable: "aws:SourceArn", values: trails }],
    });
    this.bucket.addToPolicy({
      sid: "CloudTrailWritesItsAccountsLogs",
      principals: [{ type: "Service", identifiers: ["cloudtrail.amazonaws.com"] }],
      actions: ["s3:PutObject"],
      resources: objects(AUDIT_PREFIXES.cloudTrail),
      condition: [{ test: "ArnLike", variable: "aws:SourceArn", values: trails }],
    });
    this.bucket.addToPolicy({
      sid: "ConfigChecksTheBucket",
      principals: [{ type: "Service", identifiers: ["config.amazonaws.com"] }],
      actions: ["s3:GetBucketAcl", "s3:ListBucket"],
      resources: [arn],
      condition: fromAccounts,
    });
    this.bucket.addToPolicy({
      sid: "ConfigWritesItsAccountsHistory",
      principals: [{ type: "Service", identifiers: ["config.amazonaws.com"] }],
      actions: ["s3:PutObject"],
      resources: objects(AUDIT_PREFIXES.config),
      condition: fromAccounts,
    });
    ComponentTags.apply(this, "audit");
  }
}
