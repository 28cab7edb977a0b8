import { readFileSync } from "node:fs";
import { join } from "node:path";
import { environments } from "../../environments";
import { CATALOG } from "../../modules/cost/catalog";
import { gp3Baseline } from "../../modules/cost/databases";
import { onDemandAt } from "../../modules/cost/fleet";
import { type CostInput, configurationInput, synthesizedInputs } from "../../modules/cost/inputs";
import { HOURS_PER_MONTH } from "../../modules/cost/line-items";
import { MissingPriceError, PriceTable, type PriceTableData } from "../../modules/cost/prices";
import { estimateProgram, SHARED } from "../../modules/cost/program";
import { hoursAtMinimums, ScheduleError } from "../../modules/cost/schedule";
import { seedComparison } from "../../modules/cost/seed";
import { noUsage, parseUsage, type Usage, UsageError } from "../../modules/cost/usage";
import { contextOf, dbIndex } from "../../modules/cost/estimate";
import { ACCOUNTS, singleAccountProgram } from "../stacks/layouts";
import { synthProgram } from "../stacks/synth";

const ROOT = join(__dirname, "..", "..");
const table: PriceTableData = JSON.parse(readFileSync(join(ROOT, "pricing", "prices.json"), "utf8"));
const prices = new PriceTable(table);
const usageFile = (env: string) =>
  parseUsage(JSON.parse(readFileSync(join(ROOT, "pricing", "usage", `${env}.json`), "utf8")), `pricing/usage/${env}.json`);
const price = (item: string, region = "ap-northeast-2") => prices.get(item, region).usd;

const shipped = synthProgram();
const inputs = synthesizedInputs(shipped.outdir);
const estimate = (usageOf: (env: string) => Usage = () => noUsage(), of: readonly CostInput[] = inputs) =>
  estimateProgram(of, prices, usageOf);
const base = estimate();
const stackOf = (name: string, e = base) => e.stacks.find((s) => s.stack === name)!;
const envOf = (name: string, e = base) => e.environments.find((x) => x.name === name)!;
const linesOf = (stack: string, type: string, e = base) => stackOf(stack, e).lines.filter((l) => l.type === type && l.basis === "deployed");
const sum = <T extends { monthlyUsd: number }>(items: readonly T[], pick: (x: T) => number = (x) => x.monthlyUsd) =>
  items.reduce((s, x) => s + pick(x), 0);
const cents = (usd: number) => Math.round(usd * 100) / 100;

/** One stack of the shipped program, its cdk.tf.json changed by `edit`, as the model's input. */
function edited(stack: string, edit: (terraform: any) => void): CostInput[] {
  const terraform = structuredClone(shipped.stacks[stack]);
  edit(terraform);
  return inputs.map((i) => (i.stack === stack ? configurationInput(stack, terraform as any) : i));
}
const resourceOf = (terraform: any, type: string, pathPart: string): any =>
  Object.values(terraform.resource[type]).find((r: any) => r["//"].metadata.path.includes(pathPart));

