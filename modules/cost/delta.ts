import { budgetLimit, dbIndex, estimateGroup, type Totals, totalsOf } from "./estimate";
import type { CostInput } from "./inputs";
import type { LineItem } from "./line-items";
import { cents } from "./money";
import type { PriceTable } from "./prices";
import { type ProgramEstimate, SHARED } from "./program";
import type { Usage } from "./usage";

/** One line item's change between two sides. */
interface LineChange {
  readonly address: string;
  readonly path: string;
  readonly component: string;
  readonly what: string;
  readonly beforeUsd: number;
  readonly afterUsd: number;
  readonly deltaUsd: number;
}

export interface CostDelta {
  /** What the delta is of: a plan file, or `before → after`. */
  readonly name: string;
  readonly stack: string;
  readonly environment: string;
  readonly before: Totals;
  readonly after: Totals;
  readonly deltaMonthlyUsd: number;
  readonly monthlyBudgetUsd?: number;
  /** The stack's monthly cost after the change is above the environment's budget. */
  readonly overBudget: boolean;
  /** Every changed line, the largest change first. */
  readonly changes: readonly LineChange[];
}

const keyOf = (l: LineItem) =>
  l.pairKey ? `${l.stack}|${l.pairKey}` : `${l.stack}|${l.address}|${l.unit}|${l.prices.join("+")}|${l.basis}`;

/** The monthly cost `after` makes compared with `before` (two sides of one plan, or two plans of one stack). */
export function costDelta(name: string, before: CostInput, after: CostInput, prices: PriceTable, usage: Usage): CostDelta {
  const price = (input: CostInput) => estimateGroup(input.environmentTag, [input], prices, usage, dbIndex([before, after]))[0].lines;
  return linesDelta(
    { name, stack: after.stack, environment: after.environmentTag, monthlyBudgetUsd: budgetLimit([after]) },
    price(before),
    price(after),
  );
}

/** The change between two sets of line items (of one stack, or one environment's stacks). */
function linesDelta(
  of: { readonly name: string; readonly stack: string; readonly environment: string; readonly monthlyBudgetUsd?: number },
  was: readonly LineItem[],
  will: readonly LineItem[],
): CostDelta {
  const byKey = new Map<string, { before?: LineItem; after?: LineItem }>();
  for (const l of was) byKey.set(keyOf(l), { before: l });
  for (const l of will) byKey.set(keyOf(l), { ...byKey.get(keyOf(l)), after: l });
  const changes = [...byKey.values()]
    .map(({ before: b, after: a }) => {
      const line = (a ?? b) as LineItem;
      const beforeUsd = b?.monthlyUsd ?? 0;
      const afterUsd = a?.monthlyUsd ?? 0;
      return {
        address: line.address,
        path: line.path,
        component: line.component,
        what: line.what,
        beforeUsd,
        afterUsd,
        deltaUsd: cents(afterUsd - beforeUsd),
      };
    })
    .filter((c) => c.deltaUsd !== 0)
    .sort((x, y) => Math.abs(y.deltaUsd) - Math.abs(x.deltaUsd) || x.address.localeCompare(y.address));
  const beforeTotals = totalsOf(was);
  const afterTotals = totalsOf(will);
  const { name, stack, environment, monthlyBudgetUsd } = of;
  return {
    name,
    stack,
    environment,
    before: beforeTotals,
    after: afterTotals,
    deltaMonthlyUsd: cents(afterTotals.monthlyUsd - beforeTotals.monthlyUsd),
    ...(monthlyBudgetUsd === undefined ? {} : { monthlyBudgetUsd }),
    overBudget: monthlyBudgetUsd !== undefined && afterTotals.monthlyUsd > monthlyBudgetUsd,
    changes,
  };
}

/**
 * What a change of the program does to each environment's month: the same
 * environment's own stacks priced in two syntheses (a pull request's base and
 * head), and the shared stacks as one more entry.
 */
export function programDelta(before: ProgramEstimate, after: ProgramEstimate): CostDelta[] {
  const names = [...new Set([...after.environments, ...before.environments].map((e) => e.name)), SHARED];
  return names.map((name) => {
    const lines = (p: ProgramEstimate) => p.stacks.filter((s) => s.environment === name).flatMap((s) => s.lines);
    const stacks = [...new Set([...before.stacks, ...after.stacks].filter((s) => s.environment === name).map((s) => s.stack))];
    const monthlyBudgetUsd = after.environments.find((e) => e.name === name)?.monthlyBudgetUsd;
    return linesDelta({ name, stack: stacks.join(", "), environment: name, monthlyBudgetUsd }, lines(before), lines(after));
  });
}
