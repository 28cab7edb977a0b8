import { dev } from "./dev";
import { prod } from "./prod";
import { staging } from "./staging";
import type { EnvironmentConfig } from "./types";

/** Every environment the program synthesizes, in deployment order. */
export const environments: readonly EnvironmentConfig[] = [dev, staging, prod];

export { stateBucket } from "./shared";
export type * from "./types";
