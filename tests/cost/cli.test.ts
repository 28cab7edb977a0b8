import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { buildSync } from "esbuild";
import { usd } from "../../modules/cost/money";
import { synthProgram } from "../stacks/synth";

/**
 * `npm run cost` end to end: the script bundled as the npm script bundles it,
 * run on this run's synthesized program and on the lane's plans
 * (tests/fixtures/plans).
 */
const ROOT = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "ecg-cost-cli-"));
const bundle = join(work, "cost.js");
buildSync({
  entryPoints: [join(ROOT, "scripts", "cost.ts")],
  bundle: true,
  platform: "node",
  target: "node20",
  outfile: bundle,
  logLevel: "warning",
});
const outdir = synthProgram().outdir;
const run = (...args: string[]) => spawnSync(process.execPath, [bundle, "--out", outdir, ...args], { cwd: ROOT, encoding: "utf8" });
const plan = (name: string) => {
  const file = join(work, `${name}.json`);
  writeFileSync(file, gunzipSync(readFileSync(join(ROOT, "tests", "fixtures", "plans", `${name}.json.gz`))));
  return file;
};

describe("npm run cost", () => {
  const text = run();
  const json = JSON.parse(run("--json").stdout);

  it("[COST-5] prints every environment's hourly and monthly total, its stacks, its line items and the design's figures", () => {
    expect(text.status).toBe(0);
    for (const env of ["dev", "staging", "prod"])
      expect(text.stdout).toMatch(new RegExp(`^== ${env}: \\$[\\d,]+\\.\\d\\d/month \\(\\$[\\d.]+/hour\\); `, "m"));
    expect(text.stdout).toContain("NAT gateway: 730 hour × $0.059 [ap-northeast-2]");
    expect(text.stdout).toContain("ecg-prod/foundation/network/nat-a (aws_nat_gateway.");
    expect(text.stdout).toMatch(/usage-based \(assumed\): \$/);
    expect(text.stdout).toContain("The design's figures (COST-4, COST-1) at today's ap-northeast-2 prices");
    expect(text.stdout).toContain(
      "Phase 1: 3 × g4dn.4xlarge (9-12 jobs): the design says $2.52/h each, $7.56/h; the table says $1.48/h each, $4.44/h",
    );
  });

  it("[COST-5] --json is complete: every stack, every environment with its budget, no unclassified type", () => {
    expect(json.unclassified).toEqual([]);
    expect(json.environments.map((e: any) => e.name)).toEqual(["dev", "prod", "staging"]);
    expect(json.stacks.map((s: any) => s.stack).sort()).toEqual(Object.keys(synthProgram().stacks).sort());
    for (const e of json.environments) expect(e).toMatchObject({ monthlyBudgetUsd: expect.any(Number), overBudget: false });
    const line = json.stacks.find((s: any) => s.stack === "ecg-prod").lines[0];
    expect(Object.keys(line)).toEqual(
      expect.arrayContaining(["component", "address", "path", "what", "quantity", "unit", "unitUsd", "monthlyUsd", "basis"]),
    );
  });

  it("[COST-5] --env narrows to one environment and the shared stacks it carries a share of, and names the known ones otherwise", () => {
    const prod = JSON.parse(run("--json", "--env", "prod").stdout);
    expect(prod.environments.map((e: any) => e.name)).toEqual(["prod"]);
    expect(new Set(prod.stacks.map((s: any) => s.environment))).toEqual(new Set(["prod", "shared"]));
    const unknown = run("--env", "qa");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(`npm run cost: --env qa: no such environment in ${outdir} (known: dev, prod, staging)\n`);
  });

  it("[COST-5] prices a lane plan's change: creating ecg-dev from nothing, destroying it to nothing, a plan against itself", () => {
    const create = plan("ecg-dev.create");
    const destroy = plan("ecg-dev.destroy");
    const { deltas } = JSON.parse(run("--json", "--plan", `ecg-dev=${create}`, "--plan", destroy, "--plan", create, create).stdout);
    const [made, gone, same] = deltas;
    expect(made).toMatchObject({ stack: "ecg-dev", environment: "dev", before: { monthlyUsd: 0 } });
    expect(made.deltaMonthlyUsd).toBe(made.after.monthlyUsd);
    expect(made.after.monthlyUsd).toBeGreaterThan(500);
    expect(made.changes.every((c: any) => c.deltaUsd > 0)).toBe(true);
    // Named by its stack: construct paths from the synthesized ecg-dev; one NAT gateway, 730 h × $0.059.
    expect(made.changes).toContainEqual(
      expect.objectContaining({ path: "ecg-dev/foundation/network/nat-c", what: "NAT gateway", deltaUsd: 43.07 }),
    );
    expect(gone.after.monthlyUsd).toBe(0);
    expect(gone.deltaMonthlyUsd).toBe(-gone.before.monthlyUsd);
    expect(gone.before.monthlyUsd).toBeGreaterThan(0);
    // The lane applies what the emulator can: its destroy starts from no more than the create planned.
    expect(gone.before.monthlyUsd).toBeLessThanOrEqual(made.after.monthlyUsd);
    expect(same).toMatchObject({ deltaMonthlyUsd: 0, changes: [] });
    const printed = run("--plan", `ecg-dev=${create}`).stdout;
    const budget = made.monthlyBudgetUsd === undefined ? "" : `; budget ${usd(made.monthlyBudgetUsd)}`;
    expect(printed.split("\n")[0]).toBe(
      `ecg-dev.create.json (ecg-dev, dev): $0.00 → ${usd(made.after.monthlyUsd)}/month (+${usd(made.after.monthlyUsd)})${budget}`,
    );
  });

  it("[COST-5] prices a plan of one stack with the usage that stack carries in its environment, none for another stack", () => {
    const create = plan("ecg-dev.create");
    const [primary, other] = JSON.parse(run("--json", "--plan", `ecg-dev=${create}`, "--plan", `ecg-access-dev=${create}`).stdout).deltas;
    expect(primary.after.usageMonthlyUsd).toBeGreaterThan(0);
    expect(other.after.usageMonthlyUsd).toBe(0);
    expect(other.after.monthlyUsd).toBeCloseTo(primary.after.monthlyUsd - primary.after.usageMonthlyUsd, 1);
  });

  it("[COST-5] refuses a usage file it cannot use, and a missing synthesis, with exit 2 and the reason", () => {
    const usage = join(work, "usage");
    mkdirSync(usage, { recursive: true });
    writeFileSync(join(usage, "dev.json"), JSON.stringify({ usage: { natProcessedGiB: -1 } }));
    const bad = run("--usage", usage);
    expect([bad.status, bad.stderr]).toEqual([2, `npm run cost: ${join(usage, "dev.json")}: usage.natProcessedGiB is -1: a number >= 0\n`]);
    const unsynthesized = spawnSync(process.execPath, [bundle, "--out", join(work, "nothing")], { cwd: ROOT, encoding: "utf8" });
    expect(unsynthesized.status).toBe(2);
    expect(unsynthesized.stderr).toContain("no synthesized stacks here: run `npm run synth` first");
  });
});
