import type { CostDelta } from "./delta";
import type { StackEstimate, Totals } from "./estimate";
import { COMPONENTS, type LineItem } from "./line-items";
import { signedUsd, usd } from "./money";
import type { PriceTableData } from "./prices";
import type { EnvironmentEstimate } from "./program";
import type { SeedComparison } from "./seed";

/** What `npm run cost -- --json` prints. */
export interface CostReport {
  readonly currency: "USD";
  readonly hoursPerMonth: number;
  readonly prices: { readonly entries: number; readonly unverified: number; readonly oldestAsOf: string; readonly newestAsOf: string };
  readonly environments: readonly EnvironmentEstimate[];
  readonly stacks: readonly StackEstimate[];
  readonly seed: SeedComparison;
  /** Resource types the catalog does not classify (a test keeps it empty). */
  readonly unclassified: readonly string[];
}

export function priceSummary(table: PriceTableData): CostReport["prices"] {
  const dates = table.prices.map((p) => p.asOf).sort();
  return {
    entries: table.prices.length,
    unverified: table.prices.filter((p) => p.verification.status === "unverified").length,
    oldestAsOf: dates[0] ?? "",
    newestAsOf: dates[dates.length - 1] ?? "",
  };
}

const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 100)} %` : "0 %");
/** A unit price with the digits it has: $0.0225, $0.005, $1.4476. */
const unitPrice = (value: number) =>
  `$${value >= 1 ? value.toFixed(value % 1 ? 4 : 2).replace(/(\.\d\d\d*?)0+$/, "$1") : Number(value.toPrecision(4)).toString()}`;
const number = (value: number) => value.toLocaleString("en-US", { maximumFractionDigits: 4 });

const totalsLine = (t: Totals) =>
  `${usd(t.monthlyUsd)}/month (${usd(t.hourlyUsd)}/hour); ${usd(t.maxMonthlyUsd)} with every fleet and service at its maximum`;

function lineText(l: LineItem): string {
  const flag = l.unverifiedMonthlyUsd > 0 ? " *" : "";
  const range = l.maxMonthlyUsd !== l.monthlyUsd ? ` (max ${usd(l.maxMonthlyUsd)})` : "";
  const note = l.note ? `\n              ${l.note}` : "";
  return `      ${usd(l.monthlyUsd).padStart(11)}${range}  ${l.what}: ${number(l.quantity)} ${l.unit} × ${unitPrice(l.unitUsd)} [${l.region}]${flag}\n              ${l.path} (${l.address})${note}`;
}

function stackText(s: StackEstimate): string[] {
  const out = [`  ${s.stack}: ${totalsLine(s)}`];
  const deployed = s.lines.filter((l) => l.basis === "deployed" && l.monthlyUsd + l.maxMonthlyUsd > 0);
  for (const component of COMPONENTS) {
    const lines = deployed.filter((l) => l.component === component);
    if (!lines.length) continue;
    out.push(`    ${component}: ${usd(lines.reduce((sum, l) => sum + l.monthlyUsd, 0))}`, ...lines.map(lineText));
  }
  const usage = s.lines.filter((l) => l.basis === "usage");
  if (usage.length) out.push(`    usage-based (assumed): ${usd(s.usageMonthlyUsd)}`, ...usage.map(lineText));
  if (s.notEstimated.length)
    out.push(
      `    not estimated (usage-based, no usage key): ${s.notEstimated.map((n) => `${n.type} ×${n.count} (${n.costs})`).join("; ")}`,
    );
  return out;
}

function seedText(seed: SeedComparison): string[] {
  const out = [`The design's figures (COST-4, COST-1) at today's ${seed.region} prices`];
  for (const p of seed.phases)
    out.push(
      `  ${p.phase}: ${p.hosts} × ${p.type} (${p.jobs} jobs): the design says ${usd(p.designUnitUsd)}/h each, ${usd(p.designHourlyUsd)}/h; the table says ${usd(p.todayUnitUsd)}/h each, ${usd(p.todayHourlyUsd)}/h (${p.price}, ${p.verification})`,
    );
  out.push(
    `  Phase 2 saves ${seed.designSavingPercent} % by the design's figures, ${seed.todaySavingPercent} % at the table's: both prices differ from the design's (its per-host figures are not Seoul's On-Demand list prices).`,
    `  Spot: the design says up to ${Math.round(seed.spot.designSaving * 100)} % cheaper; the table assumes ${Math.round(seed.spot.tableSaving * 100)} % (${seed.spot.restsOn}).`,
  );
  for (const f of seed.fleets)
    out.push(
      `  ${f.path} (${f.type}): ${usd(f.peak.hourlyUsd)}/h at its highest scheduled minimum (${f.peak.hosts} hosts), ${usd(f.low.hourlyUsd)}/h at its lowest (${f.low.hosts})`,
    );
  return out;
}

export function formatReport(report: CostReport, usageSources: (environment: string) => string): string {
  const p = report.prices;
  const out = [
    `Cost estimate in USD, ${report.hoursPerMonth} hours a month: ${p.entries} prices of pricing/prices.json (as of ${p.oldestAsOf} to ${p.newestAsOf}), ${p.unverified} of them unverified (*).`,
    "Fleets at their scheduled minimums, Fargate services at their minimum tasks; free tiers are not deducted.",
    "",
  ];
  for (const e of report.environments) {
    const budget =
      e.monthlyBudgetUsd === undefined
        ? "no budget"
        : `budget ${usd(e.monthlyBudgetUsd)}: its own stacks ${usd(e.ownMonthlyUsd)} (${percent(e.ownMonthlyUsd, e.monthlyBudgetUsd)})${e.overBudget ? " OVER BUDGET" : ""}`;
    const shares = e.shares.map((s) => `${number(s.fraction)} of ${s.stack}`).join(", ");
    out.push(
      `== ${e.name}: ${totalsLine(e)}; ${budget}`,
      `   its stacks: ${e.stacks.join(", ")}${shares ? `; its share of the shared stacks: ${shares}` : ""}`,
      `   usage-based ${usd(e.usageMonthlyUsd)} (${usageSources(e.name)}); on unverified prices ${usd(e.unverifiedMonthlyUsd)} (${percent(e.unverifiedMonthlyUsd, e.monthlyUsd)})`,
    );
    for (const s of report.stacks.filter((x) => x.environment === e.name)) out.push(...stackText(s));
    out.push("");
  }
  const shared = report.stacks.filter((s) => !report.environments.some((e) => e.name === s.environment));
  if (shared.length) {
    out.push(`== shared stacks, split evenly over the environments (${usageSources("shared")})`);
    for (const s of shared) out.push(...stackText(s));
    out.push("");
  }
  out.push(...seedText(report.seed));
  if (report.unclassified.length)
    out.push("", `UNCLASSIFIED resource types (not in modules/cost/catalog.ts): ${report.unclassified.join(", ")}`);
  return `${out.join("\n")}\n`;
}

export function formatDeltas(deltas: readonly CostDelta[], largest = 10): string {
  const out: string[] = [];
  for (const d of deltas) {
    const budget = d.monthlyBudgetUsd === undefined ? "" : `; budget ${usd(d.monthlyBudgetUsd)}${d.overBudget ? " OVER BUDGET" : ""}`;
    out.push(
      `${d.name} (${d.stack}, ${d.environment}): ${usd(d.before.monthlyUsd)} → ${usd(d.after.monthlyUsd)}/month (${signedUsd(d.deltaMonthlyUsd)})${budget}`,
    );
    for (const c of d.changes.slice(0, largest)) out.push(`  ${signedUsd(c.deltaUsd).padStart(12)}  ${c.what}  ${c.path} (${c.address})`);
    if (d.changes.length > largest) out.push(`  … ${d.changes.length - largest} more changed line items (--json lists them all)`);
  }
  return `${out.join("\n")}\n`;
}
