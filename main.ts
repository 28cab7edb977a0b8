import { program } from "./environments";
import { buildApp, synthesize } from "./stacks/app";
import { withoutTokenTraces } from "./stacks/support/cdktf-internals";
import { formatSynthesisSummary } from "./stacks/support/synthesis-summary";

try {
  const started = performance.now();
  const summary = withoutTokenTraces(() => synthesize(buildApp(program, { backendOverride: process.env.ECG_TF_BACKEND })));
  console.log(formatSynthesisSummary(summary, performance.now() - started));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
