/** `arn:<partition>:iam::<account>:role<path><name>` (IAM: path segments and name of [\w+=,.@-], name ≤ 64). */
const ROLE_ARN = /^arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role(\/(?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;

/** The parts of an IAM role ARN, or undefined when it is none. */
export interface RoleArnParts {
  readonly partition: string;
  readonly account: string;
  /** `/` or `/<segments>/`. */
  readonly path: string;
  readonly name: string;
}

/** The ARN of role `name` (with its path, if any) of `accountId`; the partition and account may be Terraform references. */
export const roleArn = (partition: string, accountId: string, name: string) => `arn:${partition}:iam::${accountId}:role/${name}`;

export function roleArnParts(roleArn: string): RoleArnParts | undefined {
  const match = ROLE_ARN.exec(roleArn);
  return match ? { partition: match[1], account: match[2], path: match[3], name: match[4] } : undefined;
}

/**
 * The partition and account of something shaped like a role ARN whose parts may
 * be Terraform references (an `aws_partition` or `aws_caller_identity` value):
 * split, not matched against IAM's rules. Undefined when it is no role ARN.
 */
export function roleArnShape(arn: string): { readonly partition: string; readonly account: string } | undefined {
  const [prefix, partition, service, region, account, resource, ...rest] = arn.split(":");
  const shaped = prefix === "arn" && partition && service === "iam" && region === "" && account && /^role\/./.test(resource ?? "");
  return shaped && rest.length === 0 ? { partition, account } : undefined;
}

/**
 * A policy statement's principals and condition that admit exactly these roles,
 * of any account: their accounts' roots, limited by `aws:PrincipalArn`. IAM
 * refuses a trust policy, and S3, KMS and ECR a resource policy, that names a
 * role which does not exist yet; a root does, so the two sides of a
 * cross-account grant can be applied in either order.
 */
export function namedRoles(roleArns: readonly string[]): {
  readonly principals: { readonly type: "AWS"; readonly identifiers: string[] }[];
  readonly condition: { readonly test: "ArnEquals"; readonly variable: "aws:PrincipalArn"; readonly values: string[] }[];
} {
  const roots = roleArns.map((arn) => {
    const parts = roleArnShape(arn);
    if (!parts) throw new Error(`namedRoles: "${arn}" is not an IAM role ARN`);
    return `arn:${parts.partition}:iam::${parts.account}:root`;
  });
  return {
    principals: [{ type: "AWS", identifiers: [...new Set(roots)] }],
    condition: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: [...roleArns] }],
  };
}
