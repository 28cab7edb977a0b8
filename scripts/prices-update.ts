/**
 * `npm run prices:update [-- --dry-run]`: refreshes pricing/prices.json from
 * the AWS Price List Query API with the caller's AWS credentials (any
 * principal allowed `pricing:GetProducts`; the API answers in us-east-1).
 * Entries the Price List does not hold (Spot discounts) are kept; an entry it
 * answers unusably is kept and reported. The file is rewritten in one
 * deterministic form (modules/cost/price-list.ts), so its diff is the change.
 * Exit 1 when an entry could not be refreshed, 2 on an unusable table.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";
import { type FetchProducts, refreshPrices, serializeTable } from "../modules/cost/price-list";
import { PriceTable } from "../modules/cost/prices";

const FILE = "pricing/prices.json";

const client = new PricingClient({ region: "us-east-1" });
const fetchProducts: FetchProducts = async (serviceCode, filters) => {
  const items: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new GetProductsCommand({
        ServiceCode: serviceCode,
        Filters: filters.map((f) => ({ ...f })),
        FormatVersion: "aws_v1",
        MaxResults: 100,
        NextToken: token,
      }),
    );
    items.push(...(page.PriceList ?? []).map(String));
    token = page.NextToken;
  } while (token);
  return items;
};

async function main(): Promise<void> {
  const dryRun = process.argv.includes("--dry-run");
  const table = new PriceTable(JSON.parse(readFileSync(FILE, "utf8"))).data;
  const result = await refreshPrices(table, fetchProducts, new Date().toISOString().slice(0, 10));
  for (const c of result.changed) console.log(`changed  ${c.key}: ${c.from} → ${c.to}`);
  for (const f of result.failures) console.error(`kept     ${f.key}: ${f.reason}`);
  console.log(
    `${result.changed.length} changed, ${result.unchanged} unchanged, ${result.kept.length} not in the Price List (kept), ${result.failures.length} failed`,
  );
  if (!dryRun) writeFileSync(FILE, serializeTable(result.table));
  process.exitCode = result.failures.length ? 1 : 0;
}

main().catch((error) => {
  console.error(`npm run prices:update: ${error instanceof Error ? error.message : error}`);
  process.exit(2);
});
