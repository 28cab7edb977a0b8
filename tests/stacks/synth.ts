import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { App } from "cdktf";
import { program } from "../../environments";
import { buildApp, type ProgramInput, synthesize } from "../../stacks/app";
import { withoutTokenTraces } from "../../stacks/token-traces";
import type { PolicyReport } from "../../modules/policy";
import type { SynthesizedStack } from "../helpers";

export interface SynthesizedProgram {
  readonly app: App;
  readonly outdir: string;
  /** Stack name → its cdk.tf.json, as written to disk. */
  readonly stacks: Record<string, SynthesizedStack>;
  /** The policy pack's report per stack, from this synthesis. */
  readonly policy: Record<string, PolicyReport>;
}

/** Runs the program as `main.ts` does, into a temporary directory, and reads what it wrote. */
export function synthProgram(backendOverride?: string, input: ProgramInput = program): SynthesizedProgram {
  const outdir = mkdtempSync(join(tmpdir(), "ecg-stacks-"));
  const policy: Record<string, PolicyReport> = {};
  const app = withoutTokenTraces(() => {
    const built = buildApp(input, { outdir, backendOverride, onPolicyReport: (report) => (policy[report.stack] = report) });
    synthesize(built);
    return built;
  });
  const stacks = Object.fromEntries(
    readdirSync(join(outdir, "stacks")).map((name) => [
      name,
      JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8")) as SynthesizedStack,
    ]),
  );
  return { app, outdir, stacks, policy };
}
