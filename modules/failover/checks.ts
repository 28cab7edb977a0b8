import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { type TerraformProvider, Token } from "cdktf";
import { isDnsName, isRegionName } from "../common/limits";

/**
 * Checks shared by the failover constructs. Values that are Terraform
 * references (an ALB's dns_name, an ARN read from another stack) are only
 * known at apply time, so only literal values are checked.
 */

export const isLiteral = (value: string | undefined): value is string => typeof value === "string" && !Token.isUnresolved(value);

/** `field: "value" is not a lower-case DNS name`, when a literal `value` is not one (or is missing). */
export function dnsNameProblem(field: string, value: string | undefined): string | undefined {
  if (value === undefined || value === "") return `${field}: is required (a lower-case DNS name)`;
  if (!isLiteral(value) || isDnsName(value)) return undefined;
  return `${field}: "${value}" is not a lower-case DNS name`;
}

export function regionProblem(field: string, region: string | undefined): string | undefined {
  return isRegionName(region) ? undefined : `${field}: "${region ?? ""}" is not an AWS region code (e.g. ap-northeast-2)`;
}

export const isWhole = (value: number | undefined, min: number, max: number): boolean =>
  value !== undefined && Number.isInteger(value) && value >= min && value <= max;

/**
 * `field: ...` when `provider` is an AWS provider configured with a literal
 * region other than `region` (the only region where the API or metric exists).
 */
export function providerRegionProblem(
  field: string,
  provider: TerraformProvider | undefined,
  region: string,
  why: string,
): string | undefined {
  if (!provider) return `${field}: is required (a provider for ${region}: ${why})`;
  if (!(provider instanceof AwsProvider)) return `${field}: must be an AWS provider for ${region} (${why})`;
  const configured = provider.region;
  if (isLiteral(configured) && configured !== region)
    return `${field}: is configured for ${configured}, but must be for ${region} (${why})`;
  return undefined;
}

/** The region field of a literal ARN (`arn:partition:service:region:account:resource`), else undefined. */
export function arnRegion(arn: string | undefined): string | undefined {
  if (!isLiteral(arn)) return undefined;
  const parts = arn.split(":");
  return parts.length >= 6 && parts[0] === "arn" ? parts[3] : undefined;
}
