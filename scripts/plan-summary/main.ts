/**
 * The plan-summary command line, as a function (cli.ts runs it; tests call
 * it directly):
 *
 *   plan-summary --out comment.md [--commit SHA] [--run-url URL] [--title TEXT] [--cost cost.json] [--paths cdktf.out] [--policy policy.json]
 *                [STACK=plan.json ...] [--text STACK=plan.txt ...] [--error STACK=plan.err ...]
 *
 * `STACK=FILE` is the JSON of `terraform show -json`, `--text` the output of
 * `terraform plan -no-color` (Terraform Cloud), `--error` the stderr of a
 * plan that failed; `--cost` the output of `npm run cost -- --json --compare
 * BASE` (each environment's month before → after); `--paths` the synthesized
 * program (construct paths and components instead of hashed addresses);
 * `--policy` the output of `npm run policy -- --format json` (the findings on
 * the stacks that change). Stacks are rendered in the order given. A plan file that
 * is missing or cannot be read is rendered as a failed stack rather than
 * stopping the comment: one broken stack must not hide the others' plans.
 * Exit 0 once the comment is written, 2 on a usage error.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { type PolicyFindingLine, type RenderOptions, renderComment, type StackPlan } from "./render";
import { synthesizedPaths } from "./paths";
import { summarizePlan, summarizePlanText, withoutColours } from "./summary";

const USAGE =
  "usage: plan-summary --out FILE [--commit SHA] [--run-url URL] [--title TEXT] [--cost FILE] [--paths DIR] [--policy FILE] " +
  "[STACK=plan.json ...] [--text STACK=plan.txt ...] [--error STACK=plan.err ...]";

type InputKind = "json" | "text" | "error";

interface Input {
  readonly stack: string;
  readonly file: string;
  readonly kind: InputKind;
}

export interface Io {
  readonly log: (line: string) => void;
  readonly error: (line: string) => void;
}

const consoleIo: Io = { log: (l) => console.log(l), error: (l) => console.error(l) };

class UsageError extends Error {}

function parsePair(arg: string, kind: InputKind): Input {
  const at = arg.indexOf("=");
  if (at <= 0 || at === arg.length - 1) throw new UsageError(`expected STACK=FILE, got "${arg}"`);
  return { stack: arg.slice(0, at), file: arg.slice(at + 1), kind };
}

function parseArgs(argv: readonly string[]): { out: string; inputs: Input[]; options: RenderOptions } {
  let costFile: string | undefined;
  let out: string | undefined;
  const inputs: Input[] = [];
  const options: { -readonly [K in keyof RenderOptions]: RenderOptions[K] } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === "--out") out = value();
    else if (arg === "--commit") options.commit = value();
    else if (arg === "--run-url") options.runUrl = value();
    else if (arg === "--title") options.title = value();
    else if (arg === "--cost") costFile = value();
    else if (arg === "--paths") options.pathOf = synthesizedPaths(value());
    else if (arg === "--policy") Object.assign(options, readPolicy(value()));
    else if (arg === "--text") inputs.push(parsePair(value(), "text"));
    else if (arg === "--error") inputs.push(parsePair(value(), "error"));
    else if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg}`);
    else inputs.push(parsePair(arg, "json"));
  }
  if (!out) throw new UsageError("--out FILE is required");
  if (inputs.length === 0) throw new UsageError("no stack given");
  const seen = new Set<string>();
  for (const { stack } of inputs) {
    if (seen.has(stack)) throw new UsageError(`stack ${stack} is given twice`);
    seen.add(stack);
  }
  if (costFile !== undefined) Object.assign(options, readCost(costFile));
  return { out, inputs, options };
}

/** The findings of `npm run policy -- --format json`; a file that cannot be read leaves the reason in the comment. */
function readPolicy(file: string): Pick<RenderOptions, "policy" | "policyError"> {
  try {
    const report = JSON.parse(readFileSync(file, "utf8"));
    if (!Array.isArray(report.stacks)) throw new Error("no stacks");
    return {
      policy: (report.stacks as { name: string; findings: PolicyFindingLine[] }[]).map((s) => ({ stack: s.name, findings: s.findings })),
    };
  } catch (error) {
    return { policyError: `${file} is not the output of npm run policy -- --format json (${(error as Error)?.message ?? error})` };
  }
}

/** The cost deltas of `npm run cost -- --json --compare BASE`; a file that cannot be read leaves the reason in the comment. */
function readCost(file: string): Pick<RenderOptions, "cost" | "costError"> {
  if (!existsSync(file)) {
    // The estimate step leaves its errors beside the file it did not write (plan.yml).
    const errors = file.replace(/\.json$/, ".err");
    const last = existsSync(errors) ? withoutColours(readFileSync(errors, "utf8")).trim().split("\n").pop() : undefined;
    return {
      costError: `no estimate at ${file}: the estimate step failed${last ? ` (${last.slice(0, 300)})` : ""} (see the workflow run)`,
    };
  }
  try {
    const deltas = JSON.parse(readFileSync(file, "utf8")).deltas;
    if (!Array.isArray(deltas)) throw new Error("no deltas (expected the output of npm run cost -- --json --compare BASE)");
    return { cost: deltas };
  } catch (error) {
    return { costError: `${file}: ${(error as Error)?.message ?? String(error)}` };
  }
}

/** One stack's entry from its file; every failure becomes a failed stack. */
function readStackPlan(input: Input): StackPlan {
  const { stack, file, kind } = input;
  if (!existsSync(file)) {
    const what = kind === "error" ? "error output" : "plan output";
    return { stack, error: `No ${what} at ${file}: the plan job did not get as far as writing it (see the workflow run).` };
  }
  const text = readFileSync(file, "utf8");
  if (kind === "error") return { stack, error: text };
  try {
    return { stack, summary: kind === "json" ? summarizePlan(JSON.parse(text)) : summarizePlanText(text) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // The text of a failed plan ends with Terraform's errors: show its end.
    return { stack, error: `Cannot summarize ${file}: ${reason}${kind === "text" ? `\n\n${text.slice(-2_000)}` : ""}` };
  }
}

/** Runs the command; returns the exit code. */
export function main(argv: readonly string[], io: Io = consoleIo): number {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.error(`plan-summary: ${error.message}\n${USAGE}`);
    return 2;
  }
  const plans = parsed.inputs.map(readStackPlan);
  const comment = renderComment(plans, parsed.options);
  writeFileSync(parsed.out, comment);
  const failed = plans.filter((p) => !p.summary || p.summary.errored).map((p) => p.stack);
  io.log(
    `${parsed.out}: ${plans.length} stack(s), ${comment.length} characters, ${failed.length ? `failed: ${failed.join(", ")}` : "no failed plan"}`,
  );
  return 0;
}
