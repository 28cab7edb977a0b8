import type { ConfigProblem } from "../../environments/problems";
import type { AccessConfig, EnvironmentConfig, StateAccountConfig } from "../../environments/types";
import { stateRoleArn } from "./contracts";

/**
 * ACC-2: a state account apart from every environment's, whose roles the
 * environments' S3 backends assume: the bootstrap stack creates exactly
 * `<env>-deploy` (and `<env>-plan`) under /ecg-state/ there, trusting the
 * access stacks' roles, so `access` is needed and every backend names its
 * environment's deploy role.
 */
export function stateAccountProblems(
  state: StateAccountConfig,
  access: AccessConfig | undefined,
  environments: readonly EnvironmentConfig[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const fail = (environment: string, path: string, reason: string) => problems.push({ environment, path, reason });
  if (!/^\d{12}$/.test(state.id ?? "")) {
    fail("(program)", "stateAccount.id", `"${state.id}" is not a 12-digit AWS account id`);
    return problems;
  }
  if (!access) fail("(program)", "stateAccount", "needs access: the state roles trust the roles the access stacks create");
  for (const env of environments) {
    if (env.account?.id === state.id) {
      fail(env.name, "account.id", `is the state account ${state.id}: the state lives apart from every environment`);
      continue;
    }
    if (!env.account?.roleArn) {
      fail(
        env.name,
        "account.roleArn",
        "is required with a state account: its state roles trust the roles of the environment's own account",
      );
      continue;
    }
    const expected = stateRoleArn(state.id, env, "deploy");
    const backends = [
      { path: "backend.s3.roleArn", backend: env.backend },
      ...(env.disasterRecovery?.standby
        ? [{ path: "disasterRecovery.standby.backend.s3.roleArn", backend: env.disasterRecovery.standby.backend }]
        : []),
    ];
    for (const { path, backend } of backends) {
      if (backend.s3.roleArn !== expected)
        fail(
          env.name,
          path,
          `must be ${expected}, the state role the bootstrap stack creates for "${env.name}" (is ${backend.s3.roleArn ?? "unset"})`,
        );
    }
  }
  return problems;
}
