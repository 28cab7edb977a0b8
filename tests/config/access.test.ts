import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { program } from "../../environments";
import { accessProblems } from "../../environments/access";
import { ConfigValidationError } from "../../environments/problems";
import type { AccessConfig, EnvironmentConfig } from "../../environments/types";
import { buildApp } from "../../stacks/app";
import { stateAccountProblems } from "../../stacks/support/state-account";
import { ACCESS, STATE_ACCOUNT, STATE_ROLE, singleAccountProgram } from "../stacks/layouts";

/** [ACC-3] The program's `access` settings (environments/access.ts): what validation refuses. */

const served = program.environments;
const problems = (access: Partial<AccessConfig>, envs = served) =>
  accessProblems({ ...ACCESS, ...access } as AccessConfig, envs).map((p) => `${p.environment}: ${p.path}: ${p.reason}`);

describe("[ACC-3] access settings", () => {
  it("accepts the test layout's settings", () => {
    expect(problems({})).toEqual([]);
  });

  it.each<[string, Partial<AccessConfig>, string[]]>([
    [
      "a GitHub owner or repository that is a pattern",
      { github: { owner: "ecg-*", repository: "*" } },
      [
        '(program): access.github.owner: "ecg-*" is not a GitHub owner (1-39 letters, digits and inner hyphens)',
        '(program): access.github.repository: "*" is not a GitHub repository name (1-100 of letters, digits, ".", "_" and "-")',
      ],
    ],
    [
      "a default branch with a pattern",
      { github: { owner: "o", repository: "r", defaultBranch: "release/*" } },
      [
        '(program): access.github.defaultBranch: "release/*" is not a branch an OIDC subject can name exactly (letters, digits, ".", "_", "/", "-")',
      ],
    ],
    [
      "no administrator",
      { administrators: [] },
      ["(program): access.administrators: name at least one administrator role: someone must apply the access stacks"],
    ],
    [
      "an administrator that is not a role",
      { administrators: ["arn:aws:iam::555555555555:user/alice"] },
      ['(program): access.administrators[0]: "arn:aws:iam::555555555555:user/alice" is not an IAM role ARN'],
    ],
    [
      "an administrator role of an environment's account",
      { administrators: [`arn:aws:iam::${served[0].account.id}:role/OrganizationAccountAccessRole`] },
      [
        `(program): access.administrators[0]: "arn:aws:iam::${served[0].account.id}:role/OrganizationAccountAccessRole" is a role of environment "dev"'s account: every environment's roles trust the administrators, so that account would reach the others'; name roles of the account the administrators sign in to`,
      ],
    ],
    [
      "a bootstrap role that is no role name",
      { bootstrapRoleName: "role/OrganizationAccountAccessRole" },
      [
        '(program): access.bootstrapRoleName: "role/OrganizationAccountAccessRole" is not an IAM role name (1-64 of letters, digits and +=,.@_-)',
      ],
    ],
  ])("refuses %s", (_, access, expected) => {
    expect(problems(access)).toEqual(expected);
  });

  it("refuses Terraform Cloud credentials for an environment whose workspaces have no project to be named by", () => {
    const [dev, ...rest] = served;
    const withoutProject = { ...dev, backend: { ...dev.backend, cloud: { organization: "ecg-render" } } };
    expect(problems({}, [withoutProject, ...rest])).toEqual([
      "dev: access.terraformCloud: backend.cloud.project is required: the run token's subject names the workspace's project",
    ]);
    expect(problems({ terraformCloud: false }, [withoutProject, ...rest])).toEqual([]);
    const enterprise = { ...dev, backend: { ...dev.backend, cloud: { ...dev.backend.cloud, hostname: "tfe.example.com" } } };
    expect(problems({}, [enterprise, ...rest])).toEqual([
      'dev: access.terraformCloud: backend.cloud.hostname "tfe.example.com": the access stacks trust app.terraform.io\'s tokens only',
    ]);
  });

  it("refuses access settings in the single-account layout, where no environment names the role they would create", () => {
    expect(problems({}, singleAccountProgram.environments)).toEqual([
      "(program): access: no environment declares account.roleArn: access stacks are built for the multi-account layout, where they create that role",
    ]);
  });
});

describe("[ACC-2] the state account", () => {
  const state = { id: STATE_ACCOUNT };
  const issues = (envs = served, access: AccessConfig | null = ACCESS, account: { id: string } | null = state) =>
    stateAccountProblems(account ?? undefined, access ?? undefined, envs, program.delivery.backend).map(
      (p) => `${p.environment}: ${p.path}: ${p.reason}`,
    );
  const withStateRole = (env: EnvironmentConfig, roleArn: string | undefined): EnvironmentConfig => ({
    ...env,
    backend: { ...env.backend, s3: { ...env.backend.s3, roleArn } },
  });

  it("accepts the test layout: every backend names its environment's deploy state role", () => {
    expect(issues()).toEqual([]);
  });

  it("refuses a malformed id and a state account that is an environment's", () => {
    expect(issues(served, ACCESS, { id: "4444" })).toEqual(['(program): stateAccount.id: "4444" is not a 12-digit AWS account id']);
    expect(issues(served, ACCESS, { id: served[2].account.id! })).toContain(
      "prod: account.id: is the state account 333333333333: the state lives apart from every environment",
    );
  });

  it("refuses a backend that assumes another role than its environment's deploy state role (naming the one to write)", () => {
    const [dev, staging, prod] = served;
    expect(issues([dev, withStateRole(staging, STATE_ROLE("dev")), prod])).toEqual([
      `staging: backend.s3.roleArn: must be ${STATE_ROLE("staging")}, the state role the bootstrap stack creates for "staging" (is ${STATE_ROLE("dev")})`,
    ]);
  });

  it("refuses a backend role in an account nothing declares, and, without access, one outside the state account", () => {
    const [dev, staging, prod] = served;
    expect(issues(served, ACCESS, null)).toContain(
      "dev: backend.s3.roleArn: names a role of account 444444444444, which nothing declares: declare it as stateAccount.id",
    );
    // Roles made outside the program (no access): any role of the state account, none of another.
    const own = withStateRole(staging, "arn:aws:iam::444444444444:role/terraform-state");
    const elsewhere = withStateRole(prod, "arn:aws:iam::555555555555:role/terraform-state");
    expect(issues([dev, own, elsewhere], null)).toEqual([
      "prod: backend.s3.roleArn: names a role of account 555555555555, not of the state account 444444444444",
    ]);
  });

  it("refuses the configuration before anything is written", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "ecg-access-")), "out");
    expect(() => buildApp({ ...program, stateAccount: { id: "4444" } }, { outdir })).toThrow(ConfigValidationError);
    expect(existsSync(outdir)).toBe(false);
  });
});
