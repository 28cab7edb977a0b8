import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import {
  GITHUB_COMMENT_LIMIT,
  isStatefulType,
  PLAN_SUMMARY_MARKER,
  renderComment,
  STATEFUL_RESOURCE_TYPES,
  summarizePlan,
  summarizePlanText,
} from "../../scripts/plan-summary";

type Json = Record<string, any>;

const FIXTURES = join(__dirname, "..", "fixtures", "plans");
const REQUIRED = ["ecg-dev.create.json.gz", "ecg-prod.replan.json.gz"];

function loadFixture(name: string): Json {
  const file = join(FIXTURES, name);
  if (!existsSync(file)) throw new Error(`required fixture ${file} is missing (tests/fixtures/plans/README.md)`);
  return JSON.parse(gunzipSync(readFileSync(file)).toString("utf8"));
}

/** Managed resource changes whose actions are exactly `actions`, counted straight from the JSON. */
function countActions(plan: Json, actions: string[]): number {
  return plan.resource_changes.filter((rc: Json) => rc.mode === "managed" && rc.change.actions.join() === actions.join()).length;
}

/** The plan with every managed resource's actions replaced: simulates other plan kinds from a real one. */
function withActions(plan: Json, actionsFor: (rc: Json) => string[]): Json {
  const copy = structuredClone(plan);
  for (const rc of copy.resource_changes) if (rc.mode === "managed") rc.change.actions = actionsFor(rc);
  return copy;
}

const devCreate = loadFixture(REQUIRED[0]);
const prodReplan = loadFixture(REQUIRED[1]);
/** Destroy plans of the lane (ecg-dev's is required; any other one found is exercised too). */
const destroyFixtures = [
  ...new Set(["ecg-dev.destroy.json.gz", ...readdirSync(FIXTURES).filter((f) => /^ecg-.+\.destroy\.json\.gz$/.test(f))]),
];

describe("plan fixtures", () => {
  it("[PLT-6] the lane's required plans are present and are plan JSON 1.x", () => {
    for (const plan of [devCreate, prodReplan]) {
      expect(plan.format_version).toMatch(/^1\./);
      expect(plan.resource_changes.length).toBeGreaterThan(100);
    }
  });
});

