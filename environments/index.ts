import { dev } from "./dev";
import { access, stateAccount } from "./organization";
import { deliverySettings, failoverStateBucket, projectTags, stateBucket } from "./shared";
import { prod } from "./prod";
import { staging } from "./staging";
import type { EnvironmentConfig } from "./types";

/** Every environment the program synthesizes, in deployment order. */
export const environments: readonly EnvironmentConfig[] = [dev, staging, prod];

/** Everything the program synthesizes: the environments (an account each), the state account and buckets, the access identities, the delivery pipeline and the shared stacks' tags. */
export const program = {
  environments,
  stateBucket,
  failoverStateBucket,
  sharedTags: { ...projectTags, Environment: "shared" },
  delivery: deliverySettings,
  access,
  stateAccount,
} as const;
export type * from "./types";
