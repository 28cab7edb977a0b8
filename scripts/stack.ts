/**
 * `npm run diff:<env>`, `deploy:<env>`, `plan:<env>` (PLT-7): the users'
 * per-environment commands. `diff` and `deploy` are cdktf's own
 * (`cdktf diff|deploy ecg-<env>`, which synthesize first); `plan` synthesizes,
 * then runs Terraform in the stack's folder and keeps `plan.tfplan` and its
 * `terraform show -json` as `plan.json` there (what the PR comment is made of).
 * With a provider mirror on the machine (scripts/provider-mirror.ts) Terraform
 * installs from it; otherwise from the registry. Extra arguments go to the
 * last command, e.g. `npm run deploy:dev -- --auto-approve`.
 */
import { spawnSync } from "node:child_process";
import { reportSlow } from "./progress";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { program } from "../environments";
import { type AccountRegion, accountRegions, accountStackName, spansAccounts } from "../stacks/account-stack";
import { accessStackNames } from "../stacks/app";
import { globalStackName, platformStackName, standbyStackName } from "../stacks/support/contracts";
import { findProviderMirror, providerInstallEnv } from "./provider-mirror";

export const STACK_ACTIONS = ["diff", "deploy", "plan"] as const;
export type StackAction = (typeof STACK_ACTIONS)[number];

export interface Step {
  readonly command: string;
  readonly args: readonly string[];
  /** Relative to the project root. @default "." */
  readonly cwd?: string;
  /** Write the command's standard output to this file (relative to cwd) instead of the terminal. */
  readonly stdoutTo?: string;
}

/**
 * An account stack's target: `account-<region>` in one account; with an
 * account per environment, named by the environment (its first, when
 * shared) rather than the account id, so the commands stay when the ids change.
 */
function accountTarget(target: AccountRegion, all: readonly AccountRegion[]): string {
  const [environment] = target.users[0].split(" ");
  return spansAccounts(all) ? `account-${environment}-${target.region}` : `account-${target.region}`;
}

/**
 * What a command may name, and its stack: each environment (`prod` →
 * `ecg-prod`) and, for an environment with a standby, its standby and global
 * stacks (`prod-standby`, `prod-global`: DR-3, SC-2); each environment
 * account's access stack (`access-dev`) and account stacks.
 */
export function stackTargets(input: Pick<typeof program, "environments" | "access"> = program): Record<string, string> {
  const { environments } = input;
  const accounts = accountRegions(environments);
  return Object.fromEntries([
    // Applied once per environment account by its administrator, before anything else there (ACC-3).
    ...accessStackNames(input).map((stack) => [stack.replace(/^ecg-/, ""), stack]),
    // The account's singletons: applied before the environments of their region.
    ...accounts.map((target) => [accountTarget(target, accounts), accountStackName(target, accounts)]),
    ...environments.flatMap((e) => [
      [e.name, platformStackName(e)],
      ...(e.disasterRecovery.standby
        ? [
            [`${e.name}-standby`, standbyStackName(e)],
            [`${e.name}-global`, globalStackName(e)],
          ]
        : []),
    ]),
  ]);
}

/** The commands one action runs, in order; throws on an unknown action or environment. */
export function stackSteps(action: string, environment: string, extraArgs: readonly string[] = [], targets = stackTargets()): Step[] {
  if (!(STACK_ACTIONS as readonly string[]).includes(action))
    throw new Error(`action: "${action}" is not one of ${STACK_ACTIONS.join(", ")}`);
  const stack = Object.hasOwn(targets, environment) ? targets[environment] : undefined;
  if (!stack) throw new Error(`environment: "${environment}" is not one of ${Object.keys(targets).join(", ")}`);
  const cdktf = "node_modules/.bin/cdktf";
  if (action !== "plan") return [{ command: cdktf, args: [action, stack, ...extraArgs] }];
  const cwd = join("cdktf.out", "stacks", stack);
  return [
    { command: "npm", args: ["run", "--silent", "synth"] },
    { command: "terraform", args: ["init", "-input=false"], cwd },
    { command: "terraform", args: ["plan", "-input=false", "-out=plan.tfplan", ...extraArgs], cwd },
    { command: "terraform", args: ["show", "-json", "plan.tfplan"], cwd, stdoutTo: "plan.json" },
  ];
}

function main(argv: readonly string[]): number {
  const [action = "", environment = "", ...extra] = argv;
  let steps: Step[];
  try {
    steps = stackSteps(action, environment, extra);
  } catch (error) {
    console.error(`usage: stack <${STACK_ACTIONS.join("|")}> <environment> [args...]\n${(error as Error).message}`);
    return 2;
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!env.TF_CLI_CONFIG_FILE) {
    mkdirSync(".terraform.d", { recursive: true });
    Object.assign(env, providerInstallEnv(".terraform.d", findProviderMirror()));
    if (env.TF_CLI_CONFIG_FILE) env.TF_CLI_CONFIG_FILE = join(process.cwd(), env.TF_CLI_CONFIG_FILE);
  }
  for (const [i, step] of steps.entries()) {
    const cwd = step.cwd ?? ".";
    const label = `[${action} ${environment} ${i + 1}/${steps.length}] ${step.command} ${step.args.slice(0, 2).join(" ")}`;
    const result = reportSlow(label, () =>
      spawnSync(step.command, step.args, {
        cwd,
        env,
        stdio: ["inherit", step.stdoutTo ? "pipe" : "inherit", "inherit"],
        maxBuffer: 512 * 1024 * 1024,
      }),
    );
    if (result.error) {
      console.error(`${step.command}: ${result.error.message}`);
      return 1;
    }
    if (result.status !== 0) return result.status ?? 1;
    if (step.stdoutTo) writeFileSync(join(cwd, step.stdoutTo), result.stdout);
  }
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