describe("the cost model on the shipped program", () => {
  it("[COST-5] classifies every resource type of every synthesized stack (priced, usage-based or free)", () => {
    const types = new Set(inputs.flatMap((i) => i.model.resources.map((r) => r.type)));
    expect([...types].filter((t) => !(t in CATALOG))).toEqual([]);
    expect(base.stacks.flatMap((s) => s.unclassified)).toEqual([]);
  });

  it("[COST-5] finds a price for every priced item in every region the program uses, and names both when one is missing", () => {
    // estimate() above threw on none; a table without the NAT price in Seoul cannot price dev.
    const without = new PriceTable({
      ...table,
      prices: table.prices.filter((p) => !(p.item === "vpc:nat-gateway-hour" && p.region === "ap-northeast-2")),
    });
    expect(() => estimateProgram(inputs, without, () => noUsage())).toThrow(MissingPriceError);
    expect(() => without.get("vpc:nat-gateway-hour", "ap-northeast-2")).toThrow(
      'pricing/prices.json has no price for vpc:nat-gateway-hour in ap-northeast-2: add it (docs/cost.md, "Prices")',
    );
  });

  it("[COST-5] prices the NAT gateways as count × 730 hours × the hourly price", () => {
    const nat = linesOf("ecg-prod", "aws_nat_gateway");
    expect(nat).toHaveLength(2);
    expect(cents(sum(nat))).toBe(cents(2 * 730 * 0.059));
    expect(linesOf("ecg-dev", "aws_nat_gateway")).toHaveLength(1);
  });

  it("[COST-5] prices each interface endpoint per AZ and leaves the S3 gateway endpoint free", () => {
    const endpoints = linesOf("ecg-prod", "aws_vpc_endpoint");
    expect(endpoints).toHaveLength(14);
    for (const l of endpoints) expect(l).toMatchObject({ quantity: 2 * 730, unitUsd: 0.013, monthlyUsd: 18.98 });
  });

  it("[COST-2] [COST-5] prices the prod render fleet at its schedule: 1 On-Demand host all week, Spot hosts above it", () => {
    const render = linesOf("ecg-prod", "aws_autoscaling_group").filter((l) => l.path.includes("gpu-render-fleet"));
    const [onDemand, spot, volumes] = render;
    // Seoul time: 45 h a week at 4 hosts (weekdays 09-18), 48 h at 1 (weekends), the other 75 h at 2.
    const month = 730 / 168;
    expect(onDemand).toMatchObject({ what: "On-Demand host-hours (g4dn.2xlarge)", quantity: 730, unitUsd: 0.925, monthlyUsd: 675.25 });
    expect(spot.quantity).toBeCloseTo((3 * 45 + 1 * 75 + 0 * 48) * month, 6);
    expect(spot.monthlyUsd).toBeCloseTo(912.5 * 0.925 * (1 - 0.7), 4);
    expect(spot.maxMonthlyUsd).toBeCloseTo(7 * 730 * 0.925 * 0.3, 4);
    expect(volumes.quantity).toBeCloseTo((100 * (730 + 912.5)) / 730, 6);
    expect(onDemand.note).toContain("g4dn.2xlarge, the cheapest type of [g4dn.2xlarge, g4dn.4xlarge, g4dn.8xlarge], assumed");
  });

  it("[COST-5] raising a fleet's minimum adds the hosts the table implies", () => {
    const raised = estimate(
      undefined,
      edited("ecg-prod", (t) => (resourceOf(t, "aws_autoscaling_group", "ml-audio-fleet").min_size = 2)),
    );
    // One more host above the On-Demand base of 1 and 0 % On-Demand above it: a Spot g4dn.xlarge and its 100 GB volume.
    const added = 730 * price("ec2:g4dn.xlarge") * (1 - price("ec2-spot-discount:g4dn.xlarge")) + 100 * price("ebs:gp3-storage");
    expect(stackOf("ecg-prod", raised).monthlyUsd - stackOf("ecg-prod").monthlyUsd).toBeCloseTo(added, 1);
  });

  it("[COST-5] adding an interface endpoint adds its AZs × 730 hours × the endpoint price", () => {
    const more = estimate(
      undefined,
      edited("ecg-staging", (t) => {
        const endpoint = structuredClone(resourceOf(t, "aws_vpc_endpoint", "interface-endpoints/kms"));
        endpoint.service_name = endpoint.service_name.replace(".kms", ".sqs");
        t.resource.aws_vpc_endpoint.added_sqs = endpoint;
      }),
    );
    expect(cents(stackOf("ecg-staging", more).monthlyUsd - stackOf("ecg-staging").monthlyUsd)).toBe(cents(2 * 730 * 0.013));
  });

  it("[COST-5] prices RDS by instance class and deployment, gp3 storage, and only performance above gp3's baseline", () => {
    const [primary, storage, replica, replicaStorage] = linesOf("ecg-prod", "aws_db_instance");
    expect(primary).toMatchObject({
      what: "postgres db.r6g.xlarge Multi-AZ (primary)",
      quantity: 730,
      unitUsd: price("rds:postgres:db.r6g.xlarge:multi-az"),
    });
    expect(storage).toMatchObject({ quantity: 500, unitUsd: price("rds:gp3-storage:multi-az") });
    expect(replica.what).toBe("postgres db.r6g.xlarge Single-AZ (read replica)");
    expect(replicaStorage).toMatchObject({ quantity: 500, unitUsd: price("rds:gp3-storage:single-az") });
    // 500 GiB: 12,000 IOPS and 500 MiB/s are included, so prod's settings cost nothing extra.
    expect(gp3Baseline(500)).toEqual({ iops: 12000, throughput: 500 });
    expect(gp3Baseline(399)).toEqual({ iops: 3000, throughput: 125 });
    expect(linesOf("ecg-prod", "aws_db_instance")).toHaveLength(4);
    const faster = estimate(
      undefined,
      edited("ecg-prod", (t) => (resourceOf(t, "aws_db_instance", "postgres/primary").iops = 15000)),
    );
    const iops = linesOf("ecg-prod", "aws_db_instance", faster).find((l) => l.unit === "IOPS-month")!;
    expect(iops.quantity).toBe(3000);
    expect(iops.monthlyUsd).toBeCloseTo(3000 * price("rds:gp3-iops:multi-az"), 4);
    // The standby's replica, in Tokyo, reads its storage from its source in another stack.
    const tokyo = linesOf("ecg-prod-standby", "aws_db_instance");
    expect(tokyo.map((l) => [l.region, l.quantity, l.unit])).toEqual([
      ["ap-northeast-1", 730, "instance-hour"],
      ["ap-northeast-1", 500, "GB-month"],
    ]);
  });

  it("[COST-5] bills each custom metric the alarms watch once, however many alarms watch it", () => {
    // 4 agent metrics (disk, memory, GPU memory used and total) × 2 fleets, the API's 2 pool metrics,
    // the render queue depth (watched by two alarms) and frame drop rate: 12.
    const [custom] = stackOf("ecg-prod").lines.filter((l) => l.unit === "metric-month");
    expect(custom).toMatchObject({ quantity: 12, unitUsd: 0.3, monthlyUsd: 3.6 });
  });

  it("[COST-5] counts Redis nodes as shards × (replicas + 1)", () => {
    const [redis] = linesOf("ecg-prod", "aws_elasticache_replication_group");
    expect(redis).toMatchObject({ what: "redis cache.r6g.xlarge nodes: 3 shards × (2 replicas + 1)", quantity: 9 * 730 });
  });

  it("[COST-5] prices Fargate at the minimum tasks, and dev's on Fargate Spot", () => {
    const [vcpu, gb] = linesOf("ecg-prod", "aws_ecs_service");
    expect(vcpu.quantity).toBe(2 * 2 * 730);
    expect(vcpu.maxMonthlyUsd).toBeCloseTo(10 * 2 * 730 * price("fargate:vcpu-hour"), 4);
    expect(gb.quantity).toBe(2 * 4 * 730);
    expect(linesOf("ecg-dev", "aws_ecs_service")[0].prices).toEqual(["fargate-spot:vcpu-hour@ap-northeast-2"]);
  });

  it("[COST-5] costs prod above staging above dev, each with its own stacks and a third of the shared ones", () => {
    const [dev, staging, prod] = ["dev", "staging", "prod"].map((n) => envOf(n));
    expect(prod.monthlyUsd).toBeGreaterThan(staging.monthlyUsd);
    expect(staging.monthlyUsd).toBeGreaterThan(dev.monthlyUsd);
    expect(prod.stacks).toEqual(
      expect.arrayContaining([
        "ecg-prod",
        "ecg-prod-standby",
        "ecg-prod-global",
        `ecg-account-${ACCOUNTS.prod.id}-ap-northeast-1`,
        "ecg-access-prod",
      ]),
    );
    expect(dev.shares).toEqual([
      { stack: "ecg-delivery", fraction: 1 / 3 },
      { stack: "ecg-state", fraction: 1 / 3 },
    ]);
    const shared = sum(
      base.stacks.filter((s) => s.environment === SHARED),
      (s) => s.monthlyUsd,
    );
    const own = sum(
      base.stacks.filter((s) => s.environment === "dev"),
      (s) => s.monthlyUsd,
    );
    expect(dev.monthlyUsd).toBeCloseTo(own + shared / 3, 2);
    expect(dev.hourlyUsd).toBeCloseTo(dev.monthlyUsd / HOURS_PER_MONTH, 3);
  });

  it("[COST-5] reports how much of each total rests on unverified prices: every line with an unverified price, whole", () => {
    const prod = envOf("prod");
    const unverified = (stack: string) =>
      sum(
        stackOf(stack).lines.filter((l) =>
          l.prices.some((p) => prices.get(...(p.split("@") as [string, string])).verification.status === "unverified"),
        ),
      );
    const own = prod.stacks.reduce((s, stack) => s + unverified(stack), 0);
    const shared = base.stacks.filter((s) => s.environment === SHARED).reduce((s, x) => s + unverified(x.stack), 0);
    expect(prod.unverifiedMonthlyUsd).toBeCloseTo(own + shared / 3, 1);
    const redis = linesOf("ecg-prod", "aws_elasticache_replication_group")[0];
    expect(prices.get("elasticache:redis:cache.r6g.xlarge", "ap-northeast-2").verification.status).toBe("unverified");
    expect(redis.unverifiedMonthlyUsd).toBe(redis.monthlyUsd);
    expect(linesOf("ecg-prod", "aws_nat_gateway")[0].unverifiedMonthlyUsd).toBe(0);
    expect(prod.unverifiedMonthlyUsd).toBeGreaterThan(0);
    expect(prod.unverifiedMonthlyUsd).toBeLessThan(prod.monthlyUsd);
  });

  it("[COST-5] prices the usage file's assumptions apart, on the environment's primary stack", () => {
    const withUsage = estimate((env) => (env === SHARED ? noUsage() : usageFile(env)));
    const prod = stackOf("ecg-prod", withUsage);
    const nat = prod.lines.find((l) => l.what.includes("natProcessedGiB"))!;
    expect(nat).toMatchObject({ basis: "usage", quantity: 300, monthlyUsd: cents(300 * 0.059) });
    const lcu = prod.lines.find((l) => l.what.includes("albLcus"))!;
    expect(lcu.quantity).toBe(2 * 730);
    expect(prod.usageMonthlyUsd).toBeCloseTo(sum(prod.lines.filter((l) => l.basis === "usage")), 2);
    expect(
      stackOf("ecg-prod-standby", withUsage)
        .lines.filter((l) => l.basis === "usage")
        .map((l) => l.what),
    ).toEqual(["backup copies in the failover region (usage: backupCopyGiB)"]);
    expect(envOf("prod", withUsage).monthlyUsd - envOf("prod").monthlyUsd).toBeCloseTo(envOf("prod", withUsage).usageMonthlyUsd, 1);
  });

  it("[COST-1] [COST-5] takes a Spot discount from the usage file over the table's", () => {
    const cheaper = { ...noUsage("test"), spotDiscount: { "g4dn.2xlarge": 0.5 } };
    const spot = stackOf(
      "ecg-prod",
      estimate(() => cheaper),
    ).lines.find((l) => l.what === "Spot host-hours (g4dn.2xlarge)")!;
    expect(spot.unitUsd).toBeCloseTo(0.925 * 0.5, 6);
    expect(spot.note).toBe("Spot at 50 % below On-Demand (test)");
  });

  it("[COST-6] reads each environment's budget from its AWS Budgets budget and flags an estimate above it", () => {
    expect(environments.map((e) => [e.name, envOf(e.name).monthlyBudgetUsd])).toEqual(
      environments.map((e) => [e.name, e.monitoring.monthlyBudgetUsd]),
    );
    expect(base.environments.map((e) => e.overBudget)).toEqual([false, false, false]);
    const tight = estimate(
      undefined,
      edited("ecg-dev", (t) => (Object.values(t.resource.aws_budgets_budget as object)[0].limit_amount = "100.00")),
    );
    expect(envOf("dev", tight)).toMatchObject({ monthlyBudgetUsd: 100, overBudget: true });
    // The budget sees the environment's account: its own stacks, not its share of the tooling account's.
    const dev = envOf("dev");
    expect(dev.ownMonthlyUsd).toBeCloseTo(sum(base.stacks.filter((s) => s.environment === "dev")), 1);
    expect(dev.monthlyUsd).toBeGreaterThan(dev.ownMonthlyUsd);
  });
});

