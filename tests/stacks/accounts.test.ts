import type { SynthesizedStack } from "../helpers";
import { ACCOUNTS, multiAccountProgram, STATE_ROLE } from "./multi-account";
import { synthProgram } from "./synth";

/**
 * [ACC-1] Both layouts synthesize. One account per environment: every AWS provider of
 * the environment's stacks (primary, standby, global, aliased regional ones) assumes its
 * environment's role, the session named after the stack, and pins the account; the
 * account stacks assume the role of the account they serve. The single-account layout
 * (the shipped files today) assumes nothing.
 */

const multi = synthProgram(undefined, multiAccountProgram());
const single = synthProgram();

const awsProviders = (stack: SynthesizedStack): any[] => (stack.provider?.aws as any[]) ?? [];
/**
 * The providers' assume_role: a dynamic block with one instance (the role) unless the
 * account_role_arn variable is empty (a plan acting as its own role assumes nothing).
 */
const ASSUMED = (session: string, externalId?: string) => ({
  for_each: '${var.account_role_arn == "" ? [] : [var.account_role_arn]}',
  content: { role_arn: "${assume_role.value}", session_name: session, ...(externalId ? { external_id: externalId } : {}) },
});
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
        expect({ name, alias: provider.alias, allowed: provider.allowed_account_ids, assume: provider.dynamic?.assume_role }).toEqual({
          name,
          alias: provider.alias,
          allowed: [id],
          assume: ASSUMED(name, externalId),
        });
        expect(provider.assume_role).toBeUndefined();
      }
      // The role is the variable's default: a plan role or a Terraform Cloud run sets it empty and acts as itself.
      expect(stack.variable?.account_role_arn).toEqual(expect.objectContaining({ type: "string", default: roleArn }));
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
      expect(awsProviders(multi.stacks[name]).map((p) => [p.allowed_account_ids, p.dynamic?.assume_role])).toEqual([
        [[id], ASSUMED(name, account.externalId)],
      ]);
      expect(multi.stacks[name].variable?.account_role_arn?.default).toBe(account.roleArn);
    }
  });

  it("[ACC-2] every environment stack's S3 backend assumes its environment's role in the state account (Terraform >= 1.6 assume_role), its own key as before", () => {
    for (const [name, stack] of Object.entries(multi.stacks)) {
      const env = environmentOf(name);
      if (!env) continue;
      expect({ name, backend: stack.terraform?.backend?.s3 }).toEqual({
        name,
        backend: expect.objectContaining({
          key: `${name}/terraform.tfstate`,
          use_lockfile: true,
          assume_role: { role_arn: STATE_ROLE(env), session_name: name },
        }),
      });
      // The deprecated top-level role_arn is not written.
      expect(stack.terraform?.backend?.s3?.role_arn).toBeUndefined();
    }
  });

  it("the single-account layout assumes no role: the caller's credentials, as before (providers and backends)", () => {
    const assuming = Object.entries(single.stacks).flatMap(([name, stack]) =>
      awsProviders(stack)
        .filter((p) => p.assume_role || p.dynamic)
        .map(() => name),
    );
    expect(assuming).toEqual([]);
    expect(Object.entries(single.stacks).filter(([, stack]) => stack.terraform?.backend?.s3?.assume_role)).toEqual([]);
  });
});
