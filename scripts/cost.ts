/**
 * `npm run cost -- [--json] [--env NAME] [--plan [STACK=]FILE [[STACK=]AFTER]] ...`
 *
 * Without --plan: every synthesized stack (cdktf.out, after `npm run synth`)
 * priced from pricing/prices.json and each environment's pricing/usage/<env>.json,
 * with line items, totals per stack and per environment, and the design's
 * figures recomputed. `--plan FILE` (repeatable): the monthly change a plan
 * (`terraform show -json`) makes, its prior state against its planned values;
 * `--plan BEFORE AFTER`: the change from one plan's planned values to another's.
 * `STACK=FILE` names the plan's stack, whose construct paths then come from cdktf.out.
 * `--compare BASE`: each environment's month in another synthesis (a pull
 * request's base) against this one's, with the changed line items.
 * Offline: no price is fetched. Exit 2 on unusable arguments or input.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import {
  type CostDelta,
  CostInputError,
  constructPaths,
  costDelta,
  estimateProgram,
  formatDeltas,
  formatReport,
  HOURS_PER_MONTH,
  MissingPriceError,
  noUsage,
  PriceTable,
  PriceTableError,
  parseUsage,
  planSides,
  priceSummary,
  programDelta,
  ScheduleError,
  seedComparison,
  synthesizedInputs,
  UsageError,
  usageOnly,
} from "../modules/cost";
import type { CostReport } from "../modules/cost/report";
import { contextOf, dbIndex } from "../modules/cost/estimate";
import { reportSlow } from "./progress";

interface Arguments {
  readonly json: boolean;
  /** Another synthesis to compare with (a pull request's base): each environment's month, before → after. */
  readonly compare?: string;
  readonly env?: string;
  readonly plans: string[][];
  readonly outdir: string;
  readonly prices: string;
  readonly usageDir: string;
}

function fail(message: string): never {
  console.error(`npm run cost: ${message}`);
  process.exit(2);
}

function parseArguments(argv: readonly string[]): Arguments {
  const args = {
    json: false,
    env: undefined as string | undefined,
    compare: undefined as string | undefined,
    plans: [] as string[][],
    outdir: "cdktf.out",
    prices: "pricing/prices.json",
    usageDir: "pricing/usage",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? fail(`${arg} needs a value`);
    if (arg === "--json") args.json = true;
    else if (arg === "--env") args.env = value();
    else if (arg === "--compare") args.compare = value();
    else if (arg === "--out") args.outdir = value();
    else if (arg === "--prices") args.prices = value();
    else if (arg === "--usage") args.usageDir = value();
    else if (arg === "--plan") {
      const files: string[] = [];
      while (files.length < 2 && argv[i + 1] !== undefined && !argv[i + 1].startsWith("--")) files.push(argv[++i]);
      if (!files.length) fail("--plan needs a plan JSON file (or two: BEFORE AFTER)");
      args.plans.push(files);
    } else
      fail(
        `unknown argument ${arg} (options: --json, --env NAME, --plan FILE [AFTER], --compare DIR, --out DIR, --prices FILE, --usage DIR)`,
      );
  }
  return args;
}

function loadUsage(dir: string) {
  const cache = new Map<string, ReturnType<typeof parseUsage>>();
  return (environment: string) => {
    const file = join(dir, `${environment}.json`);
    if (!cache.has(environment)) {
      if (!existsSync(file)) cache.set(environment, noUsage(`no ${file}: usage 0`));
      else {
        let json: unknown;
        try {
          json = JSON.parse(readFileSync(file, "utf8"));
        } catch (error) {
          throw new UsageError(`${file}: not JSON (${error instanceof Error ? error.message : error})`);
        }
        cache.set(environment, parseUsage(json, file));
      }
    }
    return cache.get(environment) as ReturnType<typeof parseUsage>;
  };
}

