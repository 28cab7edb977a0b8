import { roleArnParts } from "../modules/common/iam-arn";
import type { ConfigProblem } from "./problems";
import type { DeliverySettings, EnvironmentConfig } from "./types";

/** STS: an external ID is 2-1224 characters of [\w+=,.@:/-]. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** Why `roleArn` is no IAM role ARN; undefined when it is one. */
const roleArnShapeProblem = (roleArn: string) =>
  roleArnParts(roleArn) ? undefined : `"${roleArn}" is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`;
const externalIdProblem = (externalId: string) =>
  EXTERNAL_ID.test(externalId) ? undefined : "must be 2-1224 characters of letters, digits and +=,.@:/-_ (STS)";

/** A role to assume and its external ID, as `<path>.roleArn` / `<path>.externalId` problems (the S3 backend's state role). */
export function assumedRoleProblems(
  path: string,
  roleArn: string | undefined,
  externalId: string | undefined,
): { path: string; reason: string }[] {
  const problems: { path: string; reason: string }[] = [];
  const shape = roleArn === undefined ? undefined : roleArnShapeProblem(roleArn);
  if (shape) problems.push({ path: `${path}.roleArn`, reason: shape });
  if (externalId !== undefined) {
    const problem =
      roleArn === undefined ? `is only used with ${path}.roleArn (the role's trust asks for it)` : externalIdProblem(externalId);
    if (problem) problems.push({ path: `${path}.externalId`, reason: problem });
  }
  return problems;
}

/** One environment's `account`: the role is an IAM role of that very account, the external ID well-formed. */
export function accountProblems(env: EnvironmentConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const fail = (path: string, reason: string) => problems.push({ environment: env.name || "(unnamed)", path: `account.${path}`, reason });
  const { id, roleArn, externalId, sharedAccountWith } = env.account ?? {};
  for (const problem of assumedRoleProblems("account", roleArn, externalId)) {
    problems.push({ environment: env.name || "(unnamed)", path: problem.path, reason: problem.reason });
  }
  const role = roleArn === undefined ? undefined : roleArnParts(roleArn);
  if (role && id === undefined)
    fail("id", "is required with account.roleArn: the providers pin the account they assume the role in (allowed_account_ids)");
  else if (role && role.account !== id) fail("roleArn", `"${roleArn}" is a role of account ${role.account}, not of account.id ${id}`);
  if (sharedAccountWith?.includes(env.name)) fail("sharedAccountWith", `names "${env.name}" itself`);
  return problems;
}

/**
 * Across environments: one account each (AWS's multi-account guidance), unless two
 * list each other in `sharedAccountWith`; a production environment never shares; the
 * environments of one account assume one role there (its account stack's provider
 * assumes it too).
 */
export function sharedAccountProblems(environments: readonly EnvironmentConfig[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Set(environments.map((e) => e.name));
  for (const env of environments) {
    for (const other of env.account?.sharedAccountWith ?? []) {
      if (!names.has(other) && other !== env.name)
        problems.push({ environment: env.name, path: "account.sharedAccountWith", reason: `"${other}" is not an environment` });
    }
  }
  environments.forEach((env, i) => {
    const id = env.account?.id;
    if (id === undefined) return;
    for (const other of environments.slice(0, i).filter((o) => o.account?.id === id)) {
      const path = "account.id";
      const shared = `account ${id} is also environment "${other.name}"'s`;
      if (env.production || other.production) {
        const production = env.production ? env.name : other.name;
        problems.push({
          environment: env.name,
          path,
          reason: `${shared}: production ("${production}") shares its account with no other environment`,
        });
      } else if (!env.account.sharedAccountWith?.includes(other.name) || !other.account.sharedAccountWith?.includes(env.name)) {
        problems.push({
          environment: env.name,
          path,
          reason: `${shared}: environments get an account each; to share it on purpose, list each other in account.sharedAccountWith`,
        });
      } else if ((env.account.roleArn ?? "") !== (other.account.roleArn ?? "")) {
        problems.push({
          environment: env.name,
          path: "account.roleArn",
          reason: `differs from environment "${other.name}"'s role in the account they share (${other.account.roleArn ?? "none"}): one account, one role for the program`,
        });
      }
    }
  });
  return problems;
}

/**
 * The delivery pipeline's account: declared (12 digits, its role one of that
 * account) whenever the environments live in more than one account, since a
 * pipeline that releases across accounts must know which one it is in.
 */
export function deliveryAccountProblems(delivery: DeliverySettings, environments: readonly EnvironmentConfig[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const fail = (path: string, reason: string) => problems.push({ environment: "(program)", path, reason });
  const account = delivery.account;
  if (!account) {
    const declared = [...new Set(environments.flatMap((e) => (e.account?.id ? [e.account.id] : [])))];
    if (declared.length > 1)
      fail(
        "delivery.account.id",
        `is required: the environments live in accounts ${declared.join(", ")}, so the pipeline must name the account it runs in (the tooling account, or one of theirs)`,
      );
    return problems;
  }
  if (!/^\d{12}$/.test(account.id ?? "")) fail("delivery.account.id", `"${account.id}" is not a 12-digit AWS account id`);
  for (const problem of assumedRoleProblems("delivery.account", account.roleArn, account.externalId)) fail(problem.path, problem.reason);
  const role = account.roleArn === undefined ? undefined : roleArnParts(account.roleArn);
  if (role && role.account !== account.id)
    fail("delivery.account.roleArn", `"${account.roleArn}" is a role of account ${role.account}, not of delivery.account.id ${account.id}`);
  return problems;
}

/**
 * A public hosted zone is delegated from its parent once, so only one account
 * can hold a zone that answers: environments in different accounts each need
 * a zone of their own (a subzone delegated from the parent, e.g.
 * `dev.example.com`), or their certificates never validate.
 */
export function hostedZoneProblems(environments: readonly EnvironmentConfig[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  environments.forEach((env, i) => {
    const zone = env.ingress?.hostedZoneName;
    const other = environments.slice(0, i).find((o) => o.ingress?.hostedZoneName === zone && o.account?.id !== env.account?.id);
    if (zone && other)
      problems.push({
        environment: env.name,
        path: "ingress.hostedZoneName",
        reason: `"${zone}" is also environment "${other.name}"'s, in another account (${other.account?.id ?? "the caller's"}): a public zone answers from one account only; give this one a subzone delegated from it (e.g. "${env.name}.${zone}")`,
      });
  });
  return problems;
}