describe("summarizePlan on the lane's plans", () => {
  it("[PLT-6] the dev create plan: every managed create is an add, data reads are not counted", () => {
    const summary = summarizePlan(devCreate);
    const creates = countActions(devCreate, ["create"]);
    const reads = devCreate.resource_changes.filter((rc: Json) => rc.mode === "data").length;
    expect(creates).toBeGreaterThan(100);
    expect(reads).toBeGreaterThan(0);
    expect(summary).toMatchObject({ adds: creates, changes: 0, replaces: 0, destroys: 0, forgets: 0, complete: true, errored: false });
    expect(summary.resources).toHaveLength(creates);
    expect(summary.resources.some((r) => r.address.startsWith("data."))).toBe(false);
    expect(summary.statefulAtRisk).toEqual([]);
    const outputs = Object.values(devCreate.output_changes).filter((o: any) => o.actions.join() !== "no-op").length;
    expect(summary.outputChanges).toBe(outputs);
  });

  it("[PLT-6] the prod re-plan: in-place updates only, no-ops not counted, a targeted plan is partial", () => {
    const summary = summarizePlan(prodReplan);
    const updates = countActions(prodReplan, ["update"]);
    expect(updates).toBeGreaterThan(0);
    expect(summary).toMatchObject({ adds: 0, changes: updates, replaces: 0, destroys: 0 });
    expect(summary.resources).toHaveLength(updates);
    // The lane re-plans with -target; Terraform marks that plan incomplete.
    expect(prodReplan.complete).toBe(false);
    expect(summary.complete).toBe(false);
    expect(renderComment([{ stack: "ecg-prod", summary }])).toContain(
      `| \`ecg-prod\` | 📝 changes, partial plan | 0 | ${updates} | 0 | 0 |`,
    );
  });

  it("[PLT-6] a destroy of the dev plan's resources lists every stateful one under the warning", () => {
    const destroy = withActions(devCreate, () => ["delete"]);
    const summary = summarizePlan(destroy);
    expect(summary.destroys).toBe(countActions(destroy, ["delete"]));
    const stateful = destroy.resource_changes
      .filter((rc: Json) => rc.mode === "managed" && isStatefulType(rc.type))
      .map((rc: Json) => rc.address);
    // The dev stack holds the database, Redis, buckets, keys, secrets, registries and log groups.
    for (const type of [
      "aws_db_instance",
      "aws_elasticache_replication_group",
      "aws_s3_bucket",
      "aws_kms_key",
      "aws_secretsmanager_secret",
      "aws_ecr_repository",
      "aws_cloudwatch_log_group",
    ]) {
      expect(stateful.some((a: string) => a.startsWith(`${type}.`))).toBe(true);
    }
    expect(summary.statefulAtRisk.map((r) => r.address)).toEqual(stateful);

    const comment = renderComment([{ stack: "ecg-dev", summary }]);
    const warning = comment.slice(comment.indexOf("> [!CAUTION]"), comment.indexOf("<details>"));
    expect(warning).toContain(`**${stateful.length} stateful resources will be destroyed or replaced.**`);
    for (const address of stateful) expect(warning).toContain(`**destroy** \`${address}\``);
    // Not stateful: recreated from code, not listed.
    expect(warning).not.toContain("aws_iam_role.");
  });

  it("[PLT-6] a replacement counts once, under Replace, in either order of delete and create", () => {
    const db = devCreate.resource_changes.find((rc: Json) => rc.type === "aws_db_instance").address;
    const role = devCreate.resource_changes.find((rc: Json) => rc.type === "aws_iam_role").address;
    const plan = withActions(devCreate, (rc) =>
      rc.address === db ? ["delete", "create"] : rc.address === role ? ["create", "delete"] : ["no-op"],
    );
    const summary = summarizePlan(plan);
    expect(summary).toMatchObject({ adds: 0, changes: 0, replaces: 2, destroys: 0 });
    expect(summary.statefulAtRisk.map((r) => [r.address, r.kind])).toEqual([[db, "replace"]]);
    expect(renderComment([{ stack: "ecg-dev", summary }])).toContain(`**replace** \`${db}\``);
  });

  it.each(destroyFixtures)("[PLT-6] the lane's destroy plan %s: destroys counted, every stateful destroy warned", (name) => {
    const plan = loadFixture(name);
    const summary = summarizePlan(plan);
    expect(summary.destroys).toBe(countActions(plan, ["delete"]));
    expect(summary.destroys).toBeGreaterThan(0);
    const stateful = plan.resource_changes.filter(
      (rc: Json) => rc.mode === "managed" && rc.change.actions.includes("delete") && isStatefulType(rc.type),
    );
    expect(summary.statefulAtRisk).toHaveLength(stateful.length);
    const comment = renderComment([{ stack: name.split(".")[0], summary }]);
    for (const rc of stateful) expect(comment).toContain(`\`${rc.address}\``);
  });

  it("[PLT-6] refuses what it cannot count instead of miscounting", () => {
    expect(() => summarizePlan({} as any)).toThrow(/format_version/);
    expect(() => summarizePlan({ ...devCreate, format_version: "2.0" })).toThrow(/not supported/);
    expect(() => summarizePlan(withActions(devCreate, () => ["teleport"]))).toThrow(/unknown Terraform plan actions \[teleport\]/);
  });

  it("[PLT-6] the stateful list matches types exactly, prefixes only where marked with *", () => {
    expect(STATEFUL_RESOURCE_TYPES).toContain("aws_db_instance");
    expect(isStatefulType("aws_rds_cluster_instance")).toBe(true);
    expect(isStatefulType("aws_s3_bucket")).toBe(true);
    expect(isStatefulType("aws_s3_bucket_policy")).toBe(false);
    expect(isStatefulType("aws_kms_alias")).toBe(false);
  });
});