function programReport(args: Arguments, prices: PriceTable, usageOf: ReturnType<typeof loadUsage>): CostReport {
  const inputs = synthesizedInputs(args.outdir);
  const estimate = estimateProgram(inputs, prices, usageOf);
  const known = estimate.environments.map((e) => e.name);
  if (args.env !== undefined && !known.includes(args.env))
    fail(`--env ${args.env}: no such environment in ${args.outdir} (known: ${known.join(", ")})`);
  const dbInstance = dbIndex(inputs);
  const fleets = inputs.flatMap((input) => {
    const ctx = contextOf(input, prices, usageOf(input.environmentTag), dbInstance);
    return input.model.ofType("aws_autoscaling_group").map((asg) => ({ ctx, asg }));
  });
  const environments = estimate.environments.filter((e) => args.env === undefined || e.name === args.env);
  const shared = new Set(environments.flatMap((e) => e.shares.map((s) => s.stack)));
  return {
    currency: "USD",
    hoursPerMonth: HOURS_PER_MONTH,
    prices: priceSummary(prices.data),
    environments,
    stacks: estimate.stacks.filter((s) => args.env === undefined || s.environment === args.env || shared.has(s.stack)),
    seed: seedComparison(prices, fleets),
    unclassified: [...new Set(estimate.stacks.flatMap((s) => s.unclassified))].sort(),
  };
}

/** `STACK=FILE` names the plan's stack (its construct paths then come from the synthesized stack); `FILE` alone is named by its file. */
function planFile(arg: string, outdir: string): { stack: string; file: string; paths: Map<string, string> } {
  const at = arg.indexOf("=");
  const [stack, file] = at > 0 ? [arg.slice(0, at), arg.slice(at + 1)] : [basename(arg).replace(/\.json$/, ""), arg];
  const synthesized = join(outdir, "stacks", stack, "cdk.tf.json");
  return { stack, file, paths: existsSync(synthesized) ? constructPaths(JSON.parse(readFileSync(synthesized, "utf8"))) : new Map() };
}

/**
 * The usage keys each synthesized stack carries in its environment's estimate:
 * a plan of one stack is priced with those only (a standby's plan gets none of
 * the primary's traffic). A stack not synthesized here gets none.
 */
function usageKeysByStack(outdir: string, prices: PriceTable, usageOf: ReturnType<typeof loadUsage>): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  if (!existsSync(join(outdir, "stacks"))) return keys;
  for (const stack of estimateProgram(synthesizedInputs(outdir), prices, usageOf).stacks)
    keys.set(stack.stack, new Set(stack.lines.flatMap((l) => (l.pairKey?.startsWith("usage:") ? [l.pairKey.slice("usage:".length)] : []))));
  return keys;
}

function planDeltas(args: Arguments, prices: PriceTable, usageOf: ReturnType<typeof loadUsage>): CostDelta[] {
  const carried = usageKeysByStack(args.outdir, prices, usageOf);
  return args.plans.map((pair) => {
    const [first, second] = pair.map((arg) => planFile(arg, args.outdir));
    const name = [first, second]
      .filter(Boolean)
      .map((p) => basename(p.file))
      .join(" → ");
    // Both sides under the later plan's stack name: their line items pair by stack and address.
    const stack = (second ?? first).stack;
    const sides = planSides(first.file, stack, first.paths);
    const [before, after] = second ? [sides.after, planSides(second.file, stack, second.paths).after] : [sides.before, sides.after];
    return costDelta(name, before, after, prices, usageOnly(usageOf(after.environmentTag), carried.get(stack) ?? new Set()));
  });
}

function main(): void {
  const args = parseArguments(process.argv.slice(2));
  try {
    if (!existsSync(args.prices)) fail(`${args.prices}: no price table`);
    const prices = new PriceTable(JSON.parse(readFileSync(args.prices, "utf8")));
    const usageOf = loadUsage(args.usageDir);
    if (args.plans.length || args.compare) {
      const deltas = (
        args.compare
          ? programDelta(
              estimateProgram(synthesizedInputs(args.compare), prices, usageOf),
              estimateProgram(synthesizedInputs(args.outdir), prices, usageOf),
            )
          : planDeltas(args, prices, usageOf)
      ).filter((d) => args.env === undefined || d.environment === args.env);
      process.stdout.write(args.json ? `${JSON.stringify({ currency: "USD", deltas }, null, 2)}\n` : formatDeltas(deltas));
      return;
    }
    const report = reportSlow(`npm run cost: priced the stacks of ${args.outdir}`, () => programReport(args, prices, usageOf));
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, (env) => usageOf(env).source));
  } catch (error) {
    if (
      error instanceof CostInputError ||
      error instanceof UsageError ||
      error instanceof MissingPriceError ||
      error instanceof PriceTableError ||
      error instanceof ScheduleError
    )
      fail(error.message);
    throw error;
  }
}

main();
