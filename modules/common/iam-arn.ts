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

export function roleArnParts(roleArn: string): RoleArnParts | undefined {
  const match = ROLE_ARN.exec(roleArn);
  return match ? { partition: match[1], account: match[2], path: match[3], name: match[4] } : undefined;
}