describe("renderComment", () => {
  const dev = summarizePlan(devCreate);
  const prod = summarizePlan(prodReplan);

  it("[PLT-6] one comment, marker first, one table row per stack in the order given, failed stacks with their error", () => {
    const error = "\u001b[31mError:\u001b[0m reading S3 state: AccessDenied\nwith ```fences``` inside";
    const comment = renderComment(
      [
        { stack: "ecg-dev", summary: dev },
        { stack: "ecg-staging", error },
        { stack: "ecg-prod", summary: prod },
      ],
      { commit: "abc1234", runUrl: "https://github.com/o/r/actions/runs/1" },
    );
    expect(comment.split("\n")[0]).toBe(PLAN_SUMMARY_MARKER);
    const rows = comment.split("\n").filter((l) => /^\| `ecg-/.test(l));
    expect(rows).toEqual([
      `| \`ecg-dev\` | 📝 changes | ${dev.adds} | 0 | 0 | 0 |`,
      "| `ecg-staging` | ❌ failed | – | – | – | – |",
      `| \`ecg-prod\` | 📝 changes, partial plan | 0 | ${prod.changes} | 0 | 0 |`,
    ]);
    expect(comment).toContain("### ❌ `ecg-staging`: plan failed");
    // ANSI colours stripped; the fence is longer than the backticks inside.
    expect(comment).toContain("````text\nError: reading S3 state: AccessDenied\nwith ```fences``` inside\n````");
    expect(comment).not.toContain("[!CAUTION]");
    expect(comment).toContain(`#### \`ecg-dev\`: ${dev.adds} resources change, ${dev.outputChanges} outputs change`);
    expect(comment).toContain("<sub>Planned at `abc1234` · [workflow run](https://github.com/o/r/actions/runs/1)</sub>");
  });

  it("[PLT-6] a failed stack's error text is truncated", () => {
    const comment = renderComment([{ stack: "ecg-dev", error: "E".repeat(10_000) }], { maxErrorChars: 1_000 });
    expect(comment).toContain(`${"E".repeat(1_000)}\n… (9000 more characters in the workflow log)`);
    expect(comment).not.toContain("E".repeat(1_001));
  });

  it("[PLT-6] a huge plan stays under GitHub's comment limit, truncated deterministically with '… and N more'", () => {
    // 3 stacks × 20,000 destroys built from the real plan's resources, half of them stateful, plus a huge error.
    const managed = devCreate.resource_changes.filter((rc: Json) => rc.mode === "managed");
    const huge = (stack: string) => {
      const resource_changes = Array.from({ length: 20_000 }, (_, i) => {
        const rc = managed[i % managed.length];
        return { ...rc, address: `module.copy_${i}.${rc.address}`, change: { actions: ["delete"] } };
      });
      return { stack, summary: summarizePlan({ ...devCreate, resource_changes }) };
    };
    const hugeDev = huge("ecg-dev");
    const plans = [hugeDev, huge("ecg-staging"), huge("ecg-prod"), { stack: "ecg-broken", error: "x\n".repeat(100_000) }];
    const comment = renderComment(plans);
    expect(comment.length).toBeLessThanOrEqual(65_000);
    expect(comment.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(renderComment(plans)).toBe(comment);
    expect(comment.split("\n")[0]).toBe(PLAN_SUMMARY_MARKER);
    // Every stack's row is still there with the full counts.
    for (const { stack } of plans.slice(0, 3)) expect(comment).toContain(`| \`${stack}\` | 📝 changes, ⚠️ stateful | 0 | 0 | 0 | 20000 |`);
    // Each truncated list says how many it left out, and that number adds up.
    const listed = (stack: string) => {
      const start = comment.indexOf(`#### \`${stack}\``);
      const block = comment.slice(start, comment.indexOf("</details>", start));
      const shown = block.split("\n").filter((l) => l.startsWith("-   module.copy_")).length;
      const more = Number(/… and (\d+) more/.exec(block)?.[1]);
      return { shown, more };
    };
    const { shown, more } = listed("ecg-dev");
    expect(shown + more).toBe(20_000);
    expect(more).toBeGreaterThan(0);
    // And a line says what was shortened.
    expect(comment).toMatch(
      /_Shortened to stay under GitHub's 65,536 characters: resource lists to \d+ per stack.*; the workflow run has the whole plans\._/,
    );
    const stateful = hugeDev.summary.statefulAtRisk.length;
    expect(comment).toContain(`**${3 * stateful} stateful resources will be destroyed or replaced.**`);
  });

  it("[PLT-6] refuses a maxLength above GitHub's limit", () => {
    expect(() => renderComment([], { maxLength: GITHUB_COMMENT_LIMIT + 1 })).toThrow(/65536/);
  });
});

