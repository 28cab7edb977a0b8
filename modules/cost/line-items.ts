import type { ResourceView, StackModel } from "../policy/model";
import { isVerified, type PriceEntry, type PriceTable } from "./prices";
import type { Usage } from "./usage";

/** 730 hours: the month AWS's own calculator and the Price List's monthly units use. */
export const HOURS_PER_MONTH = 730;

/** How the report groups line items. */
export const COMPONENTS = ["network", "compute", "data", "edge", "delivery", "observability"] as const;
export type Component = (typeof COMPONENTS)[number];

/** One priced quantity of one resource. */
export interface LineItem {
  readonly stack: string;
  readonly component: Component;
  readonly address: string;
  /** Construct path, e.g. `ecg-prod/network/nat-a`. */
  readonly path: string;
  readonly type: string;
  readonly region: string;
  /** What is counted, e.g. "NAT gateway hours". */
  readonly what: string;
  /** Per month. */
  readonly quantity: number;
  readonly unit: string;
  readonly unitUsd: number;
  readonly monthlyUsd: number;
  /** The month at the resource's maximum (fleets, scaling services); the same as monthlyUsd otherwise. */
  readonly maxMonthlyUsd: number;
  /** Fixed by what is deployed, or from the usage file. */
  readonly basis: "deployed" | "usage";
  /** The price entries the unit price is made of (`item@region`). */
  readonly prices: readonly string[];
  /** The part of monthlyUsd resting on unverified prices (all of it, when any of its prices is). */
  readonly unverifiedMonthlyUsd: number;
  /** An assumption the reader should know, e.g. "the cheapest type of the list". */
  readonly note?: string;
  /**
   * What pairs the line across two estimates when the resource it is shown on
   * may change (a usage key, the stack's custom metrics). @default - the address, unit and prices
   */
  readonly pairKey?: string;
}

/** What a pricer knows about the stack it prices. */
export interface PricingContext {
  readonly stack: string;
  readonly model: StackModel;
  readonly prices: PriceTable;
  readonly usage: Usage;
  readonly regionOf: (view: ResourceView) => string;
  /** A DB instance of the program by identifier (a replica's source may be in another stack). */
  readonly dbInstance: (identifier: string) => ResourceView | undefined;
}

export interface Quantity {
  readonly what: string;
  readonly quantity: number;
  readonly unit: string;
  /** The month's quantity at the resource's maximum. @default quantity */
  readonly maxQuantity?: number;
  /** The price, or prices whose product is the unit price (an On-Demand price and a Spot share). */
  readonly item: string | readonly string[];
  /** @default - the resource's region */
  readonly region?: string;
  readonly basis?: "deployed" | "usage";
  readonly note?: string;
  /** Turns the entries into a unit price. @default - the first entry's price */
  readonly unitPrice?: (entries: readonly PriceEntry[]) => number;
  readonly pairKey?: string;
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

/** A line item of `view`: quantity × the table's price in its region. */
export function lineItem(ctx: PricingContext, view: ResourceView, component: Component, q: Quantity): LineItem {
  const region = q.region ?? ctx.regionOf(view);
  const items = typeof q.item === "string" ? [q.item] : q.item;
  const entries = items.map((item) => ctx.prices.get(item, region));
  const unitUsd = q.unitPrice ? q.unitPrice(entries) : entries[0].usd;
  const monthlyUsd = round(q.quantity * unitUsd);
  return {
    stack: ctx.stack,
    component,
    address: view.address,
    path: view.path,
    type: view.type,
    region,
    what: q.what,
    quantity: round(q.quantity),
    unit: q.unit,
    unitUsd,
    monthlyUsd,
    maxMonthlyUsd: round((q.maxQuantity ?? q.quantity) * unitUsd),
    basis: q.basis ?? "deployed",
    prices: entries.map((e) => `${e.item}@${e.region}`),
    unverifiedMonthlyUsd: entries.every(isVerified) ? 0 : monthlyUsd,
    ...(q.note ? { note: q.note } : {}),
    ...(q.pairKey ? { pairKey: q.pairKey } : {}),
  };
}
