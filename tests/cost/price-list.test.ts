import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type FetchProducts, type ProductFilter, refreshPrices, serializeTable } from "../../modules/cost/price-list";
import { PriceTable, type PriceTableData } from "../../modules/cost/prices";

const ROOT = join(__dirname, "..", "..");
const TABLE_FILE = join(ROOT, "pricing", "prices.json");
const table: PriceTableData = JSON.parse(readFileSync(TABLE_FILE, "utf8"));
const recorded: Record<string, { PriceList: string[] }> = JSON.parse(
  readFileSync(join(ROOT, "tests", "fixtures", "price-list", "get-products.json"), "utf8"),
).answers;

/** GetProducts as recorded: by service code and the usagetype filter. */
function recordedFetch(calls: { serviceCode: string; filters: readonly ProductFilter[] }[]): FetchProducts {
  return async (serviceCode, filters) => {
    calls.push({ serviceCode, filters });
    const usageType = filters.find((f) => f.Field === "usagetype")?.Value;
    return recorded[`${serviceCode} ${usageType}`]?.PriceList ?? [];
  };
}

const pick = (data: PriceTableData, item: string, region = "ap-northeast-2") =>
  data.prices.find((p) => p.item === item && p.region === region)!;
const subset = (...items: string[]): PriceTableData => ({
  ...table,
  prices: table.prices.filter((p) => items.includes(p.item) && p.region === "ap-northeast-2"),
});

describe("the price table", () => {
  it("[COST-5] is written in its one deterministic form (sorted, two-space JSON), as the updater writes it", () => {
    expect(serializeTable(table)).toBe(readFileSync(TABLE_FILE, "utf8"));
  });

  it("[COST-5] gives every price its Price List entry or its source, an as-of date, and what an unverified one rests on", () => {
    new PriceTable(table);
    for (const p of table.prices) {
      expect(p.source.serviceCode ?? p.source.note).toBeTruthy();
      if (p.source.serviceCode) expect(p.source.usageType).toMatch(/^[A-Za-z0-9]/);
      expect(p.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (p.verification.status === "unverified") expect(p.verification.restsOn.length).toBeGreaterThan(20);
      if (p.verification.status === "published") expect(p.verification.evidence.length).toBeGreaterThan(20);
    }
    // Every region the program deploys to, and the global services.
    expect([...new Set(table.prices.map((p) => p.region))].sort()).toEqual([
      "ap-northeast-1",
      "ap-northeast-2",
      "global",
      "us-east-1",
      "us-west-2",
    ]);
  });

  it("[COST-5] refuses a table with a price twice or without a date", () => {
    const twice = { ...table, prices: [table.prices[0], table.prices[0]] };
    expect(() => new PriceTable(twice)).toThrow(`pricing/prices.json: ${table.prices[0].item}@${table.prices[0].region} is listed twice`);
    expect(() => new PriceTable({ ...table, prices: [{ ...table.prices[0], asOf: "soon" }] })).toThrow("has no as-of date");
  });
});

describe("npm run prices:update on recorded Price List answers", () => {
  it("[COST-5] asks GetProducts by service code, usage type and the entry's filters, and takes the On-Demand first-tier price", async () => {
    const calls: { serviceCode: string; filters: readonly ProductFilter[] }[] = [];
    const result = await refreshPrices(subset("vpc:nat-gateway-hour", "ec2:g4dn.xlarge"), recordedFetch(calls), "2026-12-02");
    expect(calls).toContainEqual({
      serviceCode: "AmazonEC2",
      filters: [
        { Type: "TERM_MATCH", Field: "usagetype", Value: "APN2-BoxUsage:g4dn.xlarge" },
        { Type: "TERM_MATCH", Field: "operatingSystem", Value: "Linux" },
        { Type: "TERM_MATCH", Field: "tenancy", Value: "Shared" },
        { Type: "TERM_MATCH", Field: "preInstalledSw", Value: "NA" },
        { Type: "TERM_MATCH", Field: "capacitystatus", Value: "Used" },
      ],
    });
    expect(result.changed).toEqual([{ key: "ec2:g4dn.xlarge@ap-northeast-2", from: 0.647, to: 0.65 }]);
    expect(result.unchanged).toBe(1);
    expect(pick(result.table, "ec2:g4dn.xlarge")).toMatchObject({
      usd: 0.65,
      asOf: "2026-12-02",
      source: { serviceCode: "AmazonEC2", usageType: "APN2-BoxUsage:g4dn.xlarge", sku: "ZC4V8HYH3X7R4QJA" },
      verification: { status: "price-list", effectiveDate: "2026-11-01" },
    });
  });

  it("[COST-5] keeps what the Price List does not hold, and reports an answer it cannot use without changing the entry", async () => {
    const input = subset("ec2-spot-discount:g4dn.xlarge", "cloudwatch:logs-ingest-gb", "rds:gp3-storage:single-az");
    const result = await refreshPrices(input, recordedFetch([]), "2026-12-02");
    expect(result.kept).toEqual(["ec2-spot-discount:g4dn.xlarge@ap-northeast-2"]);
    expect(result.failures).toEqual([
      { key: "cloudwatch:logs-ingest-gb@ap-northeast-2", reason: "2 price dimensions begin at 0 (expected 1)" },
      {
        key: "rds:gp3-storage:single-az@ap-northeast-2",
        reason:
          '0 products match AmazonRDS {"usagetype":"APN2-RDS:GP3-Storage","databaseEngine":"PostgreSQL"} (expected 1: narrow source.filters)',
      },
    ]);
    expect(result.table.prices).toEqual(input.prices);
  });

  it("[COST-5] scales a per-request price to the table's unit, skips a free allowance, and refuses another unit", async () => {
    const result = await refreshPrices(subset("s3:get-1k", "s3:put-1k", "datatransfer:internet-out-gb"), recordedFetch([]), "2026-12-02");
    // $0.00000035 a request is $0.00035 per 1,000 (the entry's multiplier); the first GB out is free, then $0.126.
    expect(result.unchanged).toBe(2);
    expect(pick(result.table, "s3:get-1k")).toMatchObject({ usd: 0.00035, verification: { status: "price-list" } });
    expect(pick(result.table, "datatransfer:internet-out-gb")).toMatchObject({ usd: 0.126, verification: { status: "price-list" } });
    expect(result.failures).toEqual([
      { key: "s3:put-1k@ap-northeast-2", reason: "the Price List's unit is GB, the entry expects Requests" },
    ]);
  });

  it("[COST-5] gives every price per 1,000, 10,000 or million requests its multiplier and the Price List's unit", () => {
    const perMany = table.prices.filter((p) => /^(1,000|10,000|million) /.test(p.unit));
    expect(perMany.map((p) => p.item).sort()).toEqual(["cloudfront:https-10k", "s3:get-1k", "s3:put-1k", "waf:requests-million"]);
    for (const p of perMany)
      expect(p.source).toMatchObject({
        priceListUnit: "Requests",
        multiplier: { "1,000": 1000, "10,000": 10000, million: 1e6 }[p.unit.split(" ")[0]],
      });
  });

  it("[COST-5] stops, changing nothing, when a call fails", async () => {
    const failing: FetchProducts = async () => {
      throw new Error("Could not load credentials from any providers");
    };
    await expect(refreshPrices(subset("vpc:nat-gateway-hour"), failing, "2026-12-02")).rejects.toThrow("Could not load credentials");
  });
});
