/**
 * `npm run policy -- [path ...] [--production] [--format text|json|sarif] [--rules]`
 *
 * Without a path: the report for every stack of this program (synthesized into a
 * temporary directory; cdktf.out is left as it is), each stack with its own
 * production setting. With paths: each `*.tf.json` configuration, plan JSON
 * (`terraform show -json plan.tfplan`) or folder of them, written by anyone;
 * `--production` switches the production-only rules on for those. `--rules` lists
 * the rules (`--rules --format markdown`: the table of docs/policy.md). Exits 1 when
 * any finding is an error, 2 on unusable arguments or input.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ALL_RULES, formatReport, type PolicyReport } from "../modules/policy";
import { jsonReport, type Locate, sarifReport } from "../modules/policy/formats";
import { lineFinder, loadInputs, PolicyInputError } from "../modules/policy/inputs";
import { evaluateModel } from "../modules/policy/engine";
import { formatRules, rulesMarkdown } from "../modules/policy/rule-list";
import { reportSlow } from "./progress";

const FORMATS = ["text", "json", "sarif", "markdown"] as const;
type Format = (typeof FORMATS)[number];

interface Arguments {
  readonly paths: string[];
  readonly production: boolean;
  readonly format: Format;
  readonly listRules: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  const paths: string[] = [];
  let production = false;
  let format: Format = "text";
  let listRules = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--production") production = true;
    else if (arg === "--rules") listRules = true;
    else if (arg === "--format" || arg.startsWith("--format=")) {
      const value = arg.includes("=") ? arg.slice("--format=".length) : argv[++i];
      if (!FORMATS.includes(value as Format)) fail(`--format ${value ?? "(missing)"}: use one of ${FORMATS.join(", ")}`);
      format = value as Format;
    } else if (arg.startsWith("--"))
      fail(`unknown option ${arg} (options: --production, --format text|json|sarif, --rules [--format markdown])`);
    else paths.push(arg);
  }
  if (format === "markdown" && !listRules) fail("--format markdown is for --rules (the rule table of docs/policy.md)");
  return { paths, production, format, listRules };
}

function fail(message: string): never {
  console.error(`npm run policy: ${message}`);
  process.exit(2);
}

/** Reports and where their findings are, for this program's own stacks (cdktf is loaded only for them). */
async function programReports(): Promise<{ reports: PolicyReport[]; locate: Locate }> {
  const [{ program }, { buildApp }, { withoutTokenTraces }] = await Promise.all([
    import("../environments"),
    import("../stacks/app"),
    import("../stacks/support/cdktf-internals"),
  ]);
  const reports: PolicyReport[] = [];
  const outdir = mkdtempSync(join(tmpdir(), "ecg-policy-"));
  const finders = new Map<string, (address: string) => number>();
  let failure: string | undefined;
  try {
    reportSlow("npm run policy: synthesized the program and checked every stack", () =>
      withoutTokenTraces(() =>
        buildApp(program, {
          outdir,
          backendOverride: process.env.ECG_TF_BACKEND,
          onPolicyReport: (r) => reports.push(r),
          failOnPolicyError: false,
        }).synth(),
      ),
    );
    for (const { stack } of reports) {
      const file = join(outdir, "stacks", stack, "cdk.tf.json");
      if (existsSync(file)) finders.set(stack, lineFinder(readFileSync(file, "utf8")));
    }
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  if (failure !== undefined) fail(failure);
  // `npm run synth` writes the same JSON to cdktf.out/stacks/<stack>/cdk.tf.json.
  const locate: Locate = (report, finding) => ({
    uri: `cdktf.out/stacks/${report.stack}/cdk.tf.json`,
    line: Math.max(1, finders.get(report.stack)?.(finding.address) ?? 1),
  });
  return { reports, locate };
}

function fileReports(paths: readonly string[], production: boolean): { reports: PolicyReport[]; locate: Locate } {
  const reports: PolicyReport[] = [];
  const inputs = new Map<PolicyReport, ReturnType<typeof loadInputs>[number]>();
  for (const path of paths) {
    let loaded: ReturnType<typeof loadInputs>;
    try {
      loaded = loadInputs(path, production);
    } catch (error) {
      if (error instanceof PolicyInputError) fail(error.message);
      throw error;
    }
    for (const input of loaded) {
      const report = evaluateModel(input.model, { rules: ALL_RULES, production });
      reports.push(report);
      inputs.set(report, input);
    }
  }
  const locate: Locate = (report, finding) => {
    const input = inputs.get(report);
    if (!input) return { uri: report.stack, line: 1 };
    // Relative to the working directory, as code scanning resolves it against the checkout.
    return { uri: relative(process.cwd(), input.fileOf(finding.address)).split("\\").join("/"), line: input.lineOf(finding.address) };
  };
  return { reports, locate };
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  if (args.listRules) {
    console.log(args.format === "markdown" ? rulesMarkdown(ALL_RULES) : formatRules(ALL_RULES));
    return 0;
  }
  const { reports, locate } = args.paths.length ? fileReports(args.paths, args.production) : await programReports();
  const errors = reports.flatMap((r) => r.findings).filter((f) => f.severity === "error").length;
  if (args.format === "json") console.log(JSON.stringify(jsonReport(reports, locate), null, 2));
  else if (args.format === "sarif") {
    // Bundled into dist/: the project's package.json is one folder up.
    const { version } = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8"));
    console.log(JSON.stringify(sarifReport(reports, ALL_RULES, locate, version), null, 2));
  } else {
    console.log(reports.map(formatReport).join("\n\n"));
    console.log(`\n${reports.length} ${args.paths.length ? "input(s)" : "stacks"}, ${errors} error(s)`);
  }
  return errors > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)),
);
