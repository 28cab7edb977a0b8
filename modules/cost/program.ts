import { budgetLimit, dbIndex, type StackEstimate, estimateGroup, type Totals, totalsOf } from "./estimate";
import type { CostInput } from "./inputs";
import type { PriceTable } from "./prices";
import type { Usage } from "./usage";

/** The stacks no single environment owns (state, delivery): split evenly over the environments. */
export const SHARED = "shared";

export interface EnvironmentEstimate extends Totals {
  readonly name: string;
  /** Its own stacks: tagged with it, or in its account only. */
  readonly stacks: readonly string[];
  /** The shared stacks it carries a share of, and the share. */
  readonly shares: readonly { readonly stack: string; readonly fraction: number }[];
  /** Its own stacks' month: what its account's budget sees (the shared stacks are billed to the tooling account). */
  readonly ownMonthlyUsd: number;
  /** The limit of its AWS Budgets budget, when it has one. */
  readonly monthlyBudgetUsd?: number;
  /** Its own stacks' month is above the budget. */
  readonly overBudget: boolean;
}

export interface ProgramEstimate {
  readonly stacks: readonly StackEstimate[];
  readonly environments: readonly EnvironmentEstimate[];
}

/**
 * Which environment a stack is counted in: its `Environment` tag, or, for a
 * stack tagged `shared`, the one environment whose account it acts in (an
 * account stack, an access stack); otherwise it is shared.
 */
function attribute(inputs: readonly CostInput[]): Map<string, string> {
  const environments = new Set(inputs.map((i) => i.environmentTag).filter((t) => t !== SHARED && t !== "unknown"));
  const accountsOf = new Map<string, Set<string>>();
  for (const input of inputs)
    if (environments.has(input.environmentTag))
      for (const account of input.accounts) accountsOf.set(account, (accountsOf.get(account) ?? new Set()).add(input.environmentTag));
  return new Map(
    inputs.map((input) => {
      if (environments.has(input.environmentTag)) return [input.stack, input.environmentTag];
      const owners = new Set(input.accounts.flatMap((a) => [...(accountsOf.get(a) ?? [])]));
      return [input.stack, owners.size === 1 ? [...owners][0] : SHARED];
    }),
  );
}

/** Environment-tagged stacks first (by name: `ecg-prod` before its standby), then the rest. */
const primaryFirst = (environment: string) => (a: CostInput, b: CostInput) =>
  Number(b.environmentTag === environment) - Number(a.environmentTag === environment) || a.stack.localeCompare(b.stack);

/** Every stack and environment of a synthesized program, priced. */
export function estimateProgram(
  inputs: readonly CostInput[],
  prices: PriceTable,
  usageOf: (environment: string) => Usage,
): ProgramEstimate {
  const owner = attribute(inputs);
  const dbInstance = dbIndex(inputs);
  const groups = new Map<string, CostInput[]>();
  for (const input of inputs) {
    const name = owner.get(input.stack) ?? SHARED;
    groups.set(name, [...(groups.get(name) ?? []), input]);
  }
  const stacks = [...groups].flatMap(([name, members]) =>
    estimateGroup(name, [...members].sort(primaryFirst(name)), prices, name === SHARED ? usageOf(SHARED) : usageOf(name), dbInstance),
  );
  const shared = stacks.filter((s) => s.environment === SHARED);
  const names = [...groups.keys()].filter((n) => n !== SHARED);
  const environments = names.map((name) => {
    const own = stacks.filter((s) => s.environment === name);
    const fraction = 1 / names.length;
    const lines = [...own.flatMap((s) => s.lines)];
    const ownTotals = totalsOf(lines);
    const sharedTotals = totalsOf(
      shared.flatMap((s) => s.lines),
      fraction,
    );
    const add = (key: keyof Totals) => Math.round((ownTotals[key] + sharedTotals[key]) * 1e4) / 1e4;
    const monthlyBudgetUsd = budgetLimit(groups.get(name) ?? []);
    const monthlyUsd = add("monthlyUsd");
    return {
      name,
      stacks: own.map((s) => s.stack),
      shares: shared.map((s) => ({ stack: s.stack, fraction })),
      hourlyUsd: add("hourlyUsd"),
      monthlyUsd,
      maxMonthlyUsd: add("maxMonthlyUsd"),
      usageMonthlyUsd: add("usageMonthlyUsd"),
      unverifiedMonthlyUsd: add("unverifiedMonthlyUsd"),
      ownMonthlyUsd: ownTotals.monthlyUsd,
      ...(monthlyBudgetUsd === undefined ? {} : { monthlyBudgetUsd }),
      overBudget: monthlyBudgetUsd !== undefined && ownTotals.monthlyUsd > monthlyBudgetUsd,
    };
  });
  return { stacks, environments };
}
