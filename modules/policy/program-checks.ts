import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ResourceView, StackModel } from "./model";
import { blocks } from "./rules/helpers";
import type { Json } from "../common/json";

/**
 * Program-level checks (issue #13, item 11): what no single stack's policy
 * pack can see, because each stack is fine on its own. Two stacks that can
 * land in the same account (and region) must not both create an account or
 * region singleton (ECR pull through cache rule per prefix, GuardDuty
 * detector, Config recorder, ...) nor the same name in a namespace that is
 * account-, region- or partition-wide (IAM role names, log group names,
 * bucket names). Terraform cannot see it either: each stack has its own
 * state, so the second apply fails with "already exists" (or, for the
 * put-style singletons such as the account public access block, silently
 * overwrites the other stack's setting, and the two fight on every apply).
 *
 * Pure: a function of the synthesized stacks (stack name → parsed
 * cdk.tf.json); {@link readSynthesizedStacks} reads them from the output
 * directory for the wire-up after `app.synth()`.
 *
 * ## Where a resource lands
 *
 * From the provider it uses: the resource's `provider` field (`aws.tokyo`)
 * names an aliased `provider.aws` entry; without it, the entry without alias.
 * - Region: the entry's literal `region`. A missing or expression region is
 *   unknown, and an unknown region can be any region.
 * - Account: the account of `assume_role[].role_arn` when literal, else the
 *   literal `allowed_account_ids`. None pinned: unknown, which can be any
 *   account. Two resources can share an account when their candidate
 *   accounts intersect or either is unknown (the program pins no account
 *   today: every stack can share every other's account).
 * - Partition (for the S3 bucket namespace): from the region (`cn-*` is
 *   aws-cn, `us-gov-*` aws-us-gov, else aws), from the role ARN when no region.
 *
 * ## Names that are expressions
 *
 * A key (name, prefix) that contains `${...}` is skipped. It is resolved by
 * Terraform at plan or apply time, in each stack from that stack's own data
 * sources and resources: the same text can resolve differently in two stacks
 * (`${data.aws_region.current.name}` in two regions) and different text to the
 * same value (a reference vs. the literal it holds). Neither a clash nor its
 * absence can be proved from the JSON, and a check that guesses would either
 * block good programs or wave bad ones through. Resources with `count` or
 * `for_each` are checked with their literal key like any other (a literal
 * name under `count` > 1 clashes with itself, which Terraform's plan shows).
 */

/** How far a singleton or name is unique. */
type UniquenessScope =
  /** One per account per region (a regional service's registry/account settings, regional names). */
  | "account+region"
  /** One per account, whatever the region (IAM, account-level S3 settings). */
  | "account"
  /** One across every account of the partition (S3 bucket names, IAM account aliases). */
  | "partition";

/** One kind of thing that must exist once per scope. */
export interface Singleton {
  readonly type: string;
  readonly scope: UniquenessScope;
  /** What is unique, e.g. "pull through cache rule for ECR repository prefix". */
  readonly what: string;
  /**
   * The key within the scope: a literal string; `""` for a plain singleton
   * (one per scope, whatever its arguments). Undefined: not comparable
   * (no literal key), the resource is skipped.
   */
  key(config: Json): string | undefined;
  /** The AWS documentation that makes it unique. */
  readonly source: string;
}

/** Where one resource lands (see the module comment). */
interface Placement {
  readonly stack: string;
  readonly address: string;
  /** Candidate accounts; undefined when not pinned (any account). */
  readonly accounts?: readonly string[];
  /** Undefined when unknown (any region). */
  readonly region?: string;
  /** Undefined when unknown (any partition). */
  readonly partition?: string;
}

/** Two resources of the program that create the same singleton or name. */
export interface ProgramClash {
  readonly type: string;
  readonly scope: UniquenessScope;
  readonly what: string;
  /** The clashing key (`""` for a plain singleton). */
  readonly key: string;
  readonly source: string;
  readonly first: Placement;
  readonly second: Placement;
}

const isLiteral = (value: unknown): value is string => typeof value === "string" && value !== "" && !value.includes("${");
/** A literal string argument, or undefined (missing, empty or an expression). */
const literal = (value: unknown): string | undefined => (isLiteral(value) ? value : undefined);
/** Keys of several arguments, all literal, else undefined. */
const literals = (...values: unknown[]): string | undefined => {
  const found = values.map(literal);
  return found.every((v) => v !== undefined) ? found.join(" ") : undefined;
};
/** The one-per-scope key. */
const ONE = () => "";
/** IAM names are unique without regard to case. */
const iamName = (value: unknown) => literal(value)?.toLowerCase();

