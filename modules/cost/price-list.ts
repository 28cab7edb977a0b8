/**
 * Refreshes the price table from the AWS Price List Query API (GetProducts):
 * each entry with a service code and usage type is looked up by them (and its
 * further filters), and must match exactly one product with one On-Demand
 * first-tier USD price. The fetch is injected: `npm run prices:update` passes
 * the SDK's, tests pass recorded responses. A product that does not fit is
 * reported per entry; a call that fails stops the refresh.
 */
import type { PriceEntry, PriceTableData } from "./prices";

/** One GetProducts filter (`TERM_MATCH` on a product attribute). */
export interface ProductFilter {
  readonly Type: "TERM_MATCH";
  readonly Field: string;
  readonly Value: string;
}

/** Every `PriceList` item (a JSON document per product) GetProducts returns for the filters, all pages. */
export type FetchProducts = (serviceCode: string, filters: readonly ProductFilter[]) => Promise<readonly string[]>;

export interface RefreshResult {
  readonly table: PriceTableData;
  readonly changed: readonly { readonly key: string; readonly from: number; readonly to: number }[];
  readonly unchanged: number;
  /** Entries the Price List does not hold (Spot discounts): kept as they are. */
  readonly kept: readonly string[];
  /** Entries the Price List answered unusably: kept, with the reason. */
  readonly failures: readonly { readonly key: string; readonly reason: string }[];
}

interface PriceDimension {
  readonly unit?: string;
  readonly beginRange?: string;
  readonly pricePerUnit?: { readonly USD?: string };
}
interface Product {
  readonly product?: { readonly sku?: string; readonly attributes?: Record<string, string> };
  readonly terms?: {
    readonly OnDemand?: Record<string, { readonly effectiveDate?: string; readonly priceDimensions?: Record<string, PriceDimension> }>;
  };
}

/**
 * The On-Demand USD price of one product in the table's unit, and its term's
 * effective date: the lowest tier with a price (a free allowance, like every
 * free tier, is not deducted), in the unit the entry expects.
 */
function onDemandPrice(product: Product, entry: PriceEntry): { usd: number; effectiveDate: string; sku: string } {
  const terms = Object.values(product.terms?.OnDemand ?? {});
  if (terms.length !== 1) throw new Error(`${terms.length} On-Demand terms (expected 1)`);
  const tiers = new Map<number, PriceDimension[]>();
  for (const d of Object.values(terms[0].priceDimensions ?? {})) {
    const begin = Number(d.beginRange ?? "0");
    tiers.set(begin, [...(tiers.get(begin) ?? []), d]);
  }
  const ordered = [...tiers].sort(([a], [b]) => a - b);
  const twice = ordered.find(([, ds]) => ds.length > 1);
  if (twice) throw new Error(`${twice[1].length} price dimensions begin at ${twice[0]} (expected 1)`);
  const priced = ordered.map(([, [d]]) => d).find((d) => Number(d.pricePerUnit?.USD) > 0) ?? ordered[0]?.[1][0];
  if (!priced) throw new Error("no price dimension");
  const perUnit = Number(priced.pricePerUnit?.USD);
  if (!Number.isFinite(perUnit) || perUnit < 0) throw new Error(`price ${JSON.stringify(priced.pricePerUnit)} is not a USD amount`);
  const expected = entry.source.priceListUnit;
  if (expected !== undefined && priced.unit !== expected)
    throw new Error(`the Price List's unit is ${priced.unit}, the entry expects ${expected}`);
  // Rounded to the Price List's own ten decimals: a multiplier must not add float noise to the file.
  const usd = Math.round(perUnit * (entry.source.multiplier ?? 1) * 1e10) / 1e10;
  return { usd, effectiveDate: (terms[0].effectiveDate ?? "").slice(0, 10), sku: product.product?.sku ?? "" };
}

const keyOf = (e: PriceEntry) => `${e.item}@${e.region}`;

/** The table in its one written form: entries by item, then region; two-space JSON and a final newline. */
export function serializeTable(table: PriceTableData & { readonly $comment?: string }): string {
  const prices = [...table.prices].sort((a, b) => a.item.localeCompare(b.item) || a.region.localeCompare(b.region));
  return `${JSON.stringify({ ...(table.$comment ? { $comment: table.$comment } : {}), currency: table.currency, prices }, null, 2)}\n`;
}

export async function refreshPrices(table: PriceTableData, fetch: FetchProducts, today: string): Promise<RefreshResult> {
  const changed: { key: string; from: number; to: number }[] = [];
  const kept: string[] = [];
  const failures: { key: string; reason: string }[] = [];
  let unchanged = 0;
  const prices: PriceEntry[] = [];
  for (const entry of table.prices) {
    const { serviceCode, usageType, filters = {} } = entry.source;
    if (!serviceCode || !usageType) {
      kept.push(keyOf(entry));
      prices.push(entry);
      continue;
    }
    const query: ProductFilter[] = [
      { Type: "TERM_MATCH", Field: "usagetype", Value: usageType },
      ...Object.entries(filters).map(([Field, Value]) => ({ Type: "TERM_MATCH" as const, Field, Value })),
    ];
    // A failed call (credentials, network) stops the refresh: the table is left as it was.
    const answer = await fetch(serviceCode, query);
    try {
      const products = answer.map((item) => JSON.parse(item) as Product);
      if (products.length !== 1)
        throw new Error(
          `${products.length} products match ${serviceCode} ${JSON.stringify(Object.fromEntries(query.map((f) => [f.Field, f.Value])))} (expected 1: narrow source.filters)`,
        );
      const { usd, effectiveDate, sku } = onDemandPrice(products[0], entry);
      if (usd === entry.usd) unchanged++;
      else changed.push({ key: keyOf(entry), from: entry.usd, to: usd });
      prices.push({
        ...entry,
        usd,
        asOf: today,
        source: { ...entry.source, ...(sku ? { sku } : {}) },
        verification: { status: "price-list", effectiveDate },
      });
    } catch (error) {
      failures.push({ key: keyOf(entry), reason: error instanceof Error ? error.message : String(error) });
      prices.push(entry);
    }
  }
  return { table: { ...table, prices }, changed, unchanged, kept, failures };
}
