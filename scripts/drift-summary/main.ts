/**
 * The drift-summary command line (drift.yml runs it after a refresh-only plan
 * found drift; cli.ts runs it, tests call it):
 *
 *   drift-summary --stack STACK --plan drift.json --out drift.md [--result FILE] [--paths cdktf.out] [--commit SHA] [--run-url URL]
 *
 * `--plan` is `terraform show -json` of the refresh-only plan; `--result`
 * gets `drift` when a resource drifted (drift.md is then the issue's body),
 * `clean` when the refresh found only values the configuration does not set.
 * Exit 0 once written, 2 on a usage error or a file that is not a plan.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { synthesizedPaths } from "../plan-summary/paths";
import { summarizeDrift } from "./drift";
import { type DriftRenderOptions, renderDriftIssue } from "./render";

const USAGE = "usage: drift-summary --stack STACK --plan FILE --out FILE [--result FILE] [--paths DIR] [--commit SHA] [--run-url URL]";

export function main(argv: readonly string[], io = { log: console.log, error: console.error }, now = () => new Date()): number {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!["--stack", "--plan", "--out", "--result", "--paths", "--commit", "--run-url"].includes(flag) || value === undefined) {
      io.error(`drift-summary: ${value === undefined ? `${flag} needs a value` : `unknown option ${flag}`}\n${USAGE}`);
      return 2;
    }
    values[flag.slice(2)] = value;
  }
  const missing = ["stack", "plan", "out"].filter((key) => !values[key]);
  if (missing.length) {
    io.error(`drift-summary: ${missing.map((key) => `--${key}`).join(", ")} required\n${USAGE}`);
    return 2;
  }
  let drift: ReturnType<typeof summarizeDrift>;
  try {
    drift = summarizeDrift(JSON.parse(readFileSync(values.plan, "utf8")));
  } catch (error) {
    io.error(`drift-summary: ${values.plan}: ${(error as Error).message}`);
    return 2;
  }
  const options: DriftRenderOptions = {
    pathOf: values.paths ? synthesizedPaths(values.paths) : undefined,
    commit: values.commit,
    runUrl: values["run-url"],
    checkedAt: now()
      .toISOString()
      .replace(/\.\d+Z$/, "Z"),
  };
  const body = renderDriftIssue(values.stack, drift, options);
  writeFileSync(values.out, body);
  const result = drift.resources.length ? "drift" : "clean";
  if (values.result) writeFileSync(values.result, `${result}\n`);
  io.log(
    `${values.out}: ${values.stack}: ${result}, ${drift.resources.length} drifted resource(s), ${drift.refreshedOnly.length} with computed values refreshed, ${body.length} characters`,
  );
  return 0;
}
