import { roleArnParts } from "../modules/common/iam-arn";
import type { ConfigProblem } from "./problems";
import type { AccessConfig, EnvironmentConfig } from "./types";

/** GitHub: an owner is 1-39 letters, digits and single inner hyphens; a repository 1-100 of [A-Za-z0-9._-]. */
const GITHUB_OWNER = /^[A-Za-z\d](?:[A-Za-z\d]|-(?=[A-Za-z\d])){0,38}$/;
const GITHUB_REPOSITORY = /^[\w.-]{1,100}$/;
/** A branch as the OIDC subject names it (`ref:refs/heads/<branch>`): no pattern, no colon, no space. */
const BRANCH = /^[\w./-]+$/;
/** IAM: a role name is 1-64 of [\w+=,.@-]. */
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** Terraform Cloud organization and project names as the run token's subject carries them. */
const TFC_NAME = /^[\w -]+$/;

/**
 * The program's `access` (ACC-3): a GitHub repository named exactly (a
 * subject with a pattern would admit repositories nobody reviewed), at least
 * one administrator role, and, with Terraform Cloud credentials, an
 * organization and project every trusted workspace can be named by. Access
 * stacks are built for the multi-account layout only.
 */
export function accessProblems(access: AccessConfig, environments: readonly EnvironmentConfig[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const fail = (path: string, reason: string, environment = "(program)") =>
    problems.push({ environment, path: path ? `access.${path}` : "access", reason });
  const { owner, repository, defaultBranch } = access.github ?? {};
  if (!GITHUB_OWNER.test(owner ?? "")) fail("github.owner", `"${owner}" is not a GitHub owner (1-39 letters, digits and inner hyphens)`);
  if (!GITHUB_REPOSITORY.test(repository ?? "") || repository === "." || repository === "..")
    fail("github.repository", `"${repository}" is not a GitHub repository name (1-100 of letters, digits, ".", "_" and "-")`);
  if (defaultBranch !== undefined && !BRANCH.test(defaultBranch))
    fail(
      "github.defaultBranch",
      `"${defaultBranch}" is not a branch an OIDC subject can name exactly (letters, digits, ".", "_", "/", "-")`,
    );
  if (!access.administrators?.length) fail("administrators", "name at least one administrator role: someone must apply the access stacks");
  access.administrators?.forEach((arn, i) => {
    const role = roleArnParts(arn);
    if (!role) fail(`administrators[${i}]`, `"${arn}" is not an IAM role ARN`);
    const inEnvironment = role && environments.find((e) => e.account?.id === role.account);
    // Every environment's program and state roles trust every administrator.
    if (inEnvironment && environments.some((e) => e.account?.id !== undefined && e.account.id !== role.account))
      fail(
        `administrators[${i}]`,
        `"${arn}" is a role of environment "${inEnvironment.name}"'s account: every environment's roles trust the administrators, so that account would reach the others'; name roles of the account the administrators sign in to`,
      );
  });
  const { bootstrapRoleName } = access;
  if (bootstrapRoleName !== undefined && !IAM_ROLE_NAME.test(bootstrapRoleName))
    fail("bootstrapRoleName", `"${bootstrapRoleName}" is not an IAM role name (1-64 of letters, digits and +=,.@_-)`);
  const served = environments.filter((e) => e.account?.roleArn);
  if (served.length === 0)
    fail("", "no environment declares account.roleArn: access stacks are built for the multi-account layout, where they create that role");
  if (access.terraformCloud) {
    for (const env of served) {
      const { organization, project, hostname } = env.backend?.cloud ?? {};
      // The trusts name HCP Terraform's issuer; a Terraform Enterprise host issues its own tokens.
      if (hostname !== undefined && hostname !== "app.terraform.io")
        fail("terraformCloud", `backend.cloud.hostname "${hostname}": the access stacks trust app.terraform.io's tokens only`, env.name);
      if (!TFC_NAME.test(organization ?? ""))
        fail("terraformCloud", `backend.cloud.organization "${organization}" cannot be named in a run token's subject`, env.name);
      if (project === undefined)
        fail("terraformCloud", "backend.cloud.project is required: the run token's subject names the workspace's project", env.name);
      else if (!TFC_NAME.test(project))
        fail("terraformCloud", `backend.cloud.project "${project}" cannot be named in a run token's subject`, env.name);
    }
  }
  return problems;
}
