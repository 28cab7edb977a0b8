import { program } from "../../environments";
import { accountIds } from "../../environments/organization";
import type { BackendConfig, EnvironmentConfig } from "../../environments/types";
import type { ProgramInput } from "../../stacks/app";

/**
 * The program's two layouts as tests use them: the shipped one (an account
 * per environment, state and delivery in the tooling account: environments/organization.ts)
 * and the single-account one (no account ids or roles: every stack acts with
 * the caller's credentials), which stays valid.
 */

/** The shipped environments' accounts, by environment name. */
export const ACCOUNTS: Record<string, { id: string; roleArn: string; externalId?: string }> = Object.fromEntries(
  program.environments.map((e) => [e.name, { id: e.account.id!, roleArn: e.account.roleArn!, externalId: e.account.externalId }]),
);

export const STATE_ACCOUNT = accountIds.tooling;
/** The state account's roles of each environment: its stacks' backends assume the deploy one. */
export const STATE_ROLE = (env: string, purpose: "plan" | "deploy" = "deploy") =>
  `arn:aws:iam::${STATE_ACCOUNT}:role/ecg-state/${env}-${purpose}`;

/** What a stack's S3 backend must be in the shipped layout: its own key, encrypted, lock-filed, through its environment's deploy state role. */
export const expectedS3Backend = (stack: string, environment: string, bucket: string, region: string) => ({
  s3: {
    bucket,
    key: `${stack}/terraform.tfstate`,
    region,
    encrypt: true,
    kms_key_id: `alias/${bucket}`,
    use_lockfile: true,
    assume_role: { role_arn: STATE_ROLE(environment), session_name: stack },
  },
});

export const DELIVERY_ACCOUNT = program.delivery.account;

export const ACCESS = program.access;
export const [ADMINISTRATOR] = ACCESS.administrators;

const withoutStateRole = (backend: BackendConfig): BackendConfig => ({
  ...backend,
  s3: { bucket: backend.s3.bucket, region: backend.s3.region },
});

/** An environment of the single-account layout: no account pinned, state reached with the caller's credentials. */
const withoutAccount = (env: EnvironmentConfig): EnvironmentConfig => {
  const standby = env.disasterRecovery.standby;
  return {
    ...env,
    account: { region: env.account.region },
    backend: withoutStateRole(env.backend),
    disasterRecovery: standby
      ? { ...env.disasterRecovery, standby: { ...standby, backend: withoutStateRole(standby.backend) } }
      : env.disasterRecovery,
  };
};

/** The shipped program in the single-account layout: one account of the caller's, no access stacks, no state account. */
export const singleAccountProgram = {
  ...program,
  environments: program.environments.map(withoutAccount),
  access: undefined,
  stateAccount: undefined,
  delivery: { ...program.delivery, account: undefined },
} satisfies ProgramInput;
