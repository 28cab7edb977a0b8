/**
 * The offline lane's multi-account cycle (ACC-1..3): the shipped program's
 * account layout on one emulator, where moto keeps accounts
 * apart by the assumed-role session that signs each call. The state account's
 * bootstrap first; with its bucket up, dev's and staging's access stacks, each
 * applied as an administrator of its own account with its state through the
 * environment's state role; then dev's account stack through the program's
 * role (`account.roleArn`) that dev's access stack made. Each applies,
 * re-plans clean and is destroyed; while all are up, what each account holds
 * is listed, and the state roles are tried with moto's IAM enforcement on.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Json } from "../../modules/common/json";
import { accountRegions, accountStackName } from "../../stacks/account-stack";
import { accessStackName, githubRoleArn, STATE_BACKEND_STACK, stateRoleArn } from "../../stacks/support/contracts";
import { program } from "../../environments";
import { STATE_ACCOUNT } from "../stacks/layouts";
import type { MotoServer } from "./harness/moto";
import { runTerraform } from "./harness/terraform";
import { readSynthesizedStack } from "./harness/workdir";
import {
  accountSession,
  type AwsCredentials,
  awsFacts,
  closeStateBuckets,
  credentialsEnv,
  emulatorCycle,
  openStateBucket,
  type StackReport,
  stackRegions,
} from "./lane";

/** What an account held while every stack of the cycle was up (aws_facts.py `inventory`). */
interface AccountInventory {
  readonly account: string;
  readonly roles: string[];
  readonly buckets: string[];
  readonly kmsKeys: number;
}

/** A `terraform plan -detailed-exitcode` run: its exit code and the tail of its output. */
interface PlanRun {
  readonly code: number;
  readonly output: string;
}

/** One call tried with a role's session while moto enforced IAM: allowed, or the error that refused it. */
interface Attempt {
  readonly who: string;
  readonly what: string;
  readonly allowed: boolean;
  readonly error?: string;
}

export interface MultiAccountRun {
  readonly reports: StackReport[];
  /** By account id: the state account, dev's, staging's, prod's (nothing applied) and moto's default account. */
  readonly inventories: Record<string, AccountInventory>;
  /** The state bucket's keys while everything was up. */
  readonly stateKeys: string[];
  readonly attempts: Attempt[];
  /**
   * plan.yml's path on dev's account stack: the GitHub plan role's own session, state
   * through the plan state role (-backend-config), `account_role_arn` empty. With IAM off:
   * moto's signature check fails the S3 backend's ListObjectsV2 with prefix `env:/`
   * (SignatureDoesNotMatch) once enforcement is on, so the refusals are tried as calls.
   */
  readonly plan: PlanRun;
  /** The bootstrap's resources the teardown's targeted runs destroyed before its destroy (access logging, bucket policies). */
  readonly removedByTeardown: number;
}

const SHARED_TAGS = { Project: "ecg-render", Environment: "shared" };
/** moto's account for unsigned-as-anyone calls: nothing of the layout may land there. */
export const MOTO_DEFAULT_ACCOUNT = "123456789012";

/** Turns moto's IAM enforcement on (0: from the next request) or off (inf); moto_api's reset-auth takes the count as the body. */
async function enforceIam(moto: MotoServer, on: boolean): Promise<void> {
  const response = await fetch(`${moto.url}/moto-api/reset-auth`, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    body: on ? "0" : "inf",
  });
  if (!response.ok) throw new Error(`moto /moto-api/reset-auth answered ${response.status}`);
}