describe("summarizePlanText (Terraform Cloud speculative plans)", () => {
  /** The text `terraform plan -no-color` prints for a plan, from the real dev plan's addresses. */
  function planText(headers: [string, string][], planLine: string): string {
    return [
      "Running plan in HCP Terraform. Output will stream here. Pressing Ctrl-C",
      "will stop streaming the logs, but will not stop the plan running remotely.",
      "",
      "Note: Objects have changed outside of Terraform",
      "",
      "  # aws_s3_bucket.drifted has changed",
      "  # aws_sqs_queue.gone has been deleted",
      "",
      "Terraform will perform the following actions:",
      "",
      ...headers.flatMap(([address, verb]) => [`  # ${address} ${verb}`, `  resource "x" "y" {`, "    }", ""]),
      planLine,
    ].join("\n");
  }

  it("[PLT-5] counts from the Plan line, replacements taken out of add and destroy, addresses and stateful warnings from the headers", () => {
    const addresses: string[] = devCreate.resource_changes.filter((rc: Json) => rc.mode === "managed").map((rc: Json) => rc.address);
    const db = addresses.find((a) => a.startsWith("aws_db_instance."))!;
    const bucket = addresses.find((a) => a.startsWith("aws_s3_bucket."))!;
    const role = addresses.find((a) => a.startsWith("aws_iam_role."))!;
    const creates = addresses.filter((a) => a !== db && a !== bucket && a !== role);
    const text = planText(
      [
        ...creates.map((a): [string, string] => [a, "will be created"]),
        [db, "must be replaced"],
        [`${bucket} (deposed object 1a2b3c4d)`, "will be destroyed"],
        [role, "will be updated in-place"],
      ],
      `Plan: ${creates.length + 1} to add, 1 to change, 2 to destroy.`,
    );
    const summary = summarizePlanText(text);
    expect(summary).toMatchObject({ source: "text", adds: creates.length, changes: 1, replaces: 1, destroys: 1, complete: true });
    expect(summary.statefulAtRisk.map((r) => [r.address, r.kind])).toEqual([
      [db, "replace"],
      [bucket, "destroy"],
    ]);
    // Drift notes are not changes of this plan.
    expect(summary.resources.some((r) => r.address.includes("drifted") || r.address.includes("gone"))).toBe(false);
    expect(summary.resources).toHaveLength(addresses.length);
  });

  it("[PLT-5] module addresses, imports, no changes, and a plan that never finished", () => {
    const text = planText(
      [['module.data.aws_kms_key.this["a"]', "will be destroyed"]],
      "Plan: 1 to import, 0 to add, 0 to change, 1 to destroy.",
    );
    const summary = summarizePlanText(text);
    expect(summary).toMatchObject({ imports: 1, destroys: 1 });
    expect(summary.statefulAtRisk[0]).toMatchObject({ type: "aws_kms_key", kind: "destroy" });
    expect(summarizePlanText("No changes. Your infrastructure matches the configuration.\n")).toMatchObject({
      adds: 0,
      changes: 0,
      replaces: 0,
      destroys: 0,
    });
    expect(() => summarizePlanText("│ Error: No valid credential sources found\n")).toThrow(/did not finish/);
  });
});
