import type { ConfigProblem } from "../../environments/problems";
import type { AccessConfig, BackendConfig, EnvironmentConfig, StateAccountConfig } from "../../environments/types";
import { roleArnParts } from "../../modules/common/iam-arn";
import { stateRoleArn } from "./contracts";

/** The S3 backends of the program's stacks, by the field that configures each. */
interface ConfiguredBackend {
  readonly environment: string;
  readonly path: string;
  readonly backend: BackendConfig;
  /** The environment whose state it holds (none: the delivery pipeline's). */
  readonly config?: EnvironmentConfig;
}

const configuredBackends = (environments: readonly EnvironmentConfig[], delivery: BackendConfig): ConfiguredBackend[] => [
  ...environments.flatMap((config) => [
    { environment: config.name, path: "backend.s3.roleArn", backend: config.backend, config },
    ...(config.disasterRecovery?.standby
      ? [
          {
            environment: config.name,
            path: "disasterRecovery.standby.backend.s3.roleArn",
            backend: config.disasterRecovery.standby.backend,
            config,
          },
        ]
      : []),
  ]),
  { environment: "(program)", path: "delivery.backend.s3.roleArn", backend: delivery },
];

/**
 * ACC-2: the state lives in a declared account, apart from every
 * environment's. A role an S3 backend assumes is a role of the state account
 * (`stateAccount`), never of an account nothing declares. With `access` too,
 * the bootstrap stack creates each environment's state roles there
 * (`/ecg-state/<env>-deploy` and `-plan`, trusting the access stacks' roles),
 * so every backend of an environment names its deploy one.
 */
export function stateAccountProblems(
  state: StateAccountConfig | undefined,
  access: AccessConfig | undefined,
  environments: readonly EnvironmentConfig[],
  delivery: BackendConfig,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const fail = (environment: string, path: string, reason: string) => problems.push({ environment, path, reason });
  if (state && !/^\d{12}$/.test(state.id ?? "")) {
    fail("(program)", "stateAccount.id", `"${state.id}" is not a 12-digit AWS account id`);
    return problems;
  }
  const created = state && access;
  for (const env of environments) {
    if (state && env.account?.id === state.id)
      fail(env.name, "account.id", `is the state account ${state.id}: the state lives apart from every environment`);
    else if (created && !env.account?.roleArn)
      fail(env.name, "account.roleArn", "is required with access and a state account: its state roles trust the roles of its own account");
  }
  for (const { environment, path, backend, config } of configuredBackends(environments, delivery)) {
    const roleArn = backend.s3?.roleArn;
    if (created && config) {
      const expected = stateRoleArn(state.id, config, "deploy");
      if (roleArn !== expected)
        fail(
          environment,
          path,
          `must be ${expected}, the state role the bootstrap stack creates for "${config.name}" (is ${roleArn ?? "unset"})`,
        );
      continue;
    }
    const account = roleArn ? roleArnParts(roleArn)?.account : undefined;
    if (!account) continue;
    if (!state) fail(environment, path, `names a role of account ${account}, which nothing declares: declare it as stateAccount.id`);
    else if (account !== state.id) fail(environment, path, `names a role of account ${account}, not of the state account ${state.id}`);
  }
  return problems;
}
