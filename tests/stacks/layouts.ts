import { dev } from "../../environments/dev";
import { program as shippedProgram } from "../../environments";
import { prod } from "../../environments/prod";
import { staging } from "../../environments/staging";
import type { AccessConfig, EnvironmentConfig } from "../../environments/types";
import type { ProgramInput } from "../../stacks/app";

/** The shipped environments, one account each (dev, staging, prod), as the multi-account layout's tests use them. */
export const ACCOUNTS: Record<string, { id: string; roleArn: string; externalId?: string }> = {
  dev: { id: "111111111111", roleArn: "arn:aws:iam::111111111111:role/ecg-terraform" },
  staging: { id: "222222222222", roleArn: "arn:aws:iam::222222222222:role/ecg-terraform" },
  prod: { id: "333333333333", roleArn: "arn:aws:iam::333333333333:role/ecg-terraform", externalId: "ecg-prod-terraform" },
};

export const STATE_ACCOUNT = "444444444444";
/** The state account's roles of each environment: its stacks' backends assume the deploy one. */
export const STATE_ROLE = (env: string, purpose: "plan" | "deploy" = "deploy") =>
  `arn:aws:iam::${STATE_ACCOUNT}:role/ecg-state/${env}-${purpose}`;

/** The delivery pipeline runs in the state and tooling account, through its own role there. */
export const DELIVERY_ACCOUNT = { id: STATE_ACCOUNT, roleArn: `arn:aws:iam::${STATE_ACCOUNT}:role/ecg-delivery-terraform` };

export const ADMINISTRATOR = "arn:aws:iam::555555555555:role/platform-administrators";

export const ACCESS: AccessConfig = {
  github: { owner: "ecg-render", repository: "ecg-render-infrastructure" },
  terraformCloud: true,
  administrators: [ADMINISTRATOR],
};

const withStateRole = (backend: EnvironmentConfig["backend"], env: string) => ({
  ...backend,
  s3: { ...backend.s3, roleArn: STATE_ROLE(env) },
  cloud: { ...backend.cloud, project: "ecg-render" },
});

/** An environment in its own account, its state reached through its state role. */
const withAccount = (env: EnvironmentConfig): EnvironmentConfig => {
  const standby = env.disasterRecovery.standby;
  return {
    ...env,
    account: { ...env.account, ...ACCOUNTS[env.name] },
    backend: withStateRole(env.backend, env.name),
    // The standby and global stacks keep their state in the failover bucket, through the same role.
    disasterRecovery: standby
      ? { ...env.disasterRecovery, standby: { ...standby, backend: withStateRole(standby.backend, env.name) } }
      : env.disasterRecovery,
  };
};

/** The shipped program in the multi-account layout, its state in the state account; with its access stacks and state roles, or with neither (roles made outside). */
export const multiAccountProgram = (withAccess = true): ProgramInput => ({
  ...shippedProgram,
  environments: [dev, staging, prod].map(withAccount),
  access: withAccess ? ACCESS : undefined,
  stateAccount: { id: STATE_ACCOUNT },
  delivery: { ...shippedProgram.delivery, account: DELIVERY_ACCOUNT },
});
