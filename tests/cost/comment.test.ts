import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { programDelta } from "../../modules/cost/delta";
import { configurationInput, synthesizedInputs } from "../../modules/cost/inputs";
import { PriceTable } from "../../modules/cost/prices";
import { estimateProgram } from "../../modules/cost/program";
import { noUsage } from "../../modules/cost/usage";
import { main } from "../../scripts/plan-summary/main";
import { synthProgram } from "../stacks/synth";

const ROOT = join(__dirname, "..", "..");
const prices = new PriceTable(JSON.parse(readFileSync(join(ROOT, "pricing", "prices.json"), "utf8")));
const shipped = synthProgram();
const inputs = synthesizedInputs(shipped.outdir);

/** The pull request of this test: prod's render fleet two hosts larger at its floor, and dev's budget cut to $100. */
function headInputs() {
  const prod = structuredClone(shipped.stacks["ecg-prod"]) as any;
  const render = Object.values(prod.resource.aws_autoscaling_group).find((g: any) => g["//"].metadata.path.includes("render")) as any;
  render.min_size = 4;
  for (const s of Object.values(prod.resource.aws_autoscaling_schedule) as any[]) s.min_size = Math.max(s.min_size, 4);
  const dev = structuredClone(shipped.stacks["ecg-dev"]) as any;
  (Object.values(dev.resource.aws_budgets_budget)[0] as any).limit_amount = "100.00";
  return inputs.map((i) =>
    i.stack === "ecg-prod" ? configurationInput("ecg-prod", prod) : i.stack === "ecg-dev" ? configurationInput("ecg-dev", dev) : i,
  );
}

const deltas = programDelta(
  estimateProgram(inputs, prices, () => noUsage()),
  estimateProgram(headInputs(), prices, () => noUsage()),
);
const work = mkdtempSync(join(tmpdir(), "ecg-cost-comment-"));
const plan = join(work, "plan.json");
writeFileSync(
  plan,
  JSON.stringify({ format_version: "1.2", terraform_version: "1.11.4", complete: true, errored: false, resource_changes: [] }),
);
const comment = (costFile: string) => {
  const out = join(work, "comment.md");
  expect(main(["--out", out, "--cost", costFile, `ecg-prod=${plan}`], { log: () => {}, error: () => {} })).toBe(0);
  return readFileSync(out, "utf8");
};

describe("the plan comment's cost section", () => {
  it("[COST-5] [COST-6] shows each environment's month before → after, its budget, and the largest changed line items", () => {
    const file = join(work, "cost.json");
    writeFileSync(file, JSON.stringify({ currency: "USD", deltas }));
    const text = comment(file);
    const prod = deltas.find((d) => d.name === "prod")!;
    // Every minimum at least 4: 3 Spot hosts all week (504 host-hours) instead of 210, × 730/168, each
    // at $0.925 × (1 - 0.7), with its 100 GB gp3 volume at $0.0912 a GB-month.
    const spotHours = (504 - 210) * (730 / 168);
    expect(prod.deltaMonthlyUsd).toBeCloseTo(spotHours * 0.925 * 0.3 + (spotHours / 730) * 100 * 0.0912, 1);
    expect(text).toContain("### Monthly cost\n\n| Environment | Before | After | Change | Budget |\n| --- | ---: | ---: | ---: | --- |\n");
    const row = (name: string) => text.split("\n").find((l) => l.startsWith(`| \`${name}\` |`))!;
    expect(row("prod")).toMatch(/^\| `prod` \| \$[\d,.]+ \| \$[\d,.]+ \| \+\$[\d,.]+ \| \$9,000\.00 \|$/);
    // dev's estimate did not change; its new budget is below it.
    expect(row("dev")).toMatch(/^\| `dev` \| \$([\d,.]+) \| \$\1 \| \$0\.00 \| \$100\.00 ⚠️ \*\*over budget\*\* \|$/);
    expect(text).toContain("<details><summary><code>prod</code>: 2 cost line items change</summary>");
    expect(text).toContain("Spot host-hours (g4dn.2xlarge) | `ecg-prod/gpu/gpu-render-fleet/asg` |");
    expect(text).not.toContain("<summary><code>staging</code>");
  });

  it("[COST-5] says why when the estimate is missing, and still renders the plans", () => {
    const text = comment(join(work, "none.json"));
    expect(text).toContain(
      `### Monthly cost\n\n_Not estimated: no estimate at ${join(work, "none.json")}: the estimate step failed (see the workflow run)_`,
    );
    expect(text).toContain("| `ecg-prod` | ✅ no changes |");
  });
});
