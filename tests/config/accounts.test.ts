import { environments as shipped } from "../../environments";
import type { EnvironmentConfig } from "../../environments/types";
import { singleAccountProgram } from "../stacks/layouts";
import { problemsOf } from "./problems";

/** One account per environment, in data (environments/accounts.ts): what the validation refuses, and what it lets through. */

const DEV = "111111111111";
const STAGING = "222222222222";
const PROD = "333333333333";
const role = (account: string, name = "ecg-terraform") => `arn:aws:iam::${account}:role/${name}`;

type Account = EnvironmentConfig["account"];
/** The shipped environments in the single-account layout, so a case names every account setting it has. */
const environments = singleAccountProgram.environments;

/** The single-account environments, each with `account` replaced (merged over its region). */
function withAccounts(accounts: Partial<Record<"dev" | "staging" | "prod", Partial<Account>>>): EnvironmentConfig[] {
  return environments.map((env) => {
    const account = accounts[env.name as "dev" | "staging" | "prod"];
    return account ? { ...env, account: { ...env.account, ...account } } : env;
  });
}

const ONE_EACH = {
  dev: { id: DEV, roleArn: role(DEV) },
  staging: { id: STAGING, roleArn: role(STAGING) },
  prod: { id: PROD, roleArn: role(PROD), externalId: "ecg-prod-terraform" },
};

describe("[ACC-1] accounts in the environments' data", () => {
  it("accepts the single-account layout (no account ids: the caller's credentials) and one account per environment with a role each", () => {
    expect(problemsOf(environments)).toEqual([]);
    expect(problemsOf(withAccounts(ONE_EACH))).toEqual([]);
    // The shipped files are that layout (their ids from environments/organization.ts): an account each, the program's role in it.
    const ids = shipped.map((e) => e.account.id);
    expect(new Set(ids).size).toBe(shipped.length);
    for (const { name, account } of shipped) {
      expect({ name, roleArn: account.roleArn }).toEqual({ name, roleArn: `arn:aws:iam::${account.id}:role/ecg-terraform` });
    }
    expect(problemsOf(shipped)).toEqual([]);
    // A pinned account without a role: the caller's credentials must already be in it.
    expect(problemsOf(withAccounts({ dev: { id: DEV } }))).toEqual([]);
  });

  it.each<[string, Partial<Record<"dev" | "staging" | "prod", Partial<Account>>>, string[]]>([
    [
      "a role ARN that is not one",
      { dev: { id: DEV, roleArn: "ecg-terraform" } },
      ['dev: account.roleArn: "ecg-terraform" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)'],
    ],
    [
      "a user ARN in place of a role",
      { dev: { id: DEV, roleArn: `arn:aws:iam::${DEV}:user/ci` } },
      [`dev: account.roleArn: "arn:aws:iam::${DEV}:user/ci" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`],
    ],
    [
      "a role without the account it is in",
      { dev: { roleArn: role(DEV) } },
      ["dev: account.id: is required with account.roleArn: the providers pin the account they assume the role in (allowed_account_ids)"],
    ],
    [
      "a role of another account",
      { staging: { id: STAGING, roleArn: role(PROD) } },
      [`staging: account.roleArn: "${role(PROD)}" is a role of account ${PROD}, not of account.id ${STAGING}`],
    ],
    [
      "an external ID without a role",
      { dev: { id: DEV, externalId: "abc123" } },
      ["dev: account.externalId: is only used with account.roleArn (the role's trust asks for it)"],
    ],
    [
      "a malformed external ID",
      { dev: { id: DEV, roleArn: role(DEV), externalId: "x" } },
      ["dev: account.externalId: must be 2-1224 characters of letters, digits and +=,.@:/-_ (STS)"],
    ],
    [
      "two environments in one account",
      { dev: { id: DEV, roleArn: role(DEV) }, staging: { id: DEV, roleArn: role(DEV) } },
      [
        `staging: account.id: account ${DEV} is also environment "dev"'s: environments get an account each; to share it on purpose, list each other in account.sharedAccountWith`,
      ],
    ],
    [
      "sharing declared by one side only",
      { dev: { id: DEV, sharedAccountWith: ["staging"] }, staging: { id: DEV } },
      [
        `staging: account.id: account ${DEV} is also environment "dev"'s: environments get an account each; to share it on purpose, list each other in account.sharedAccountWith`,
      ],
    ],
    [
      "production sharing its account, even when both say so",
      { staging: { id: PROD, sharedAccountWith: ["prod"] }, prod: { id: PROD, sharedAccountWith: ["staging"] } },
      [
        `prod: account.id: account ${PROD} is also environment "staging"'s: production ("prod") shares its account with no other environment`,
      ],
    ],
    [
      "two roles in one shared account",
      {
        dev: { id: DEV, roleArn: role(DEV), sharedAccountWith: ["staging"] },
        staging: { id: DEV, roleArn: role(DEV, "other"), sharedAccountWith: ["dev"] },
      },
      [
        `staging: account.roleArn: differs from environment "dev"'s role in the account they share (${role(DEV)}): one account, one role for the program`,
      ],
    ],
    [
      "sharing with an environment that does not exist",
      { dev: { id: DEV, sharedAccountWith: ["qa"] } },
      ['dev: account.sharedAccountWith: "qa" is not an environment'],
    ],
    ["sharing with itself", { dev: { id: DEV, sharedAccountWith: ["dev"] } }, ['dev: account.sharedAccountWith: names "dev" itself']],
  ])("refuses %s, naming the environment and the field", (_, accounts, expected) => {
    expect(problemsOf(withAccounts(accounts))).toEqual(expected);
  });

  it("lets two non-production environments share an account when both list each other, with one role", () => {
    const shared = { id: DEV, roleArn: role(DEV) };
    expect(
      problemsOf(withAccounts({ dev: { ...shared, sharedAccountWith: ["staging"] }, staging: { ...shared, sharedAccountWith: ["dev"] } })),
    ).toEqual([]);
  });
});

