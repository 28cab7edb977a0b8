/**
 * `npm run --silent stacks [-- --json]`: the stacks the workflows plan,
 * deploy and check for drift, in deployment order, read from the program
 * (`environments/`). plan.yml, plan-tfc.yml, deploy.yml and drift.yml build
 * their matrices from `--json` (one line, for `$GITHUB_OUTPUT`), so a new
 * environment reaches every workflow without a change to any of them.
 * Without `--json`: a table for a person.
 */
import { environments as programEnvironments, program as theProgram } from "../environments";
import type { EnvironmentConfig } from "../environments/types";
import { GLOBAL_ACCELERATOR_API_REGION } from "../modules/failover/global-entry-point";
import {
  DELIVERY_STACK,
  DEPLOY_SESSION_SECONDS,
  globalStackName,
  planEnvironmentName,
  platformStackName,
  standbyStackName,
} from "../stacks/support/contracts";

/** One stack as the workflows' matrices see it (snake_case: the keys are read as `matrix.<key>`). */
export interface WorkflowStack {
  readonly stack: string;
  /** The GitHub environment its deploy job runs in (its reviewers gate the apply). */
  readonly environment: string;
  /** The GitHub environment of its plan and drift jobs: the only jobs its plan role trusts. */
  readonly plan_environment: string;
  /** Where its provider acts: the AWS region of its credentials. */
  readonly region: string;
  /** The repository variable holding its read-only plan role's ARN. */
  readonly role_variable: string;
  /** The repository variable of the plan state role, where the state is in a state account. @default - the backend's own role */
  readonly state_role_variable?: string;
  /** The variable holding its deploy role's ARN (of the GitHub environment `environment`). */
  readonly deploy_role_variable: string;
  /** How long its deploy job's role session lasts. */
  readonly deploy_session_seconds: number;
}

/** `prod` → `PROD`, `ap-test` → `AP_TEST`: GitHub variable names allow letters, digits and underscores only. */
export const variableSuffix = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, "_");

function environmentStacks(env: EnvironmentConfig): WorkflowStack[] {
  const suffix = variableSuffix(env.name);
  const common = {
    environment: env.name,
    plan_environment: planEnvironmentName(env),
    role_variable: `AWS_PLAN_ROLE_ARN_${suffix}`,
    state_role_variable: `AWS_STATE_PLAN_ROLE_ARN_${suffix}`,
    deploy_role_variable: "AWS_DEPLOY_ROLE_ARN",
    deploy_session_seconds: DEPLOY_SESSION_SECONDS,
  };
  const standby = env.disasterRecovery.standby
    ? [
        // Its replica follows the primary's database, and it reads the key and secret replicas the primary makes there.
        { stack: standbyStackName(env), region: env.disasterRecovery.failoverRegion, ...common },
        // Global Accelerator after both regions: it finds their load balancers by name (SC-2).
        { stack: globalStackName(env), region: GLOBAL_ACCELERATOR_API_REGION, ...common },
      ]
    : [];
  return [{ stack: platformStackName(env), region: env.account.region, ...common }, ...standby];
}

/**
 * Every stack deploy.yml applies, in its order: each environment (with its
 * standby and global stacks) in the program's order, then the delivery
 * pipeline's, which releases to them all and so gets the last environment's
 * reviewers. The bootstrap, access and account stacks are applied by hand
 * (docs/operations.md) and are not listed.
 */
export function workflowStacks(
  environments: readonly EnvironmentConfig[] = programEnvironments,
  program: { readonly delivery: { readonly region: string } } = theProgram,
): WorkflowStack[] {
  if (environments.length === 0) throw new Error("environments: the program has none");
  const last = environments[environments.length - 1];
  return [
    ...environments.flatMap(environmentStacks),
    {
      stack: DELIVERY_STACK,
      environment: last.name,
      plan_environment: "delivery-plan",
      region: program.delivery.region,
      role_variable: "AWS_PLAN_ROLE_ARN_DELIVERY",
      // In the tooling account, where the pipeline runs (ACC-4): not an environment's deploy role.
      deploy_role_variable: "AWS_DELIVERY_ROLE_ARN",
      // Made outside the program (docs/operations.md): AWS's default maximum of an hour is all it is known to allow.
      deploy_session_seconds: 3_600,
    },
  ];
}

export function main(argv: readonly string[], write = (text: string) => process.stdout.write(text)): number {
  const unknown = argv.filter((arg) => arg !== "--json");
  if (unknown.length) {
    process.stderr.write(`usage: stacks [--json]\nunknown argument: ${unknown.join(" ")}\n`);
    return 2;
  }
  const stacks = workflowStacks();
  if (argv.includes("--json")) {
    write(`${JSON.stringify(stacks)}\n`);
    return 0;
  }
  const rows = [
    ["stack", "region", "deploy environment", "plan environment"],
    ...stacks.map((s) => [s.stack, s.region, s.environment, s.plan_environment]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  write(
    `${rows
      .map((row) =>
        row
          .map((cell, i) => cell.padEnd(widths[i]))
          .join("  ")
          .trimEnd(),
      )
      .join("\n")}\n`,
  );
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
