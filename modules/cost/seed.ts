/**
 * The design's cost figures (docs/requirements.md, COST-1 and COST-4),
 * recomputed with the table's current prices: the Phase 1 → Phase 2 render
 * hosts and the Spot saving, and every scheduled fleet at its highest and
 * lowest scheduled minimum.
 */
import type { ResourceView } from "../policy/model";
import { type Fleet, fleetOf } from "./fleet";
import type { PricingContext } from "./line-items";
import type { PriceTable } from "./prices";

/** COST-4: the design's sizing case, in its own dollars per hour. */
const DESIGN_PHASES = [
  { phase: "Phase 1", type: "g4dn.4xlarge", hosts: 3, designHourlyUsd: 7.56, jobs: "9-12" },
  { phase: "Phase 2", type: "g4dn.2xlarge", hosts: 4, designHourlyUsd: 5.04, jobs: "32-40" },
] as const;

/** COST-1: "Spot, up to 70 % cheaper". */
const DESIGN_SPOT_SAVING = 0.7;

/** The region the design's figures are for (the primary region, Seoul). */
const DESIGN_REGION = "ap-northeast-2";

export interface SeedComparison {
  readonly region: string;
  readonly phases: readonly {
    readonly phase: string;
    readonly type: string;
    readonly hosts: number;
    readonly jobs: string;
    readonly designHourlyUsd: number;
    readonly designUnitUsd: number;
    readonly todayUnitUsd: number;
    readonly todayHourlyUsd: number;
    /** The price entry (`item@region`) and how it was checked. */
    readonly price: string;
    readonly verification: string;
  }[];
  readonly designSavingPercent: number;
  readonly todaySavingPercent: number;
  readonly spot: { readonly designSaving: number; readonly tableSaving: number; readonly restsOn: string };
  /** Each scheduled fleet at its busiest and quietest scheduled minimum. */
  readonly fleets: readonly {
    readonly stack: string;
    readonly path: string;
    readonly type: string;
    readonly peak: { readonly hosts: number; readonly hourlyUsd: number };
    readonly low: { readonly hosts: number; readonly hourlyUsd: number };
  }[];
}

const round = (usd: number, places = 4) => Math.round(usd * 10 ** places) / 10 ** places;
const describe = (v: { status: string; evidence?: string; restsOn?: string; effectiveDate?: string }) =>
  v.status === "unverified"
    ? `unverified: ${v.restsOn}`
    : v.status === "published"
      ? `published: ${v.evidence}`
      : `Price List, effective ${v.effectiveDate}`;

export function seedComparison(prices: PriceTable, fleets: readonly { ctx: PricingContext; asg: ResourceView }[]): SeedComparison {
  const phases = DESIGN_PHASES.map((p) => {
    const entry = prices.get(`ec2:${p.type}`, DESIGN_REGION);
    return {
      phase: p.phase,
      type: p.type,
      hosts: p.hosts,
      jobs: p.jobs,
      designHourlyUsd: p.designHourlyUsd,
      designUnitUsd: round(p.designHourlyUsd / p.hosts),
      todayUnitUsd: entry.usd,
      todayHourlyUsd: round(entry.usd * p.hosts),
      price: `${entry.item}@${entry.region}`,
      verification: describe(entry.verification),
    };
  });
  const saving = (before: number, after: number) => Math.round((1 - after / before) * 1000) / 10;
  const spotEntry = prices.get(`ec2-spot-discount:${DESIGN_PHASES[1].type}`, DESIGN_REGION);
  const scheduled = fleets
    .map(({ ctx, asg }) => ({ ctx, asg, fleet: fleetOf(ctx, asg) }))
    .filter(({ fleet }) => fleet.schedules.length > 0)
    .map(({ ctx, asg, fleet }) => {
      const at = (f: Fleet, minimum: number) => {
        const { onDemand, spot } = f.hostsAt(minimum);
        return { hosts: onDemand + spot, hourlyUsd: round(f.hourlyAt(minimum)) };
      };
      const minima = fleet.schedules.map((s) => s.minSize);
      return {
        stack: ctx.stack,
        path: asg.path,
        type: fleet.type,
        peak: at(fleet, Math.max(...minima)),
        low: at(fleet, Math.min(...minima)),
      };
    });
  return {
    region: DESIGN_REGION,
    phases,
    designSavingPercent: saving(DESIGN_PHASES[0].designHourlyUsd, DESIGN_PHASES[1].designHourlyUsd),
    todaySavingPercent: saving(phases[0].todayHourlyUsd, phases[1].todayHourlyUsd),
    spot: { designSaving: DESIGN_SPOT_SAVING, tableSaving: spotEntry.usd, restsOn: describe(spotEntry.verification) },
    fleets: scheduled,
  };
}
