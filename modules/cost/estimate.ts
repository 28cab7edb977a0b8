import type { ResourceView } from "../policy/model";
import { CATALOG, customMetricLines } from "./catalog";
import type { CostInput } from "./inputs";
import { HOURS_PER_MONTH, type LineItem, type PricingContext } from "./line-items";
import { cents } from "./money";
import type { PriceTable } from "./prices";
import type { Usage } from "./usage";
import { usageLines } from "./usage-lines";

/** What a set of line items adds up to. */
export interface Totals {
  readonly hourlyUsd: number;
  readonly monthlyUsd: number;
  /** Every fleet and scaling service at its maximum all month. */
  readonly maxMonthlyUsd: number;
  /** The part from the usage file. */
  readonly usageMonthlyUsd: number;
  /** The part resting on unverified prices. */
  readonly unverifiedMonthlyUsd: number;
}

export interface StackEstimate extends Totals {
  readonly stack: string;
  /** The environment it is counted in, or `shared`. */
  readonly environment: string;
  readonly lines: readonly LineItem[];
  /** Usage-based types no usage key prices: what they cost with, and how many there are. */
  readonly notEstimated: readonly { readonly type: string; readonly count: number; readonly costs: string }[];
  /** Types the catalog does not know: a test keeps this empty. */
  readonly unclassified: readonly string[];
}

export function totalsOf(lines: readonly LineItem[], share = 1): Totals {
  const sum = (pick: (l: LineItem) => number) => cents(lines.reduce((s, l) => s + pick(l), 0) * share);
  const monthlyUsd = sum((l) => l.monthlyUsd);
  return {
    hourlyUsd: Math.round((monthlyUsd / HOURS_PER_MONTH) * 1e4) / 1e4,
    monthlyUsd,
    maxMonthlyUsd: sum((l) => l.maxMonthlyUsd),
    usageMonthlyUsd: sum((l) => (l.basis === "usage" ? l.monthlyUsd : 0)),
    unverifiedMonthlyUsd: sum((l) => l.unverifiedMonthlyUsd),
  };
}

/** The monthly limit of the AWS Budgets budgets of some stacks (one per environment), when they have any. */
export function budgetLimit(inputs: readonly CostInput[]): number | undefined {
  const limits = inputs
    .flatMap((i) => i.model.ofType("aws_budgets_budget"))
    .map((b) => Number(b.config.limit_amount))
    .filter(Number.isFinite);
  return limits.length ? limits.reduce((a, b) => a + b, 0) : undefined;
}

/** DB instances of every input by literal identifier: a replica's source may live in another stack. */
export function dbIndex(inputs: readonly CostInput[]): (identifier: string) => ResourceView | undefined {
  const byIdentifier = new Map<string, ResourceView>();
  for (const input of inputs)
    for (const db of input.model.ofType("aws_db_instance"))
      if (typeof db.config.identifier === "string" && !db.config.identifier.includes("${")) byIdentifier.set(db.config.identifier, db);
  return (identifier) => byIdentifier.get(identifier);
}

export const contextOf = (
  input: CostInput,
  prices: PriceTable,
  usage: Usage,
  dbInstance: PricingContext["dbInstance"],
): PricingContext => ({
  stack: input.stack,
  model: input.model,
  prices,
  usage,
  regionOf: input.regionOf,
  dbInstance,
});

/** The deployed (not usage-based) line items of one stack, and what the catalog cannot price. */
function deployedLines(ctx: PricingContext): Pick<StackEstimate, "lines" | "notEstimated" | "unclassified"> {
  const lines: LineItem[] = [];
  const notEstimated = new Map<string, { type: string; count: number; costs: string }>();
  const unclassified = new Set<string>();
  for (const view of ctx.model.resources) {
    const entry = CATALOG[view.type];
    if (!entry) unclassified.add(view.type);
    else if (entry.kind === "priced") lines.push(...entry.price(ctx, view));
    else if (entry.kind === "usage") {
      const seen = notEstimated.get(view.type) ?? { type: view.type, count: 0, costs: entry.costs };
      notEstimated.set(view.type, { ...seen, count: seen.count + 1 });
    }
  }
  lines.push(...customMetricLines(ctx));
  return { lines, notEstimated: [...notEstimated.values()], unclassified: [...unclassified].sort() };
}

/**
 * The stacks of one environment (or the shared ones), priced: each stack's
 * deployed lines, and the environment's usage on the first of its stacks
 * (in the order given) that holds what a usage key prices.
 */
export function estimateGroup(
  environment: string,
  inputs: readonly CostInput[],
  prices: PriceTable,
  usage: Usage,
  dbInstance: PricingContext["dbInstance"],
): StackEstimate[] {
  const contexts = inputs.map((input) => contextOf(input, prices, usage, dbInstance));
  const homes = new Map(contexts.map((ctx, i) => [ctx, inputs[i].homeRegion]));
  const usageByStack = new Map<string, LineItem[]>();
  for (const line of usageLines(contexts, (ctx) => homes.get(ctx) ?? ""))
    usageByStack.set(line.stack, [...(usageByStack.get(line.stack) ?? []), line]);
  return contexts.map((ctx) => {
    const deployed = deployedLines(ctx);
    const lines = [...deployed.lines, ...(usageByStack.get(ctx.stack) ?? [])];
    return { stack: ctx.stack, environment, ...deployed, lines, ...totalsOf(lines) };
  });
}