describe("the platform's budget resource", () => {
  it("[COST-6] gives each environment stack one budget of its configured limit, alerting its warning topic", () => {
    for (const env of environments) {
      const stack = shipped.stacks[`ecg-${env.name}`] as any;
      const budgets = Object.values(stack.resource.aws_budgets_budget) as any[];
      expect(budgets).toHaveLength(1);
      const warning = Object.entries(stack.resource.aws_sns_topic).find(([, t]: any) => t.name.endsWith("-warning"))![0];
      expect(budgets[0]).toMatchObject({ name: `ecg-${env.name}-monthly`, limit_amount: env.monitoring.monthlyBudgetUsd.toFixed(2) });
      expect(budgets[0].cost_filter).toBeUndefined();
      expect(new Set(budgets[0].notification.flatMap((n: any) => n.subscriber_sns_topic_arns))).toEqual(
        new Set([`\${aws_sns_topic.${warning}.arn}`]),
      );
    }
  });

  it("[COST-6] counts only the environment's tag where environments share an account", () => {
    const single = synthProgram(undefined, singleAccountProgram);
    const budget = Object.values((single.stacks["ecg-dev"] as any).resource.aws_budgets_budget)[0] as any;
    expect(budget.cost_filter).toEqual([{ name: "TagKeyValue", values: ["user:Environment$dev"] }]);
  });
});

