/** AWS limits that more than one module or check needs. */

/** The only retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** An AWS region code such as `ap-northeast-2`. */
export const isRegionName = (region: string | undefined): boolean => /^[a-z]{2}(-[a-z]+)+-\d$/.test(region ?? "");

/** Error text when `days` is not an accepted retention value, else undefined. */
export function logRetentionProblem(days: number): string | undefined {
  return LOG_RETENTION_DAYS.includes(days)
    ? undefined
    : `${days} is not a CloudWatch Logs retention value (${LOG_RETENTION_DAYS.join(", ")})`;
}

// S3 bucket naming rules: 3-63 characters, lower-case letters, digits, dots and
// hyphens, starting and ending with a letter or digit, not shaped like an IP.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

// A Terraform reference in a name (typically the account id) is checked as a
// 12-digit stand-in: the literal parts must still follow the rules.
const TOKEN = /\$\{TfToken\[[^\]]*\]\}/g;

/** `value` with every Terraform reference replaced by a 12-digit stand-in (an account id's shape). */
export const withStandIns = (value: string) => value.replace(TOKEN, "123456789012");

/** Error text when `name` breaks the S3 bucket naming rules, else undefined. */
export function bucketNameProblem(raw: string | undefined): string | undefined {
  const name = raw === undefined ? undefined : withStandIns(raw);
  if (name && BUCKET_NAME.test(name) && !/^\d+\.\d+\.\d+\.\d+$/.test(name) && !name.includes("..")) return undefined;
  return `"${raw ?? ""}" is not a valid S3 bucket name (3-63 lower-case letters, digits, dots or hyphens)`;
}

/** A lower-case fully qualified DNS name (labels of 1-63, at most 253 characters). */
export const isDnsName = (name: string | undefined): boolean =>
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(name ?? "");

/** Error text when `days` is not a Secrets Manager recovery window (0: delete at once, or 7-30), else undefined. */
export function secretRecoveryProblem(days: number): string | undefined {
  return days === 0 || (Number.isInteger(days) && days >= 7 && days <= 30) ? undefined : `${days} must be 0 or 7-30`;
}
