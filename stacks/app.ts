import { copyFileSync, existsSync, readdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { accessProblems } from "../environments/access";
import { deliveryAccountProblems } from "../environments/accounts";
import type {
  AccessConfig,
  BackendConfig,
  DeliverySettings,
  EnvironmentConfig,
  S3StateConfig,
  StateAccountConfig,
} from "../environments/types";
import { ConfigValidationError } from "../environments/problems";
import { validateEnvironments } from "../environments/validate";
import { PermissionsBoundaryAspect } from "../modules/access";
import { ALL_RULES, PolicySynthesizer, type PolicyReport } from "../modules/policy";
import { checkProgramSingletons, readSynthesizedStacks } from "../modules/policy/program-checks";
import { parseBackendOverride } from "./support/backend";
import { stateAccountProblems } from "./support/state-account";
import { PROVIDER_LOCK_FILE } from "./support/paths";
import { resourceCount, type SynthesisSummary } from "./support/synthesis-summary";
import { AccessStack } from "./access-stack";
import { AccountStack, accountRegions, accountStackName } from "./account-stack";
import { DeliveryStack } from "./delivery-stack";
import { GlobalStack } from "./global-stack";
import {
  accessStackName,
  auditBucketName,
  DELIVERY_STACK,
  githubRoleArn,
  globalStackName,
  permissionsBoundaryArn,
  platformStackName,
  STATE_BACKEND_STACK,
  standbyStackName,
  stateRoleArn,
} from "./support/contracts";
import { PlatformStack } from "./platform-stack";
import { StandbyStack } from "./standby-stack";
import { StateBackendStack, type StateRoleGrant } from "./state-backend-stack";
import type { Json } from "../modules/common/json";

export interface ProgramInput {
  readonly environments: readonly EnvironmentConfig[];
  /** The bucket the bootstrap stack creates. */
  readonly stateBucket: S3StateConfig;
  /** The bootstrap stack's second bucket, in the failover region (standby and global stacks' state). @default - none */
  readonly failoverStateBucket?: S3StateConfig;
  /** Tags of the shared (non-environment) resources. */
  readonly sharedTags: Readonly<Record<string, string>>;
  /** The delivery pipeline of every environment. */
  readonly delivery: DeliverySettings;
  /**
   * The identities CI and Terraform Cloud use, created by an access stack per
   * environment account (multi-account layout, ACC-3).
   * @default - none: the roles are created outside the program
   */
  readonly access?: AccessConfig;
  /**
   * The account of the state buckets, apart from the environments' (ACC-2):
   * with `access`, the bootstrap stack creates each environment's state roles.
   * @default - the caller's account
   */
  readonly stateAccount?: StateAccountConfig;
}

export interface BuildOptions {
  /** @default - `CDKTF_OUTDIR` (set by the cdktf CLI), else `cdktf.out` */
  readonly outdir?: string;
  /** Raw `ECG_TF_BACKEND` value: `s3`, `cloud` or unset. */
  readonly backendOverride?: string;
  /** Receives each stack's policy report at synth (`npm run policy`). @default - none */
  readonly onPolicyReport?: (report: PolicyReport) => void;
  /** Fail synthesis on policy errors. @default true */
  readonly failOnPolicyError?: boolean;
}

/**
 * Validates every environment, then builds the bootstrap stack, one account
 * stack per account and region the environments use, one platform stack per environment (with a standby: its standby and global
 * stacks too) and the delivery stack, each checked by the policy pack at synth. Nothing reaches the output directory from a
 * bad configuration: config errors are thrown before the App exists, and if a
 * construct refuses its props, a directory the App created is removed again.
 */
export function buildApp(input: ProgramInput, options: BuildOptions = {}): App {
  validateEnvironments(input.environments);
  validateStandbyState(input);
  const accessIssues = [
    ...(input.access ? accessProblems(input.access, input.environments) : []),
    ...stateAccountProblems(input.stateAccount, input.access, input.environments, input.delivery.backend),
    ...deliveryAccountProblems(input.delivery, input.environments),
  ];
  if (accessIssues.length) throw new ConfigValidationError(accessIssues);
  const override = parseBackendOverride(options.backendOverride);
  const outdir = options.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out";
  const outdirExisted = existsSync(outdir);
  const app = new App({ outdir });
  try {
    // What the policy pack has read back of each stack, for the checks across stacks after synth.
    const checked: Record<string, Json> = {};
    checkedStacks.set(app, checked);
    const onTerraform = (stack: string, terraform: Json) => (checked[stack] = terraform);
    const policy = { rules: ALL_RULES, onReport: options.onPolicyReport, failOnError: options.failOnPolicyError, onTerraform };
    const state = new StateBackendStack(app, STATE_BACKEND_STACK, {
      state: input.stateBucket,
      failoverState: input.failoverStateBucket,
      tags: input.sharedTags,
      accountId: input.stateAccount?.id,
      auditAccountIds: environmentAccountIds(input.environments),
    });
    // Each stack's S3 state, for the state roles (ACC-2).
    const backends: { stack: string; backend: BackendConfig }[] = [];
    // The state bucket holds production's state: production rules apply.
    PolicySynthesizer.apply(state, { ...policy, production: true });
    if (input.access) {
      for (const group of accountGroups(input.environments)) {
        const [first] = group;
        backends.push({ stack: accessStackName(first), backend: first.backend });
        const stack = new AccessStack(app, accessStackName(first), {
          environments: group.map((config) => ({ config, stacks: environmentStackNames(config) })),
          access: input.access,
          backend: override ?? first.backend.kind,
          tags: input.sharedTags,
          stateAccountId: input.stateAccount?.id,
        });
        PolicySynthesizer.apply(stack, { ...policy, production: group.some((e) => e.production) });
      }
    }
    // With access stacks, every role made in an environment account carries its permissions boundary.
    const bounded = (stack: TerraformStack, roleArn: string | undefined) => {
      if (input.access && roleArn) PermissionsBoundaryAspect.apply(stack, permissionsBoundaryArn(roleArn));
      return stack;
    };
    // Account and region singletons, once per account and region the environments use.
    const targets = accountRegions(input.environments);
    for (const target of targets) {
      backends.push({ stack: accountStackName(target, targets), backend: target.backend });
      const stack = new AccountStack(app, accountStackName(target, targets), {
        target,
        archive: { bucketName: auditBucketName(input.stateBucket), region: input.stateBucket.region, accountId: input.stateAccount?.id },
        backend: override ?? target.backend.kind,
        tags: input.sharedTags,
      });
      PolicySynthesizer.apply(bounded(stack, target.roleArn), { ...policy, production: target.production });
    }
    for (const config of input.environments) {
      const roleArn = config.account.roleArn;
      backends.push({ stack: platformStackName(config), backend: config.backend });
      const stack = new PlatformStack(app, platformStackName(config), {
        config,
        backend: override ?? config.backend.kind,
        delivery: input.delivery,
      });
      PolicySynthesizer.apply(bounded(stack, roleArn), { ...policy, production: config.production });
      const standby = config.disasterRecovery.standby;
      if (!standby) continue;
      // DR-3, SC-2: the standby in the failover region, then the accelerator in front of both.
      const backend = override ?? standby.backend.kind;
      for (const name of [standbyStackName(config), globalStackName(config)]) backends.push({ stack: name, backend: standby.backend });
      PolicySynthesizer.apply(bounded(new StandbyStack(app, standbyStackName(config), { config, backend }), roleArn), {
        ...policy,
        production: config.production,
      });
      PolicySynthesizer.apply(bounded(new GlobalStack(app, globalStackName(config), { config, backend }), roleArn), {
        ...policy,
        production: config.production,
      });
    }
    // The pipeline releases to production: production rules apply.
    const delivery = new DeliveryStack(app, DELIVERY_STACK, {
      settings: input.delivery,
      environments: input.environments,
      backend: override ?? input.delivery.backend.kind,
      tags: input.sharedTags,
    });
    PolicySynthesizer.apply(delivery, { ...policy, production: true });
    backends.push({ stack: DELIVERY_STACK, backend: input.delivery.backend });
    if (input.stateAccount && input.access) state.admitStateRoles(stateRoleGrants(input, input.stateAccount, input.access, backends));
  } catch (error) {
    if (!outdirExisted) rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
  return app;
}

/** The Terraform JSON of every stack of an App that buildApp made, as the policy pack read it back at synth. */
const checkedStacks = new WeakMap<App, Record<string, Json>>();

/**
 * Synthesizes every stack; when synthesis fails part-way (a policy error in a
 * later stack), removes what this run wrote, so no half-new cdktf.out can be
 * planned or deployed by mistake.
 */
export function synthesize(app: App): SynthesisSummary {
  try {
    app.synth();
    // Account and region singletons and account-wide names: at most one stack of an account (and region) creates each.
    const names = app.node.children.filter(TerraformStack.isStack).map((s) => s.node.id);
    const stacks = checkedStacks.get(app) ?? readSynthesizedStacks(app.outdir, names);
    checkProgramSingletons(stacks);
    removeStaleStacks(app.outdir, names);
    for (const name of names) copyFileSync(PROVIDER_LOCK_FILE, join(app.outdir, "stacks", name, basename(PROVIDER_LOCK_FILE)));
    return { outdir: app.outdir, stacks: names.map((name) => ({ name, resources: resourceCount(stacks[name] ?? {}) })) };
  } catch (error) {
    for (const stack of app.node.children.filter(TerraformStack.isStack)) {
      rmSync(join(app.outdir, "stacks", stack.node.id), { recursive: true, force: true });
    }
    rmSync(join(app.outdir, "manifest.json"), { force: true });
    throw error;
  }
}

/**
 * A stack folder an earlier synthesis left (a renamed or removed stack) would
 * look like a stack to every tool that lists `stacks/`: the lane, plans, CI.
 */
function removeStaleStacks(outdir: string, names: readonly string[]): void {
  const folder = join(outdir, "stacks");
  for (const entry of existsSync(folder) ? readdirSync(folder) : []) {
    if (!names.includes(entry)) rmSync(join(folder, entry), { recursive: true, force: true });
  }
}

/** The environments' accounts, when every one is pinned (multi-account layout); else undefined: the state account's own. */
function environmentAccountIds(environments: readonly EnvironmentConfig[]): string[] | undefined {
  const ids = environments.map((e) => e.account.id);
  return ids.every((id): id is string => id !== undefined) ? [...new Set(ids)] : undefined;
}

/** The stacks an environment deploys to its account: its platform stack and, with a standby, its standby and global stacks. */
const environmentStackNames = (config: EnvironmentConfig) =>
  config.disasterRecovery.standby
    ? [platformStackName(config), standbyStackName(config), globalStackName(config)]
    : [platformStackName(config)];

/** The access stacks the program builds: one per environment account, named after its first environment, with `access` only. */
export const accessStackNames = (input: Pick<ProgramInput, "environments" | "access">): string[] =>
  input.access ? accountGroups(input.environments).map(([first]) => accessStackName(first)) : [];

/** The multi-account layout's environments, grouped by account (one group per account; several only when shared on purpose). */
function accountGroups(environments: readonly EnvironmentConfig[]): EnvironmentConfig[][] {
  const groups = new Map<string, EnvironmentConfig[]>();
  for (const config of environments.filter((e) => e.account.roleArn && e.account.id)) {
    groups.set(config.account.id as string, [...(groups.get(config.account.id as string) ?? []), config]);
  }
  return [...groups.values()];
}

/** Per environment, its state roles, who assumes them, and the stacks whose S3 state goes through its deploy role. */
function stateRoleGrants(
  input: ProgramInput,
  stateAccount: StateAccountConfig,
  access: AccessConfig,
  backends: readonly { stack: string; backend: BackendConfig }[],
): StateRoleGrant[] {
  return input.environments.map((config) => {
    const deployRoleArn = stateRoleArn(stateAccount.id, config, "deploy");
    const through = backends.filter((b) => b.backend.s3.roleArn === deployRoleArn);
    const inBucket = (bucket: string | undefined) => through.filter((b) => b.backend.s3.bucket === bucket).map((b) => b.stack);
    return {
      environment: config.name,
      planRoleArn: stateRoleArn(stateAccount.id, config, "plan"),
      deployRoleArn,
      planners: [githubRoleArn(config, "plan")],
      deployers: [githubRoleArn(config, "deploy"), ...access.administrators],
      stacks: { state: inBucket(input.stateBucket.bucket), failoverState: inBucket(input.failoverStateBucket?.bucket) },
    };
  });
}

/** A standby's S3 state must be the failover bucket the bootstrap stack creates. */
function validateStandbyState(input: ProgramInput): void {
  const problems = input.environments.flatMap((config) => {
    const backend = config.disasterRecovery.standby?.backend;
    if (backend?.kind !== "s3") return [];
    const expected = input.failoverStateBucket;
    if (expected && backend.s3.bucket === expected.bucket && backend.s3.region === expected.region) return [];
    const reason = expected
      ? `s3://${backend.s3.bucket} (${backend.s3.region}) is not the failover state bucket the bootstrap stack creates, s3://${expected.bucket} (${expected.region})`
      : "the program has no failoverStateBucket: the bootstrap stack creates no bucket for the standby's state";
    return [{ environment: config.name, path: "disasterRecovery.standby.backend.s3", reason }];
  });
  if (problems.length) throw new ConfigValidationError(problems);
}
