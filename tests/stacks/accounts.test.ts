import { dev } from "../../environments/dev";
import { program as shippedProgram } from "../../environments";
import { prod } from "../../environments/prod";
import { staging } from "../../environments/staging";
import type { EnvironmentConfig } from "../../environments/types";
import type { SynthesizedStack } from "../helpers";
import { synthProgram } from "./synth";

/**
 * [ACC-1] Both layouts synthesize. One account per environment: every AWS provider of
 * the environment's stacks (primary, standby, global, aliased regional ones) assumes its
 * environment's role, the session named after the stack, and pins the account; the
 * account stacks assume the role of the account they serve. The single-account layout
 * (the shipped files today) assumes nothing.
 */

const ACCOUNTS: Record<string, { id: string; roleArn: string; externalId?: string }> = {
  dev: { id: "111111111111", roleArn: "arn:aws:iam::111111111111:role/ecg-terraform" },
  staging: { id: "222222222222", roleArn: "arn:aws:iam::222222222222:role/ecg-terraform" },
  prod: { id: "333333333333", roleArn: "arn:aws:iam::333333333333:role/ecg-terraform", externalId: "ecg-prod-terraform" },
};
const withAccount = (env: EnvironmentConfig): EnvironmentConfig => ({ ...env, account: { ...env.account, ...ACCOUNTS[env.name] } });

const multi = synthProgram(undefined, { ...shippedProgram, environments: [dev, staging, prod].map(withAccount) });
const single = synthProgram();

const awsProviders = (stack: SynthesizedStack): any[] => (stack.provider?.aws as any[]) ?? [];
/** The environment whose stacks these are: ecg-<env>, ecg-<env>-standby, ecg-<env>-global. */
const environmentOf = (stackName: string) => /^ecg-(dev|staging|prod)(-standby|-global)?$/.exec(stackName)?.[1];

describe("[ACC-1] one AWS account per environment", () => {
  it("every AWS provider of every environment stack assumes its environment's role in its account and pins that account", () => {
    const checked: string[] = [];
    for (const [name, stack] of Object.entries(multi.stacks)) {
      const env = environmentOf(name);
      if (!env) continue;
      const { id, roleArn, externalId } = ACCOUNTS[env];
      for (const provider of awsProviders(stack)) {
        checked.push(`${name}/${provider.alias ?? "default"}`);
        expect({ name, alias: provider.alias, allowed: provider.allowed_account_ids, assume: provider.assume_role }).toEqual({
          name,
          alias: provider.alias,
          allowed: [id],
          assume: [{ role_arn: roleArn, session_name: name, ...(externalId ? { external_id: externalId } : {}) }],
        });
      }
    }
    // Aliased regional providers are among them (Tokyo, us-west-2, us-east-1).
    expect(checked).toEqual(
      expect.arrayContaining([
        "ecg-prod/default",
        "ecg-prod/ap_northeast_1",
        "ecg-prod/us_west_2",
        "ecg-prod/us_east_1",
        "ecg-prod-standby/default",
        "ecg-prod-global/default",
      ]),
    );
  });

  it("an account stack per account and region, its provider assuming that account's role", () => {
    const accountStacks = Object.keys(multi.stacks).filter((n) => n.startsWith("ecg-account-"));
    expect(accountStacks.sort()).toEqual([
      "ecg-account-111111111111-ap-northeast-2",
      "ecg-account-222222222222-ap-northeast-2",
      "ecg-account-333333333333-ap-northeast-1",
      "ecg-account-333333333333-ap-northeast-2",
    ]);
    for (const name of accountStacks) {
      const id = name.split("-")[2];
      const account = Object.values(ACCOUNTS).find((a) => a.id === id)!;
      expect(
        awsProviders(multi.stacks[name]).map((p) => [p.allowed_account_ids, p.assume_role[0].role_arn, p.assume_role[0].session_name]),
      ).toEqual([[[id], account.roleArn, name]]);
    }
  });

  it("the single-account layout assumes no role: the caller's credentials, as before", () => {
    const assuming = Object.entries(single.stacks).flatMap(([name, stack]) =>
      awsProviders(stack)
        .filter((p) => p.assume_role)
        .map(() => name),
    );
    expect(assuming).toEqual([]);
  });
});
