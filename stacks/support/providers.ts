import { AwsProvider, type AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";
import { Aspects, type IAspect, type TerraformStack, TerraformVariable } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import type { EnvironmentConfig } from "../../environments/types";
import { ACCOUNT_ROLE_VARIABLE } from "./contracts";

/** Settings every AWS provider of an environment's stacks shares, whatever its region. */
export type ProviderSettings = Pick<AwsProviderConfig, "allowedAccountIds" | "defaultTags">;

/** How a stack's providers reach an account: the account they must act in, and the role they assume there. */
export interface AccountAccess {
  readonly id?: string;
  readonly roleArn?: string;
  readonly externalId?: string;
}

/** IAM's limit on a role session name (RoleSessionName: 2-64 characters of [\w+=,.@-]). */
const MAX_SESSION_NAME = 64;

/** A stack's role session name (what CloudTrail shows as the session). */
export const sessionName = (stackName: string) => stackName.slice(0, MAX_SESSION_NAME);

/**
 * The account pin (`allowed_account_ids`, when the id is known) and, in the
 * multi-account layout, the role every AWS provider of the stack assumes
 * there, its session named after the stack (AssumeAccountRole). Returns the
 * pin for the providers' settings.
 */
export function accountProviderSettings(stack: TerraformStack, account: AccountAccess): Pick<ProviderSettings, "allowedAccountIds"> {
  if (account.roleArn) AssumeAccountRole.apply(stack, account.roleArn, account.externalId);
  return { allowedAccountIds: account.id ? [account.id] : undefined };
}

/**
 * Makes every AWS provider of a stack assume the account's role, from the
 * stack's variable `account_role_arn` (the role is its default). A run whose
 * own credentials are already the right ones (a plan role, a Terraform Cloud
 * run's dynamic credentials) sets it empty, and the provider assumes nothing:
 * `assume_role` is a dynamic block with no instance then (an empty role_arn
 * is deprecated in provider 5.x).
 */
class AssumeAccountRole implements IAspect {
  private static readonly applied = new WeakSet<TerraformStack>();

  static apply(stack: TerraformStack, roleArn: string, externalId: string | undefined): void {
    if (AssumeAccountRole.applied.has(stack)) return;
    AssumeAccountRole.applied.add(stack);
    new TerraformVariable(stack, ACCOUNT_ROLE_VARIABLE, {
      type: "string",
      default: roleArn,
      description:
        "The role the AWS providers assume in the stack's account; empty: the caller's credentials act (plan roles, Terraform Cloud runs)",
    });
    Aspects.of(stack).add(new AssumeAccountRole(externalId, sessionName(stack.node.id)));
  }

  private constructor(
    private readonly externalId: string | undefined,
    private readonly session: string,
  ) {}

  visit(node: IConstruct): void {
    if (!(node instanceof AwsProvider)) return;
    const role = `var.${ACCOUNT_ROLE_VARIABLE}`;
    node.addOverride("dynamic.assume_role", {
      for_each: `\${${role} == "" ? [] : [${role}]}`,
      content: {
        role_arn: "${assume_role.value}",
        session_name: this.session,
        ...(this.externalId ? { external_id: this.externalId } : {}),
      },
    });
  }
}

/**
 * The environment's account (pin and role, `accountProviderSettings`) and its
 * tags on every taggable resource (ENV-4; modules add Component).
 */
export function environmentProviderSettings(
  stack: TerraformStack,
  config: EnvironmentConfig,
  extraTags: Readonly<Record<string, string>> = {},
): ProviderSettings {
  return { ...accountProviderSettings(stack, config.account), defaultTags: [{ tags: { ...config.tags, ...extraTags } }] };
}

/** CloudFront takes certificates and WAF ACLs from us-east-1 only. */
const GLOBAL_REGION = "us-east-1";

/** The other regions' providers of an environment's primary stack, by what each is for. */
export interface RoleProviders<P = AwsProvider> {
  /** The failover region: the database's cross-region replica, backup copies, the data key's replica (DR-2, RDS-3). */
  readonly failover: P;
  /** The videos bucket's replication region (S3-6). */
  readonly replication: P;
  /** us-east-1, for CloudFront's certificate and WAF (edge). */
  readonly global: P;
}

/** One aliased provider per other region the environment uses; two roles in one region share it. */
export function roleProviders(scope: Construct, config: EnvironmentConfig, settings: ProviderSettings): RoleProviders {
  const byRegion = new Map<string, AwsProvider>();
  const of = (region: string) => {
    const provider = byRegion.get(region) ?? regionalProvider(scope, region, settings);
    byRegion.set(region, provider);
    return provider;
  };
  return {
    failover: of(config.disasterRecovery.failoverRegion),
    replication: of(config.storage.replicationRegion),
    global: of(GLOBAL_REGION),
  };
}

/** An aliased provider of another region: id `aws-<region>`, alias `<region>` with underscores. */
export function regionalProvider(scope: Construct, region: string, settings: ProviderSettings): AwsProvider {
  return new AwsProvider(scope, `aws-${region}`, { ...settings, region, alias: region.replace(/-/g, "_") });
}
