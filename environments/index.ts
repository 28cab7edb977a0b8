import { dev } from "./dev";
import { deliverySettings, failoverStateBucket, projectTags, stateBucket } from "./shared";
import { prod } from "./prod";
import { staging } from "./staging";
import type { EnvironmentConfig } from "./types";

/** Every environment the program synthesizes, in deployment order. */
export const environments: readonly EnvironmentConfig[] = [dev, staging, prod];

/** Everything the program synthesizes: the environments, the state bucket and the shared stack's tags. */
export const program = {
  environments,
  stateBucket,
  failoverStateBucket,
  sharedTags: { ...projectTags, Environment: "shared" },
  delivery: deliverySettings,
} as const;
export type * from "./types";
