import { existsSync, rmSync } from "node:fs";
import { App } from "cdktf";
import type { EnvironmentConfig, S3StateConfig } from "../environments/types";
import { validateEnvironments } from "../environments/validate";
import { parseBackendOverride } from "./backend";
import { PlatformStack, platformStackName } from "./platform-stack";
import { STATE_BACKEND_STACK, StateBackendStack } from "./state-backend-stack";

export interface ProgramInput {
  readonly environments: readonly EnvironmentConfig[];
  /** The bucket the bootstrap stack creates. */
  readonly stateBucket: S3StateConfig;
  /** Tags of the shared (non-environment) resources. */
  readonly sharedTags: Readonly<Record<string, string>>;
}

export interface BuildOptions {
  /** @default - `CDKTF_OUTDIR` (set by the cdktf CLI), else `cdktf.out` */
  readonly outdir?: string;
  /** Raw `ECG_TF_BACKEND` value: `s3`, `cloud` or unset. */
  readonly backendOverride?: string;
}

/**
 * Validates every environment, then builds the bootstrap stack and one
 * platform stack per environment. Nothing reaches the output directory from a
 * bad configuration: config errors are thrown before the App exists, and if a
 * construct refuses its props, a directory the App created is removed again.
 */
export function buildApp(input: ProgramInput, options: BuildOptions = {}): App {
  validateEnvironments(input.environments);
  const override = parseBackendOverride(options.backendOverride);
  const outdir = options.outdir ?? process.env.CDKTF_OUTDIR ?? "cdktf.out";
  const outdirExisted = existsSync(outdir);
  const app = new App({ outdir });
  try {
    new StateBackendStack(app, STATE_BACKEND_STACK, { state: input.stateBucket, tags: input.sharedTags });
    for (const config of input.environments) {
      new PlatformStack(app, platformStackName(config), { config, backend: override ?? config.backend.kind });
    }
  } catch (error) {
    if (!outdirExisted) rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
  return app;
}