export async function multiAccountCycle(options: {
  readonly moto: MotoServer;
  readonly env: Record<string, string | undefined>;
  /** The synthesized program's stacks folder (cdktf.out/stacks). */
  readonly synthDir: string;
  readonly work: string;
}): Promise<MultiAccountRun> {
  const { moto, env, work, synthDir } = options;
  const input = program;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const [dev, staging] = input.environments;
  const targets = accountRegions(input.environments);
  const devAccountStack = accountStackName(targets.find((t) => t.accountId === dev.account.id)!, targets);
  const names = [STATE_BACKEND_STACK, accessStackName(dev), devAccountStack, accessStackName(staging)];
  const stacks: Record<string, Json> = Object.fromEntries(names.map((name) => [name, readSynthesizedStack(synthDir, name)]));

  const administrator = (account: string) => accountSession(moto, account);
  const cycle = async (
    name: string,
    credentials: AwsCredentials,
    extra: {
      beforeDestroy?: () => Promise<void>;
      backend?: "local";
      spareTags?: Record<string, string>;
      terraformCredentials?: AwsCredentials | "caller";
      afterApply?: (dir: string, targetArgs: string[], env: Record<string, string | undefined>) => Promise<void>;
    },
  ) => {
    const stack = stacks[name];
    return emulatorCycle({
      name: `${name} (multi-account)`,
      stack,
      sourceDir: join(synthDir, name),
      dir: join(work, name),
      moto,
      env,
      credentials,
      backend: extra.backend === "local" ? { kind: "local" } : { kind: "s3-emulator", endpoint: moto.url },
      regions: stackRegions(stack),
      tags: SHARED_TAGS,
      beforeDestroy: extra.beforeDestroy,
      spareTags: extra.spareTags,
      terraformCredentials: extra.terraformCredentials,
      afterApply: extra.afterApply,
    });
  };

  const session = (roleArn: string, credentials?: AwsCredentials): Promise<AwsCredentials> =>
    awsFacts(moto, ["credentials", "--regions", "ap-northeast-2", "--role-arn", roleArn], credentials);
  let plan: PlanRun | undefined;
  const planAsPlanRole = async (dir: string, targetArgs: string[], runEnv: Record<string, string | undefined>) => {
    const planEnv = { ...runEnv, ...credentialsEnv(await session(githubRoleArn(dev, "plan"))) };
    const planState = `assume_role={role_arn="${stateRoleArn(STATE_ACCOUNT, dev, "plan")}", session_name="plan-${devAccountStack}"}`;
    const terraform = (args: string[], env: Record<string, string | undefined>) =>
      runTerraform([args[0], "-no-color", ...args.slice(1)], { cwd: dir, env, timeoutSeconds: 600 }).then((r) => ({
        code: r.code,
        output: r.output.slice(-2000),
      }));
    const init = await terraform(["init", "-input=false", "-lockfile=readonly", "-reconfigure", `-backend-config=${planState}`], planEnv);
    if (init.code !== 0) throw new Error(`init with the plan state role failed:\n${init.output}`);
    plan = await terraform(["plan", "-input=false", "-lock=false", "-detailed-exitcode", ...targetArgs], {
      ...planEnv,
      TF_VAR_account_role_arn: "",
    });
    // Back to the cycle's own backend settings for its re-plan and destroy.
    const back = await terraform(["init", "-input=false", "-lockfile=readonly", "-reconfigure"], runEnv);
    if (back.code !== 0) throw new Error(`init back to the stack's backend failed:\n${back.output}`);
  };
  const reports: StackReport[] = [];
  const inventories: Record<string, AccountInventory> = {};
  const attempts: Attempt[] = [];
  let stateKeys: string[] = [];
  const stateCredentials = await administrator(STATE_ACCOUNT);
  const state = stacks[STATE_BACKEND_STACK];
  const { bucket, region } = input.stateBucket;
  const stateDir = join(work, STATE_BACKEND_STACK);

  const whileAllUp = async () => {
    for (const account of [STATE_ACCOUNT, dev.account.id!, staging.account.id!, input.environments[2].account.id!, MOTO_DEFAULT_ACCOUNT]) {
      const credentials = account === MOTO_DEFAULT_ACCOUNT ? undefined : await administrator(account);
      inventories[account] = await awsFacts(moto, ["inventory", "--regions", "ap-northeast-2,ap-northeast-1"], credentials);
    }
    const devKey = `${accessStackName(dev)}/terraform.tfstate`;
    stateKeys = (await awsFacts(moto, ["state-object", "--regions", region, "--bucket", bucket, "--key", devKey], stateCredentials)).keys;
    // Sessions first (moto would check the GitHub roles' web-identity trust, which no token here can meet), then IAM on.
    const stagingState = await session(stateRoleArn(STATE_ACCOUNT, staging, "deploy"));
    const stagingDeploy = await session(githubRoleArn(staging, "deploy"));
    const stagingPlan = await session(githubRoleArn(staging, "plan"));
    const stagingPlanState = await session(stateRoleArn(STATE_ACCOUNT, staging, "plan"));
    const devPlan = await session(githubRoleArn(dev, "plan"));
    const stagingKey = `${accessStackName(staging)}/terraform.tfstate`;
    // Writes go to a probe key beside the state: a state overwritten here would break the destroys that follow.
    const probe = (config: typeof dev) => `${accessStackName(config)}/lane-probe`;
    // What each try does, as the attempt command takes it.
    const reads = (key: string): [string, string[]] => [`reads ${key}`, ["--action", "s3-get", "--bucket", bucket, "--key", key]];
    const writes = (key: string): [string, string[]] => [`writes ${key}`, ["--action", "s3-put", "--bucket", bucket, "--key", key]];
    const assumes = (role: string, roleArn: string): [string, string[]] => [
      `assumes ${role}`,
      ["--action", "assume", "--role-arn", roleArn],
    ];
    const stateRole = (config: typeof dev, purpose: "plan" | "deploy") =>
      assumes(`${config.name}'s state ${purpose} role`, stateRoleArn(STATE_ACCOUNT, config, purpose));
    const tries: [string, AwsCredentials, [string, string[]]][] = [
      ["staging's state deploy role", stagingState, reads(stagingKey)],
      ["staging's state deploy role", stagingState, writes(probe(staging))],
      ["staging's state deploy role", stagingState, reads(devKey)],
      ["staging's state deploy role", stagingState, writes(probe(dev))],
      ["staging's GitHub deploy role", stagingDeploy, stateRole(staging, "deploy")],
      ["staging's GitHub deploy role", stagingDeploy, stateRole(dev, "deploy")],
      ["staging's GitHub plan role", stagingPlan, stateRole(staging, "plan")],
      ["staging's GitHub plan role", stagingPlan, stateRole(staging, "deploy")],
      ["staging's state plan role", stagingPlanState, reads(stagingKey)],
      ["staging's state plan role", stagingPlanState, writes(probe(staging))],
      // Plans act as the plan role (account_role_arn empty): it may not take the program's role.
      ["dev's GitHub plan role", devPlan, assumes("dev's program role", dev.account.roleArn!)],
    ];
    await enforceIam(moto, true);
    try {
      for (const [who, credentials, [what, args]] of tries) {
        attempts.push({ who, what, ...(await awsFacts(moto, ["attempt", "--regions", region, ...args], credentials)) });
      }
    } finally {
      await enforceIam(moto, false);
    }
  };

  reports.push(
    await cycle(STATE_BACKEND_STACK, stateCredentials, {
      backend: "local",
      beforeDestroy: async () => {
        await openStateBucket(moto, stateDir, state, bucket, env, stateCredentials);
        const devAdmin = await administrator(dev.account.id!);
        // The access stacks run as the configured administrator's own session (another account): their providers
        // reach the environment's account through its bootstrap role, their state through the state role.
        const administratorSession = await session(input.access.administrators[0]);
        reports.push(
          await cycle(accessStackName(dev), devAdmin, {
            terraformCredentials: administratorSession,
            beforeDestroy: async () => {
              reports.push(
                // Dev's access stack is still up around it, in the same account with the same shared tags.
                // Terraform runs as moto's default account: only the providers' assumed role puts it in dev's.
                await cycle(devAccountStack, devAdmin, {
                  terraformCredentials: "caller",
                  spareTags: { Component: "access" },
                  afterApply: planAsPlanRole,
                  beforeDestroy: async () => {
                    reports.push(
                      await cycle(accessStackName(staging), await administrator(staging.account.id!), {
                        terraformCredentials: administratorSession,
                        beforeDestroy: whileAllUp,
                      }),
                    );
                  },
                }),
              );
            },
          }),
        );
        await closeStateBuckets(moto, stateDir, state, region, env, stateCredentials);
      },
    }),
  );
  const removedByTeardown = ["aws_s3_bucket_logging", "aws_s3_bucket_policy"].reduce(
    (n, type) => n + Object.keys(state.resource[type] ?? {}).length,
    0,
  );
  if (!plan) throw new Error("the plan role's plan did not run");
  return { reports, inventories, stateKeys, attempts, plan, removedByTeardown };
}
