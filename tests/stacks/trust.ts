import type { SynthesizedStack } from "../helpers";

/** Who asks to assume a role: a web identity token of an issuer, or an AWS principal (with the external ID it passes). */
export type Caller =
  | { readonly issuer: string; readonly aud: string; readonly sub: string }
  | { readonly principal: string; readonly externalId?: string };

interface Statement {
  effect?: string;
  actions?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
}

const REFERENCE = /^\$\{(?:data\.)?(aws_\w+)\.([\w-]+)\.(arn|json)\}$/;
/** The stack's partition (aws_partition) inside an ARN, as IAM reads it in the commercial partition. */
const PARTITION = /\$\{data\.aws_partition\.[\w-]+\.partition\}/g;
export const inAwsPartition = (arn: string) => arn.replace(PARTITION, "aws");

/** A role's ARN as IAM will make it, from the stack's pinned account, its path and name. */
function roleArn(stack: SynthesizedStack, role: any): string {
  const account = (stack.provider!.aws as any[])[0].allowed_account_ids[0];
  return `arn:aws:iam::${account}:role${role.path ?? "/"}${role.name}`;
}

/** An identifier as a caller would present it: references to the stack's roles and OIDC providers resolved. */
function resolve(stack: SynthesizedStack, identifier: string): string {
  const match = REFERENCE.exec(identifier);
  if (!match) return inAwsPartition(identifier);
  const [, type, name] = match;
  const resource = (stack.resource as any)[type][name];
  if (type === "aws_iam_role") return roleArn(stack, resource);
  if (type === "aws_iam_openid_connect_provider")
    return `oidc:${resource.url.replace(/^https:\/\//, "")}|${resource.client_id_list.join(",")}`;
  throw new Error(`unexpected reference ${identifier}`);
}

const like = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  ).test(value);

/** Whether one condition holds for the caller (the tests IAM offers that these trusts use). */
function holds(condition: { test: string; variable: string; values: string[] }, caller: Caller): boolean {
  const [issuer, claim] = condition.variable.split(/:(?=[^:]+$)/);
  let value: string | undefined;
  if ("issuer" in caller) value = issuer === caller.issuer ? (caller as any)[claim] : undefined;
  else if (condition.variable === "sts:ExternalId") value = caller.externalId;
  else if (condition.variable === "aws:PrincipalArn") value = caller.principal;
  if (value === undefined) return false;
  const values = condition.values.map(inAwsPartition);
  if (condition.test === "StringEquals" || condition.test === "ArnEquals") return values.includes(value);
  if (condition.test === "StringLike" || condition.test === "ArnLike") return values.some((v) => like(v, value));
  throw new Error(`unexpected condition test ${condition.test}`);
}

/** Whether a trust policy lets the caller assume the role (an explicit Allow whose principal and conditions all match, no Deny). */
function admits(stack: SynthesizedStack, statements: Statement[], caller: Caller): boolean {
  const action = "issuer" in caller ? "sts:AssumeRoleWithWebIdentity" : "sts:AssumeRole";
  const matches = (s: Statement) =>
    (s.actions ?? []).includes(action) &&
    (s.principals ?? []).some((p) =>
      p.identifiers.some((id) => {
        const presented = resolve(stack, id);
        if ("issuer" in caller) return p.type === "Federated" && presented.startsWith(`oidc:${caller.issuer}|`);
        // An account's root stands for every principal of that account (the conditions then narrow it).
        const account = /^arn:[\w-]+:iam::(\d{12}):root$/.exec(presented)?.[1];
        return (
          p.type === "AWS" && (presented === caller.principal || (account !== undefined && caller.principal.includes(`::${account}:`)))
        );
      }),
    ) &&
    (s.condition ?? []).every((c) => holds(c, caller));
  const relevant = statements.filter(matches);
  return relevant.some((s) => (s.effect ?? "Allow") === "Allow") && !relevant.some((s) => s.effect === "Deny");
}

/** The ARNs of every role of the stacks that the caller may assume. */
export function assumableRoles(stacks: Record<string, SynthesizedStack>, caller: Caller): string[] {
  return Object.values(stacks).flatMap((stack) =>
    Object.values<any>(stack.resource?.aws_iam_role ?? {}).flatMap((role) => {
      const document = REFERENCE.exec(role.assume_role_policy);
      if (!document) throw new Error(`role ${role.name}: its trust is not an aws_iam_policy_document`);
      const statements: Statement[] = (stack.data as any).aws_iam_policy_document[document[2]].statement;
      return admits(stack, statements, caller) ? [roleArn(stack, role)] : [];
    }),
  );
}
