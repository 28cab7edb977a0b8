/**
 * The offline lane's multi-account cycle (ACC-1..3): the multi-account layout
 * of tests/stacks/multi-account.ts on one emulator, where moto keeps accounts
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
import { readSynthesizedStacks } from "../../modules/policy/program-checks";
import { buildApp, synthesize } from "../../stacks/app";
import { accountRegions, accountStackName } from "../../stacks/account-stack";
import { withoutTokenTraces } from "../../stacks/support/cdktf-internals";
import { accessStackName, githubRoleArn, STATE_BACKEND_STACK, stateRoleArn } from "../../stacks/support/contracts";
import { multiAccountProgram, STATE_ACCOUNT } from "../stacks/multi-account";
import type { MotoServer } from "./harness/moto";
import { type AwsCredentials, awsFacts, closeStateBuckets, emulatorCycle, openStateBucket, type StackReport, stackRegions } from "./lane";

/** What an account held while every stack of the cycle was up (aws_facts.py `inventory`). */
interface AccountInventory {
  readonly account: string;
  readonly roles: string[];
  readonly buckets: string[];
  readonly kmsKeys: number;
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
  readonly work: string;
}): Promise<MultiAccountRun> {
  const { moto, env, work } = options;
  const input = multiAccountProgram();
  const outdir = join(work, "cdktf.out");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const app = withoutTokenTraces(() => buildApp(input, { outdir }));
  withoutTokenTraces(() => synthesize(app));
  const names = app.node.children.map((c) => c.node.id);
  const stacks = readSynthesizedStacks(outdir, names) as Record<string, Json>;
  const [dev, staging] = input.environments;
  const targets = accountRegions(input.environments);
  const devAccountStack = accountStackName(targets.find((t) => t.accountId === dev.account.id)!, targets);

  // An administrator of an account: any role ARN there (moto checks no trust while IAM is off).
  const administrator = (account: string): Promise<AwsCredentials> =>
    awsFacts(moto, ["credentials", "--regions", "ap-northeast-2", "--role-arn", `arn:aws:iam::${account}:role/lane-administrator`]);
  const cycle = async (
    name: string,
    credentials: AwsCredentials,
    extra: {
      beforeDestroy?: () => Promise<void>;
      backend?: "local";
      spareTags?: Record<string, string>;
      terraformCredentials?: "caller";
    },
  ) => {
    const stack = stacks[name];
    return emulatorCycle({
      name: `${name} (multi-account)`,
      stack,
      sourceDir: join(outdir, "stacks", name),
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
    });
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
    const session = (roleArn: string, credentials?: AwsCredentials): Promise<AwsCredentials> =>
      awsFacts(moto, ["credentials", "--regions", region, "--role-arn", roleArn], credentials);
    const stagingState = await session(stateRoleArn(STATE_ACCOUNT, staging, "deploy"));
    const stagingDeploy = await session(githubRoleArn(staging, "deploy"));
    const stagingPlan = await session(githubRoleArn(staging, "plan"));
    const stagingPlanState = await session(stateRoleArn(STATE_ACCOUNT, staging, "plan"));
    const stagingKey = `${accessStackName(staging)}/terraform.tfstate`;
    // Writes go to a probe key beside the state: a state overwritten here would break the destroys that follow.
    const probe = (config: typeof dev) => `${accessStackName(config)}/lane-probe`;
    const tries: [string, AwsCredentials, string, string[]][] = [
      ["staging's state deploy role", stagingState, `reads ${stagingKey}`, ["--action", "s3-get", "--bucket", bucket, "--key", stagingKey]],
      [
        "staging's state deploy role",
        stagingState,
        `writes ${probe(staging)}`,
        ["--action", "s3-put", "--bucket", bucket, "--key", probe(staging)],
      ],
      ["staging's state deploy role", stagingState, `reads ${devKey}`, ["--action", "s3-get", "--bucket", bucket, "--key", devKey]],
      [
        "staging's state deploy role",
        stagingState,
        `writes ${probe(dev)}`,
        ["--action", "s3-put", "--bucket", bucket, "--key", probe(dev)],
      ],
      [
        "staging's GitHub deploy role",
        stagingDeploy,
        "assumes staging's state deploy role",
        ["--action", "assume", "--role-arn", stateRoleArn(STATE_ACCOUNT, staging, "deploy")],
      ],
      [
        "staging's GitHub deploy role",
        stagingDeploy,
        "assumes dev's state deploy role",
        ["--action", "assume", "--role-arn", stateRoleArn(STATE_ACCOUNT, dev, "deploy")],
      ],
      [
        "staging's GitHub plan role",
        stagingPlan,
        "assumes staging's state plan role",
        ["--action", "assume", "--role-arn", stateRoleArn(STATE_ACCOUNT, staging, "plan")],
      ],
      [
        "staging's GitHub plan role",
        stagingPlan,
        "assumes staging's state deploy role",
        ["--action", "assume", "--role-arn", stateRoleArn(STATE_ACCOUNT, staging, "deploy")],
      ],
      [
        "staging's state plan role",
        stagingPlanState,
        `reads ${stagingKey}`,
        ["--action", "s3-get", "--bucket", bucket, "--key", stagingKey],
      ],
      [
        "staging's state plan role",
        stagingPlanState,
        `writes ${probe(staging)}`,
        ["--action", "s3-put", "--bucket", bucket, "--key", probe(staging)],
      ],
    ];
    await enforceIam(moto, true);
    try {
      for (const [who, credentials, what, args] of tries) {
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
        reports.push(
          await cycle(accessStackName(dev), devAdmin, {
            beforeDestroy: async () => {
              reports.push(
                // Dev's access stack is still up around it, in the same account with the same shared tags.
                // Terraform runs as moto's default account: only the providers' assumed role puts it in dev's.
                await cycle(devAccountStack, devAdmin, {
                  terraformCredentials: "caller",
                  spareTags: { Component: "access" },
                  beforeDestroy: async () => {
                    reports.push(
                      await cycle(accessStackName(staging), await administrator(staging.account.id!), { beforeDestroy: whileAllUp }),
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
  return { reports, inventories, stateKeys, attempts, removedByTeardown };
}
