import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { program } from "../../environments";
import { deliveryAccountProblems } from "../../environments/accounts";
import type { DeliveryAccountConfig } from "../../environments/types";
import { buildApp } from "../../stacks/app";

/** [ACC-4] `delivery.account`: the pipeline names its account once the environments live in several. */

const multi = program;
const problems = (account: DeliveryAccountConfig | undefined, environments = multi.environments) =>
  deliveryAccountProblems({ ...multi.delivery, account }, environments).map((p) => `${p.environment}: ${p.path}: ${p.reason}`);

describe("[ACC-4] the delivery pipeline's account", () => {
  it("accepts the test layout's tooling account, and no account in the single-account layout", () => {
    expect(problems(multi.delivery.account)).toEqual([]);
    expect(deliveryAccountProblems(program.delivery, program.environments)).toEqual([]);
  });

  it("is required when the environments live in several accounts", () => {
    expect(problems(undefined)).toEqual([
      `(program): delivery.account.id: is required: the environments live in accounts ${multi.environments.map((e) => e.account.id).join(", ")}, so the pipeline must name the account it runs in (the tooling account, or one of theirs)`,
    ]);
  });

  it.each<[string, DeliveryAccountConfig, string[]]>([
    ["an id that is not 12 digits", { id: "4444" }, ['(program): delivery.account.id: "4444" is not a 12-digit AWS account id']],
    [
      "a role of another account",
      { id: "444444444444", roleArn: "arn:aws:iam::555555555555:role/ecg-delivery-terraform" },
      [
        '(program): delivery.account.roleArn: "arn:aws:iam::555555555555:role/ecg-delivery-terraform" is a role of account 555555555555, not of delivery.account.id 444444444444',
      ],
    ],
    [
      "a role that is not a role",
      { id: "444444444444", roleArn: "arn:aws:iam::444444444444:user/ci" },
      [
        '(program): delivery.account.roleArn: "arn:aws:iam::444444444444:user/ci" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)',
      ],
    ],
    [
      "an external ID without a role",
      { id: "444444444444", externalId: "ecg" },
      ["(program): delivery.account.externalId: is only used with delivery.account.roleArn (the role's trust asks for it)"],
    ],
  ])("refuses %s", (_what, account, expected) => {
    expect(problems(account)).toEqual(expected);
  });

  it("refuses the configuration before anything is written", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "ecg-delivery-")), "out");
    expect(() => buildApp({ ...multi, delivery: { ...multi.delivery, account: undefined } }, { outdir })).toThrow(
      /delivery\.account\.id: is required/,
    );
    expect(existsSync(outdir)).toBe(false);
  });
});
