import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { App } from "cdktf";
import { program } from "../../environments";
import { buildApp, type ProgramInput, synthesize } from "../../stacks/app";
import { readSynthesizedStacks } from "../../modules/policy/program-checks";
import type { PolicyReport } from "../../modules/policy";
import type { SynthesizedStack } from "../helpers";
import { singleAccountProgram } from "./layouts";

export interface SynthesizedProgram {
  /** The program's App (built again on first use when the synthesis was shared). */
  readonly app: App;
  readonly outdir: string;
  /** Stack name → its cdk.tf.json, as written to disk. */
  readonly stacks: Record<string, SynthesizedStack>;
  /** The policy pack's report per stack, from this synthesis. */
  readonly policy: Record<string, PolicyReport>;
}

/**
 * A folder of this test run (tests/global-setup.ts) where the first test file
 * that needs the shipped program synthesizes it; the others read it instead
 * of synthesizing it again each (jest's module registry is per file, so
 * nothing else can be shared between files).
 */
const SHARED_SYNTH_VARIABLE = "ECG_TEST_SHARED_SYNTH";
const POLICY_FILE = "policy-reports.json";
const WAIT_MS = 50;
const WAIT_LIMIT_MS = 60_000;

/** Synthesizes `input` as `main.ts` does into `outdir` and writes the policy reports beside the stacks. */
function synthInto(
  outdir: string,
  backendOverride?: string,
  input: ProgramInput = program,
): { app: App; policy: Record<string, PolicyReport> } {
  const policy: Record<string, PolicyReport> = {};
  // cdktf's token traces are off for the whole test run (tests/setup.ts).
  const app = buildApp(input, { outdir, backendOverride, onPolicyReport: (report) => (policy[report.stack] = report) });
  synthesize(app);
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, POLICY_FILE), JSON.stringify(policy));
  return { app, policy };
}

const readStacks = (outdir: string) =>
  readSynthesizedStacks(outdir, readdirSync(join(outdir, "stacks"))) as Record<string, SynthesizedStack>;

/** The inputs synthesized once per test run: the shipped program and its single-account layout. */
const SHARED_INPUTS = { shipped: program, single: singleAccountProgram } as const;
type SharedLayout = keyof typeof SHARED_INPUTS;

/**
 * The run's shared synthesis of a layout: made by the first caller
 * (mkdir of the lock is atomic), waited for by the others.
 */
function sharedSynthesis(root: string, layout: SharedLayout): string {
  const outdir = join(root, layout);
  const done = join(outdir, POLICY_FILE);
  try {
    mkdirSync(join(root, `${layout}.lock`));
    synthInto(outdir, undefined, SHARED_INPUTS[layout]);
    return outdir;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; !existsSync(done); waited += WAIT_MS) {
    if (waited > WAIT_LIMIT_MS)
      throw new Error(`the shared synthesis in ${root} did not finish within ${WAIT_LIMIT_MS / 1000} s (did its first caller fail?)`);
    Atomics.wait(sleeper, 0, 0, WAIT_MS);
  }
  return outdir;
}

/**
 * Runs the program as `main.ts` does, into a temporary directory, and reads
 * what it wrote. Either layout with its own backends comes from the run's
 * shared synthesis when there is one.
 */
export function synthProgram(backendOverride?: string, input: ProgramInput = program): SynthesizedProgram {
  const root = process.env[SHARED_SYNTH_VARIABLE];
  const layout = (Object.keys(SHARED_INPUTS) as SharedLayout[]).find((key) => SHARED_INPUTS[key] === input);
  if (backendOverride === undefined && layout && root) {
    const shared = sharedSynthesis(root, layout);
    let app: App | undefined;
    return {
      get app() {
        app ??= buildApp(input, { outdir: mkdtempSync(join(tmpdir(), "ecg-stacks-")) });
        return app;
      },
      outdir: shared,
      stacks: readStacks(shared),
      policy: JSON.parse(readFileSync(join(shared, POLICY_FILE), "utf8")),
    };
  }
  const outdir = mkdtempSync(join(tmpdir(), "ecg-stacks-"));
  const { app, policy } = synthInto(outdir, backendOverride, input);
  return { app, outdir, stacks: readStacks(outdir), policy };
}
