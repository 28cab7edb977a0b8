import { AwsProvider, type AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "../../environments/types";

/** Settings every AWS provider of an environment's stacks shares, whatever its region. */
export type ProviderSettings = Pick<AwsProviderConfig, "allowedAccountIds" | "defaultTags">;

/**
 * The environment's account pin (`allowed_account_ids`, when `account.id` is
 * set) and its tags on every taggable resource (ENV-4; modules add Component).
 */
export function environmentProviderSettings(config: EnvironmentConfig, extraTags: Readonly<Record<string, string>> = {}): ProviderSettings {
  return {
    allowedAccountIds: config.account.id ? [config.account.id] : undefined,
    defaultTags: [{ tags: { ...config.tags, ...extraTags } }],
  };
}

/** An aliased provider of another region: id `aws-<region>`, alias `<region>` with underscores. */
export function regionalProvider(scope: Construct, region: string, settings: ProviderSettings): AwsProvider {
  return new AwsProvider(scope, `aws-${region}`, { ...settings, region, alias: region.replace(/-/g, "_") });
}
