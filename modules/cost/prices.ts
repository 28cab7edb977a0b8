/**
 * The checked-in price table (pricing/prices.json): every price the model uses,
 * in every region the program deploys to, each with the AWS Price List entry it
 * is (service code and usage type, the key `npm run prices:update` refreshes it
 * by) and how it was checked. A price nobody could check against public
 * material is `unverified`, with what it rests on; the report shows how much of
 * each total rests on such prices.
 */
type Verification =
  | { readonly status: "price-list"; readonly effectiveDate: string }
  | { readonly status: "published"; readonly evidence: string }
  | { readonly status: "unverified"; readonly restsOn: string };

interface PriceSource {
  /** Price List service code, e.g. `AmazonEC2`; absent for what the Price List does not hold (Spot). */
  readonly serviceCode?: string;
  /** Price List `usagetype`, e.g. `APN2-BoxUsage:g4dn.xlarge`. */
  readonly usageType?: string;
  /** Further TERM_MATCH filters that pick one product, e.g. `{ "operatingSystem": "Linux" }`. */
  readonly filters?: Readonly<Record<string, string>>;
  /** Where a value outside the Price List comes from (Spot: the Spot Instance Advisor). */
  readonly note?: string;
  /** The product's SKU, once `npm run prices:update` has matched it. */
  readonly sku?: string;
  /** The Price List's unit of the price (`Requests`), checked by the updater. @default - not checked */
  readonly priceListUnit?: string;
  /** Price List units per table unit: 1000 for a price per 1,000 requests the Price List gives per request. @default 1 */
  readonly multiplier?: number;
}

export interface PriceEntry {
  /** What is priced, region-independent: `ec2:g4dn.xlarge`, `vpc:nat-gateway-hour`. */
  readonly item: string;
  readonly region: string;
  /** USD per unit; for a discount, the fraction of the On-Demand price saved. */
  readonly usd: number;
  readonly unit: string;
  readonly source: PriceSource;
  /** The date the value was last taken from its source. */
  readonly asOf: string;
  readonly verification: Verification;
}

export interface PriceTableData {
  /** What the file is (kept by the updater). */
  readonly $comment?: string;
  readonly currency: "USD";
  readonly prices: readonly PriceEntry[];
}

/** A price the model needs and the table does not have: a table to complete, never a price to guess. */
export class MissingPriceError extends Error {}

/** Bad price table content. */
export class PriceTableError extends Error {}

export class PriceTable {
  private readonly byKey = new Map<string, PriceEntry>();

  constructor(readonly data: PriceTableData) {
    if (data.currency !== "USD")
      throw new PriceTableError(`pricing/prices.json: currency ${JSON.stringify(data.currency)}, expected "USD"`);
    for (const entry of data.prices) {
      const key = `${entry.item}@${entry.region}`;
      if (this.byKey.has(key)) throw new PriceTableError(`pricing/prices.json: ${key} is listed twice`);
      if (!Number.isFinite(entry.usd) || entry.usd < 0) throw new PriceTableError(`pricing/prices.json: ${key} has the price ${entry.usd}`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(entry.asOf)) throw new PriceTableError(`pricing/prices.json: ${key} has no as-of date (YYYY-MM-DD)`);
      this.byKey.set(key, entry);
    }
  }

  /** The entry of `item` in `region`; throws naming both when the table lacks it. */
  get(item: string, region: string): PriceEntry {
    const entry = this.byKey.get(`${item}@${region}`);
    if (!entry) throw new MissingPriceError(`pricing/prices.json has no price for ${item} in ${region}: add it (docs/cost.md, "Prices")`);
    return entry;
  }

  has(item: string, region: string): boolean {
    return this.byKey.has(`${item}@${region}`);
  }
}

export const isVerified = (entry: PriceEntry) => entry.verification.status !== "unverified";
