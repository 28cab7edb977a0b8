/**
 * `npm run policy`: the policy pack's report for every stack (findings with
 * rule ID, address, what was found and how to fix it, and every suppression
 * with its reason). Exits 1 when any stack has an error. Synthesizes into a
 * temporary directory: cdktf.out is left as it is.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { program } from "../environments";
import { formatReport, type PolicyReport } from "../modules/policy";
import { buildApp } from "../stacks/app";
import { withoutTokenTraces } from "../stacks/support/cdktf-internals";

const reports: PolicyReport[] = [];
const outdir = mkdtempSync(join(tmpdir(), "ecg-policy-"));
try {
  withoutTokenTraces(() =>
    buildApp(program, {
      outdir,
      backendOverride: process.env.ECG_TF_BACKEND,
      onPolicyReport: (r) => reports.push(r),
      failOnPolicyError: false,
    }).synth(),
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
console.log(reports.map(formatReport).join("\n\n"));
const errors = reports.flatMap((r) => r.findings).filter((f) => f.severity === "error").length;
console.log(`\n${reports.length} stacks, ${errors} error(s)`);
process.exit(errors > 0 ? 1 : 0);
