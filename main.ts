import { program } from "./environments";
import { buildApp, synthesize } from "./stacks/app";
import { withoutTokenTraces } from "./stacks/support/cdktf-internals";

try {
  withoutTokenTraces(() => synthesize(buildApp(program, { backendOverride: process.env.ECG_TF_BACKEND })));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
