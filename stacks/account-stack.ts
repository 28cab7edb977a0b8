import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { BackendConfig, BackendKind, EnvironmentConfig } from "../environments/types";
import { AwsAccountLookup } from "../modules/common/aws-account";
import { ComponentTags } from "../modules/common/component-tags";
import { type AuditArchiveRef, SecurityBaseline } from "../modules/account-baseline";
import { PullThroughCache } from "../modules/container-registry";
import { EncryptionKey } from "../modules/kms";
import { configureBackend } from "./support/backend";
import { accountProviderSettings } from "./support/providers";
import { IsolatedStack } from "./isolated-stack";
import { AUDIT_TRAIL_NAME, videosBucketPrefix, XRAY_PULL_THROUGH } from "./support/contracts";

/** One account and region that environments deploy to, and what its singletons' stack needs. */
export interface AccountRegion {
  /** The pinned account, or undefined for the caller's account (single-account layout). */
  readonly accountId?: string;
  /** The role the stack's provider assumes there (multi-account layout): the environments' `account.roleArn`. @default - the caller's credentials */
  readonly roleArn?: string;
  /** The external ID that role requires. @default - none */
  readonly externalId?: string;
  readonly region: string;
  /** Where the stack keeps its state: the backend of the environments' stacks in that region. */
  readonly backend: BackendConfig;
  /** Production runs here: production rules and `prevent_destroy` apply. */
  readonly production: boolean;
  /** The environments (and standbys) that use it, for the docs and errors. */
  readonly users: readonly string[];
  /** An environment's primary region: the account's multi-region trail and its global resources' recording live here. */
  readonly home: boolean;
  /** Name prefixes of the account's videos buckets (both regions): the trail logs their object reads and writes. */
  readonly dataEventBucketPrefixes: readonly string[];
}

/**
 * Every account and region the environments' stacks run in: each
 * environment's primary region and, with a standby, its failover region.
 */
export function accountRegions(environments: readonly EnvironmentConfig[]): AccountRegion[] {
  const found = new Map<
    string,
    AccountRegion & { production: boolean; users: string[]; home: boolean; dataEventBucketPrefixes: string[] }
  >();
  const add = (config: EnvironmentConfig, region: string, backend: BackendConfig, user: string, home: boolean) => {
    const key = `${config.account.id ?? ""}|${region}`;
    // Environments sharing an account name the same role (environments/validate.ts).
    const { id: accountId, roleArn, externalId } = config.account;
    const entry = found.get(key) ?? {
      accountId,
      roleArn,
      externalId,
      region,
      backend,
      production: false,
      users: [],
      home: false,
      dataEventBucketPrefixes: [],
    };
    entry.production ||= config.production;
    entry.home ||= home;
    entry.users.push(user);
    found.set(key, entry);
  };
  for (const config of environments) {
    add(config, config.account.region, config.backend, config.name, true);
    const standby = config.disasterRecovery.standby;
    if (standby) add(config, config.disasterRecovery.failoverRegion, standby.backend, `${config.name} standby`, false);
  }
  const all = [...found.values()];
  // One trail per account: in the home region of the first environment there.
  for (const entry of all) {
    const homes = all.filter((other) => other.accountId === entry.accountId && other.home);
    entry.home = homes[0] === entry;
    if (entry.home)
      entry.dataEventBucketPrefixes.push(...environments.filter((e) => e.account.id === entry.accountId).map((e) => videosBucketPrefix(e)));
  }
  return all;
}

/** Whether the environments' stacks run in more than one account: then the account stacks are named by account too. */
export const spansAccounts = (all: readonly AccountRegion[]): boolean => new Set(all.map((t) => t.accountId ?? "")).size > 1;

/** `ecg-account-<region>`, with the account id first when the environments use more than one account. */
export function accountStackName(target: AccountRegion, all: readonly AccountRegion[]): string {
  return spansAccounts(all) ? `ecg-account-${target.accountId ?? "caller"}-${target.region}` : `ecg-account-${target.region}`;
}

export interface AccountStackProps {
  readonly target: AccountRegion;
  /** Where the account's trail and Config recorder deliver (the state stack's AuditArchive). */
  readonly archive: AuditArchiveRef;
  /** Backend of this run: the target's `backend.kind` unless overridden. */
  readonly backend: BackendKind;
  /** Tags on every resource (ENV-4). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * What an account's registry holds once per region, whatever the number of
 * environments there: the ECR pull-through cache of ECR Public (a rule per
 * prefix is a singleton of the registry: a second environment creating it
 * fails with PullThroughCacheRuleAlreadyExistsException, and destroying one
 * environment would delete the cache the others pull from) and the creation
 * template its repositories are made from; and the account's security
 * baseline in that region (modules/account-baseline: GuardDuty, Config,
 * Access Analyzer, ECR scanning, and in the home region the account's
 * trail). Applied before the environments of its account and region.
 */
export class AccountStack extends IsolatedStack {
  readonly pullThroughCache: PullThroughCache;
  readonly baseline: SecurityBaseline;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id);
    const { target } = props;
    new AwsProvider(this, "aws", {
      region: target.region,
      ...accountProviderSettings(this, { id: target.accountId, roleArn: target.roleArn, externalId: target.externalId }),
      defaultTags: [{ tags: { ...props.tags } }],
    });
    configureBackend(this, id, props.backend, target.backend);
    const account = new AwsAccountLookup(this, "account");
    const key = new EncryptionKey(this, "cache-key", {
      alias: `${id}/ecr-cache`,
      description: `${id}: encrypts the ECR pull-through cache repositories`,
      account,
      preventDestroy: target.production,
    });
    ComponentTags.apply(key, "encryption");
    this.pullThroughCache = new PullThroughCache(this, "pull-through-cache", {
      account,
      upstreams: { [XRAY_PULL_THROUGH.prefix]: XRAY_PULL_THROUGH.upstream },
      kmsKeyArn: key.keyArn,
      roleName: `${id}-ecr-templates`,
    });
    new TerraformOutput(this, "pull_through_cache_prefixes", { value: Object.keys(this.pullThroughCache.rules) });
    this.baseline = new SecurityBaseline(this, "baseline", {
      name: id,
      account,
      archive: props.archive,
      recordGlobalResources: target.home,
      trail: target.home ? { name: AUDIT_TRAIL_NAME, dataEventBucketPrefixes: target.dataEventBucketPrefixes } : undefined,
    });
  }
}