describe("the design's figures (COST-4)", () => {
  const dbInstance = dbIndex(inputs);
  const fleets = inputs.flatMap((input) =>
    input.model.ofType("aws_autoscaling_group").map((asg) => ({ ctx: contextOf(input, prices, noUsage(), dbInstance), asg })),
  );
  const seed = seedComparison(prices, fleets);

  it("[COST-4] recomputes Phase 1 and Phase 2 with the table's Seoul prices, beside the design's", () => {
    expect(seed.phases.map((p) => [p.phase, p.hosts, p.type, p.designHourlyUsd, p.todayHourlyUsd])).toEqual([
      ["Phase 1", 3, "g4dn.4xlarge", 7.56, 4.443],
      ["Phase 2", 4, "g4dn.2xlarge", 5.04, 3.7],
    ]);
    expect(seed.designSavingPercent).toBe(33.3);
    expect(seed.todaySavingPercent).toBe(Math.round((1 - (4 * 0.925) / (3 * 1.481)) * 1000) / 10);
    expect(seed.phases[0].verification).toMatch(/^published: /);
  });

  it("[COST-2] [COST-4] states the prod render fleet at the design's peak (4 hosts) and at its weekend minimum (1)", () => {
    const prod = seed.fleets.find((f) => f.stack === "ecg-prod")!;
    expect(prod.peak).toEqual({ hosts: 4, hourlyUsd: Math.round((0.925 + 3 * 0.925 * 0.3) * 1e4) / 1e4 });
    expect(prod.low).toEqual({ hosts: 1, hourlyUsd: 0.925 });
  });
});