const ECR_USER_GUIDE = "Amazon ECR User Guide";

/**
 * The singletons and unique names the check knows. Resources of other types,
 * and keys not listed here, are not checked.
 */
export const SINGLETONS: readonly Singleton[] = [
  // ---- one per account per region ------------------------------------------------
  {
    type: "aws_ecr_pull_through_cache_rule",
    scope: "account+region",
    what: "pull through cache rule for ECR repository prefix",
    key: (c) => literal(c.ecr_repository_prefix),
    source: `${ECR_USER_GUIDE}, pull through cache rules: the ecr repository prefix is the namespace of the rule in the private registry (one registry per account per Region); CreatePullThroughCacheRule fails with PullThroughCacheRuleAlreadyExistsException for an existing prefix`,
  },
  {
    type: "aws_ecr_repository_creation_template",
    scope: "account+region",
    what: "ECR repository creation template for prefix",
    key: (c) => literal(c.prefix),
    source: `${ECR_USER_GUIDE}, repository creation templates: one template per prefix (or ROOT) in the registry; CreateRepositoryCreationTemplate fails with TemplateAlreadyExistsException`,
  },
  {
    type: "aws_ecr_registry_scanning_configuration",
    scope: "account+region",
    what: "ECR registry scanning configuration",
    key: ONE,
    source: `${ECR_USER_GUIDE}, image scanning: the scanning configuration is a setting of the private registry (PutRegistryScanningConfiguration replaces it)`,
  },
  {
    type: "aws_ecr_replication_configuration",
    scope: "account+region",
    what: "ECR registry replication configuration",
    key: ONE,
    source: `${ECR_USER_GUIDE}, private registry settings: one replication configuration per registry (PutReplicationConfiguration replaces it)`,
  },
  {
    type: "aws_ecr_registry_policy",
    scope: "account+region",
    what: "ECR registry permissions policy",
    key: ONE,
    source: `${ECR_USER_GUIDE}, private registry permissions: one registry policy per registry (PutRegistryPolicy replaces it)`,
  },
  {
    type: "aws_guardduty_detector",
    scope: "account+region",
    what: "GuardDuty detector",
    key: ONE,
    source: "GuardDuty API Reference, CreateDetector: you can have only one detector per account per Region",
  },
  {
    type: "aws_config_configuration_recorder",
    scope: "account+region",
    what: "AWS Config customer managed configuration recorder",
    key: ONE,
    source: "AWS Config Developer Guide, starting Config with the CLI: one customer managed configuration recorder per account per Region",
  },
  {
    type: "aws_config_delivery_channel",
    scope: "account+region",
    what: "AWS Config delivery channel",
    key: ONE,
    source: "AWS Config Developer Guide, starting Config with the CLI: one delivery channel per account per Region",
  },
  {
    type: "aws_accessanalyzer_analyzer",
    scope: "account+region",
    what: "IAM Access Analyzer analyzer of type",
    // Type defaults to ACCOUNT. An account outside the organization's management/delegated
    // admin can have only one analyzer with the account as zone of trust; keyed per type.
    key: (c) => (c.type === undefined ? "ACCOUNT" : literal(c.type)),
    source:
      "IAM User Guide, creating an external access analyzer: an analyzer is per Region, and an account that is not the organization's management or delegated administrator account can create only one analyzer with the account as zone of trust",
  },
  {
    type: "aws_ebs_encryption_by_default",
    scope: "account+region",
    what: "EBS encryption by default setting",
    key: ONE,
    source: "Amazon EBS User Guide, encryption by default: a Region-level setting of the account (EnableEbsEncryptionByDefault)",
  },
  {
    type: "aws_ebs_default_kms_key",
    scope: "account+region",
    what: "EBS default KMS key",
    key: ONE,
    source:
      "Amazon EBS User Guide, encryption by default: the default KMS key is a Region-level setting of the account (ModifyEbsDefaultKmsKeyId)",
  },
  {
    type: "aws_securityhub_account",
    scope: "account+region",
    what: "Security Hub enablement",
    key: ONE,
    source:
      "Security Hub User Guide: Security Hub is enabled per account per Region (EnableSecurityHub fails with ResourceConflictException when already enabled)",
  },
  {
    type: "aws_api_gateway_account",
    scope: "account+region",
    what: "API Gateway account settings (CloudWatch role)",
    key: ONE,
    source:
      "API Gateway Developer Guide, CloudWatch logging: the CloudWatch Logs role ARN is an account setting per Region (UpdateAccount)",
  },
  {
    type: "aws_cloudwatch_log_resource_policy",
    scope: "account+region",
    what: "CloudWatch Logs resource policy name",
    key: (c) => literal(c.policy_name),
    source:
      "CloudWatch Logs API Reference, PutResourcePolicy: a policy name is unique in the account and Region (putting the same name replaces the other's)",
  },
  {
    type: "aws_cloudwatch_log_group",
    scope: "account+region",
    what: "CloudWatch Logs log group name",
    key: (c) => literal(c.name),
    source: "CloudWatch Logs API Reference, CreateLogGroup: log group names must be unique within a Region for an AWS account",
  },
  {
    type: "aws_lambda_function",
    scope: "account+region",
    what: "Lambda function name",
    key: (c) => literal(c.function_name),
    source: "Lambda API Reference, CreateFunction: the function name is unique in the account and Region (ResourceConflictException)",
  },
  {
    type: "aws_ecr_repository",
    scope: "account+region",
    what: "ECR repository name",
    key: (c) => literal(c.name),
    source: `${ECR_USER_GUIDE}: a repository name is unique in the private registry of the account and Region (RepositoryAlreadyExistsException)`,
  },
  {
    type: "aws_secretsmanager_secret",
    scope: "account+region",
    what: "Secrets Manager secret name",
    key: (c) => literal(c.name),
    source:
      "Secrets Manager API Reference, CreateSecret: the secret name must be unique within the account and Region (ResourceExistsException)",
  },
  {
    type: "aws_ecs_cluster",
    scope: "account+region",
    what: "ECS cluster name",
    key: (c) => literal(c.name),
    source:
      "Amazon ECS API Reference, CreateCluster: cluster names are unique in the account and Region (a second create returns the existing cluster, which two stacks then both own)",
  },
  {
    type: "aws_db_instance",
    scope: "account+region",
    what: "RDS DB instance identifier",
    key: (c) => literal(c.identifier)?.toLowerCase(),
    source: "Amazon RDS User Guide, DB instance identifier: must be unique for each AWS account in each Region (stored in lowercase)",
  },
  {
    type: "aws_elasticache_replication_group",
    scope: "account+region",
    what: "ElastiCache replication group id",
    key: (c) => literal(c.replication_group_id)?.toLowerCase(),
    source:
      "ElastiCache API Reference, CreateReplicationGroup: the replication group identifier is unique in the account and Region (stored in lowercase)",
  },
  {
    type: "aws_sns_topic",
    scope: "account+region",
    what: "SNS topic name",
    key: (c) => literal(c.name),
    source:
      "Amazon SNS API Reference, CreateTopic: a topic name is unique in the account and Region (the ARN is arn:aws:sns:<region>:<account>:<name>; a second create returns the other's topic)",
  },
  {
    type: "aws_kms_alias",
    scope: "account+region",
    what: "KMS alias name",
    key: (c) => literal(c.name),
    source: "AWS KMS Developer Guide, aliases: an alias name must be unique in the account and Region (AlreadyExistsException)",
  },
  {
    type: "aws_ssm_parameter",
    scope: "account+region",
    what: "SSM parameter name",
    key: (c) => literal(c.name),
    source:
      "Systems Manager API Reference, PutParameter: parameter names are unique in the account and Region (ParameterAlreadyExists without overwrite)",
  },
  {
    type: "aws_lb",
    scope: "account+region",
    what: "load balancer name",
    key: (c) => literal(c.name),
    source: "Elastic Load Balancing API Reference, CreateLoadBalancer: the name must be unique per Region per account",
  },
  {
    type: "aws_wafv2_web_acl",
    scope: "account+region",
    what: "WAF web ACL name and scope",
    key: (c) => literals(c.name, c.scope),
    source:
      "AWS WAF API Reference, CreateWebACL: the name is unique for the scope (REGIONAL per Region, CLOUDFRONT in us-east-1) in the account (WAFDuplicateItemException)",
  },
  // ---- one per account ------------------------------------------------------------
  {
    type: "aws_s3_account_public_access_block",
    scope: "account",
    what: "S3 account-level Block Public Access setting",
    key: ONE,
    source:
      "Amazon S3 User Guide, Blocking public access: the account-level setting applies to every bucket of the account in every Region (PutPublicAccessBlock on the account replaces it)",
  },
  {
    type: "aws_iam_account_password_policy",
    scope: "account",
    what: "IAM account password policy",
    key: ONE,
    source: "IAM User Guide, account password policy: one password policy per account (UpdateAccountPasswordPolicy replaces it)",
  },
  {
    type: "aws_iam_role",
    scope: "account",
    what: "IAM role name",
    key: (c) => iamName(c.name),
    source:
      "IAM API Reference, CreateRole: IAM user, group, role and policy names must be unique within the account; names are not distinguished by case",
  },
  {
    type: "aws_iam_policy",
    scope: "account",
    // Unique by name, whatever the path: the path does not make a second name.
    what: "IAM managed policy name",
    key: (c) => iamName(c.name),
    source:
      "IAM API Reference, CreatePolicy: IAM user, group, role and policy names must be unique within the account; names are not distinguished by case",
  },
  {
    type: "aws_iam_instance_profile",
    scope: "account",
    what: "IAM instance profile name",
    key: (c) => iamName(c.name),
    source:
      "IAM API Reference, CreateInstanceProfile: instance profile names must be unique within the account; names are not distinguished by case",
  },
  {
    type: "aws_iam_user",
    scope: "account",
    what: "IAM user name",
    key: (c) => iamName(c.name),
    source:
      "IAM API Reference, CreateUser: IAM user, group, role and policy names must be unique within the account; names are not distinguished by case",
  },
  {
    type: "aws_iam_group",
    scope: "account",
    what: "IAM group name",
    key: (c) => iamName(c.name),
    source:
      "IAM API Reference, CreateGroup: IAM user, group, role and policy names must be unique within the account; names are not distinguished by case",
  },
  {
    type: "aws_iam_openid_connect_provider",
    scope: "account",
    what: "IAM OIDC identity provider URL",
    key: (c) =>
      literal(c.url)
        ?.replace(/^https:\/\//, "")
        .replace(/\/$/, ""),
    source: "IAM API Reference, CreateOpenIDConnectProvider: one provider per URL in the account (EntityAlreadyExists)",
  },
  // ---- one across the partition -----------------------------------------------------
  {
    type: "aws_iam_account_alias",
    scope: "account",
    what: "IAM account alias",
    key: ONE,
    source: "IAM User Guide, account alias: an account can have only one alias",
  },
  {
    type: "aws_iam_account_alias",
    scope: "partition",
    what: "IAM account alias name",
    key: (c) => literal(c.account_alias),
    source: "IAM API Reference, CreateAccountAlias: the alias must be unique across all AWS products in the partition",
  },
  {
    type: "aws_s3_bucket",
    scope: "partition",
    what: "S3 bucket name",
    key: (c) => literal(c.bucket),
    source:
      "Amazon S3 User Guide, bucket naming rules: bucket names must be unique across all AWS accounts in all the AWS Regions within a partition",
  },
];

/** `arn:<partition>:iam::<account>:role/...` → [partition, account]. */
const arnParts = (arn: unknown): [string, string] | undefined => {
  const m = isLiteral(arn) ? /^arn:([a-z-]+):[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn) : null;
  return m ? [m[1], m[2]] : undefined;
};

const partitionOf = (region: string) =>
  region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : region.startsWith("us-iso") ? "aws-iso" : "aws";

interface ProviderPlacement {
  readonly accounts?: readonly string[];
  readonly region?: string;
  readonly partition?: string;
}

/** Where each `provider.aws` entry of a stack lands, by its reference (`aws`, `aws.<alias>`). */
export function providerPlacements(terraform: Json): Map<string, ProviderPlacement> {
  const placements = new Map<string, ProviderPlacement>();
  for (const entry of blocks(terraform.provider?.aws)) {
    const region = literal(entry.region);
    const role = blocks(entry.assume_role)
      .map((r) => arnParts(r.role_arn))
      .find(Boolean);
    const allowed =
      Array.isArray(entry.allowed_account_ids) && entry.allowed_account_ids.length && entry.allowed_account_ids.every(isLiteral)
        ? (entry.allowed_account_ids as string[])
        : undefined;
    const accounts = role ? [role[1]] : allowed;
    const partition = region ? partitionOf(region) : role?.[0];
    placements.set(entry.alias === undefined ? "aws" : `aws.${entry.alias}`, { accounts, region, partition });
  }
  return placements;
}

/** Where a resource of the stack lands; an unknown provider (none declared, or an expression) lands anywhere. */
const placementOf = (stack: string, view: ResourceView, providers: Map<string, ProviderPlacement>): Placement => {
  const reference = typeof view.config.provider === "string" ? view.config.provider : "aws";
  return { stack, address: view.address, ...(providers.get(reference) ?? {}) };
};

const canShareAccount = ({ accounts: a }: Placement, { accounts: b }: Placement) => !a || !b || a.some((x) => b.includes(x));
const canShareRegion = (a: Placement, b: Placement) => a.region === undefined || b.region === undefined || a.region === b.region;
const canSharePartition = (a: Placement, b: Placement) =>
  a.partition === undefined || b.partition === undefined || a.partition === b.partition;

const canShare: Record<UniquenessScope, (a: Placement, b: Placement) => boolean> = {
  "account+region": (a, b) => canShareAccount(a, b) && canShareRegion(a, b),
  account: canShareAccount,
  partition: canSharePartition,
};

/**
 * Every pair of resources of the program that can land in the same scope and
 * create the same singleton or name. Pure: stack name → parsed cdk.tf.json.
 * Pairs in one stack count too (two providers of one region, say).
 */
export function programClashes(stacks: Readonly<Record<string, Json>>, singletons: readonly Singleton[] = SINGLETONS): ProgramClash[] {
  const byType = new Map<string, { stack: string; view: ResourceView; placement: Placement }[]>();
  for (const [stack, terraform] of Object.entries(stacks)) {
    const providers = providerPlacements(terraform);
    for (const view of new StackModel(stack, terraform, false).resources) {
      if (!view.type.startsWith("aws_")) continue;
      const list = byType.get(view.type) ?? [];
      list.push({ stack, view, placement: placementOf(stack, view, providers) });
      byType.set(view.type, list);
    }
  }
  const clashes: ProgramClash[] = [];
  for (const singleton of singletons) {
    const keyed = (byType.get(singleton.type) ?? [])
      .map((r) => ({ ...r, key: singleton.key(r.view.config) }))
      .filter((r): r is typeof r & { key: string } => r.key !== undefined);
    for (let i = 0; i < keyed.length; i++) {
      for (let j = i + 1; j < keyed.length; j++) {
        const [a, b] = [keyed[i], keyed[j]];
        if (a.key !== b.key || !canShare[singleton.scope](a.placement, b.placement)) continue;
        clashes.push({
          type: singleton.type,
          scope: singleton.scope,
          what: singleton.what,
          key: a.key,
          source: singleton.source,
          first: a.placement,
          second: b.placement,
        });
      }
    }
  }
  return clashes;
}

const where = (p: Placement, scope: UniquenessScope) => {
  const account = p.accounts ? `account ${p.accounts.join("|")}` : "unpinned account";
  if (scope === "partition") return p.partition ? `partition ${p.partition}` : "unknown partition";
  return scope === "account" ? account : `${account}, ${p.region ?? "unknown region"}`;
};

/** One line per clash: both stacks, both addresses, what clashes, and why it must be unique. */
export function formatClash(c: ProgramClash): string {
  const key = c.key === "" ? c.what : `${c.what} "${c.key}"`;
  return (
    `${c.first.stack} ${c.first.address} (${where(c.first, c.scope)}) and ${c.second.stack} ${c.second.address} (${where(c.second, c.scope)}) ` +
    `both create the ${key}, unique per ${c.scope}. ${c.source}.`
  );
}

export class ProgramCheckError extends Error {
  constructor(readonly clashes: readonly ProgramClash[]) {
    super(
      `${clashes.length} account/region singleton clash(es) between stacks that can share an account (no stack pins one, or they pin the same):\n` +
        clashes.map((c) => `  - ${formatClash(c)}`).join("\n") +
        "\nCreate each in one stack only (a shared stack for the account and region), or give each stack its own name/prefix.",
    );
    this.name = "ProgramCheckError";
  }
}

/** Throws a {@link ProgramCheckError} listing every clash; returns when there is none. */
export function checkProgramSingletons(stacks: Readonly<Record<string, Json>>, singletons: readonly Singleton[] = SINGLETONS): void {
  const clashes = programClashes(stacks, singletons);
  if (clashes.length) throw new ProgramCheckError(clashes);
}

/** The stacks `app.synth()` wrote: `<outdir>/stacks/<name>/cdk.tf.json`, by stack name. */
export function readSynthesizedStacks(outdir: string, stackNames: readonly string[]): Record<string, Json> {
  return Object.fromEntries(
    stackNames
      .map((name) => [name, join(outdir, "stacks", name, "cdk.tf.json")] as const)
      .filter(([, file]) => existsSync(file))
      .map(([name, file]) => [name, JSON.parse(readFileSync(file, "utf8")) as Json]),
  );
}