describe("[ACC-1] [CMP-6] a public hosted zone per account", () => {
  const inZone = (env: EnvironmentConfig, zone: string): EnvironmentConfig => ({
    ...env,
    ingress: { ...env.ingress, hostedZoneName: zone, domainName: `api.${zone}`, cdnDomainName: `cdn.${zone}` },
  });

  it("the shipped environments each have a zone of their own: prod the parent, dev and staging subzones of it", () => {
    expect(shipped.map((e) => [e.name, e.ingress.hostedZoneName])).toEqual([
      ["dev", "dev.ecg-render.com"],
      ["staging", "staging.ecg-render.com"],
      ["prod", "ecg-render.com"],
    ]);
  });

  it("refuses one zone for environments in different accounts (it answers from one only), naming the environment and the field", () => {
    const [dev, staging, prod] = withAccounts(ONE_EACH);
    expect(problemsOf([inZone(dev, "ecg-render.com"), staging, prod])).toEqual([
      `prod: ingress.hostedZoneName: "ecg-render.com" is also environment "dev"'s, in another account (${DEV}): a public zone answers from one account only; give this one a subzone delegated from it (e.g. "prod.ecg-render.com")`,
    ]);
  });

  it("lets environments of one account share a zone", () => {
    expect(problemsOf(environments.map((e) => inZone(e, "ecg-render.com")))).toEqual([]);
  });
});

describe("[ACC-2] the state bucket reached through a role of its own account", () => {
  const STATE_ROLE = "arn:aws:iam::444444444444:role/ecg-state-dev";
  const withStateRole = (s3: Partial<EnvironmentConfig["backend"]["s3"]>): EnvironmentConfig[] =>
    environments.map((env) => (env.name === "dev" ? { ...env, backend: { ...env.backend, s3: { ...env.backend.s3, ...s3 } } } : env));

  it("accepts a state role (and its external ID)", () => {
    expect(problemsOf(withStateRole({ roleArn: STATE_ROLE, externalId: "ecg-state" }))).toEqual([]);
  });

  it.each<[string, Partial<EnvironmentConfig["backend"]["s3"]>, string]>([
    [
      "a state role that is not a role ARN",
      { roleArn: "ecg-state" },
      'dev: backend.s3.roleArn: "ecg-state" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)',
    ],
    [
      "an external ID without a state role",
      { externalId: "ecg-state" },
      "dev: backend.s3.externalId: is only used with backend.s3.roleArn (the role's trust asks for it)",
    ],
  ])("refuses %s, naming the field", (_, s3, expected) => {
    expect(problemsOf(withStateRole(s3))).toEqual([expected]);
  });
});