describe("schedules, the On-Demand split and the usage file", () => {
  const render = [
    { name: "peak", recurrence: "0 9 * * MON-FRI", minSize: 4 },
    { name: "off-peak", recurrence: "0 18 * * MON-FRI", minSize: 2 },
    { name: "weekend", recurrence: "0 0 * * SAT", minSize: 1 },
    { name: "weekend-end", recurrence: "0 0 * * MON", minSize: 2 },
  ];

  it("[COST-2] spends the week's 168 hours at the minimum each action sets until the next", () => {
    expect(Object.fromEntries(hoursAtMinimums(2, render))).toEqual({ 4: 45, 2: 75, 1: 48 });
    expect(Object.fromEntries(hoursAtMinimums(3, []))).toEqual({ 3: 168 });
    expect(Object.fromEntries(hoursAtMinimums(1, [{ name: "sun", recurrence: "30 6 * * 0,SUN-SUN", minSize: 5 }]))).toEqual({ 5: 168 });
  });

  it("[COST-2] refuses a schedule it cannot place in a week", () => {
    expect(() => hoursAtMinimums(1, [{ name: "x", recurrence: "0 9 1 * *", minSize: 2 }])).toThrow(ScheduleError);
    expect(() => hoursAtMinimums(1, [{ name: "x", recurrence: "0 25 * * MON", minSize: 2 }])).toThrow(
      'recurrence "0 25 * * MON": hour "25" must be one number 0-23',
    );
    expect(() => hoursAtMinimums(1, [{ name: "x", recurrence: "0 9 * * FUNDAY", minSize: 2 }])).toThrow(
      'day of week "FUNDAY" is not a day',
    );
  });

  it("[COST-1] splits weighted capacity in units: On-Demand hosts first, each bringing its weight, then Spot for the rest", () => {
    // prod's ML Audio fleet, its types weighted 2: a base of 1 unit takes one host (2 units), Spot fills the rest.
    const weighted = estimate(
      undefined,
      edited("ecg-prod", (t) => {
        const asg = resourceOf(t, "aws_autoscaling_group", "ml-audio-fleet");
        asg.min_size = 5;
        for (const o of asg.mixed_instances_policy.launch_template.override) o.weighted_capacity = "2";
      }),
    );
    const [onDemand, spot] = linesOf("ecg-prod", "aws_autoscaling_group", weighted).filter((l) => l.path.includes("ml-audio"));
    expect(onDemand.quantity).toBe(1 * 730);
    expect(spot.quantity).toBe(2 * 730); // 5 units - 2 = 3, in hosts of 2: 2
  });

  it("[COST-1] splits hosts into the On-Demand base and the share above it, rounding towards On-Demand", () => {
    expect([0, 1, 4].map((n) => onDemandAt(n, 1, 0))).toEqual([0, 1, 1]);
    expect([1, 2, 3].map((n) => onDemandAt(n, 0, 50))).toEqual([1, 1, 2]);
    expect(onDemandAt(5, 2, 100)).toBe(5);
  });

  it("[COST-5] reads the shipped usage files, and refuses unknown keys, negative numbers and bad discounts by name", () => {
    for (const env of [...environments.map((e) => e.name), SHARED]) expect(() => usageFile(env)).not.toThrow();
    const error = (json: unknown) => {
      try {
        parseUsage(json, "pricing/usage/dev.json");
      } catch (e) {
        if (e instanceof UsageError) return e.message;
        throw e;
      }
      return "no error";
    };
    expect(error({ usage: { s3StandardGb: 1 } })).toMatch(
      /^pricing\/usage\/dev\.json: usage\.s3StandardGb is not a usage key \(known: s3StandardGiB, /,
    );
    expect(error({ usage: { natProcessedGiB: -5 } })).toBe("pricing/usage/dev.json: usage.natProcessedGiB is -5: a number >= 0");
    expect(error({ usage: { albLcus: "2" } })).toBe('pricing/usage/dev.json: usage.albLcus is "2": a number >= 0');
    expect(error({ usages: {} })).toBe('pricing/usage/dev.json: unknown key "usages" (known: usage, spotDiscount)');
    expect(error({ spotDiscount: { "g4dn.xlarge": 1.2 } })).toBe(
      'pricing/usage/dev.json: spotDiscount."g4dn.xlarge" is 1.2: a fraction 0 <= x < 1 of the On-Demand price',
    );
    expect(error({ spotDiscount: { gpu: 0.5 } })).toBe(
      'pricing/usage/dev.json: spotDiscount."gpu" is not an instance type (e.g. g4dn.xlarge)',
    );
    expect(error([])).toBe("pricing/usage/dev.json: expected an object with `usage` and `spotDiscount`");
  });
});
