import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import MarkdownIt from "markdown-it";
import { MASKED, summarizeDrift } from "../../scripts/drift-summary/drift";
import { main } from "../../scripts/drift-summary/main";
import { driftMarker, renderDriftIssue } from "../../scripts/drift-summary/render";
import { synthesizedPaths } from "../../scripts/plan-summary/paths";
import { DRIFT_TAG } from "../terraform/harness/drift";
import { synthProgram } from "../stacks/synth";

/**
 * The drift issue's body (drift.yml) from the lane's real refresh-only plan
 * (tests/fixtures/plans/ecg-staging.drift.json.gz: after the apply, the lane
 * tagged the VPC, widened an ingress rule by a port and doubled an alarm's
 * threshold through the emulator's API; harness/drift.ts), and from small
 * plans made here for what the lane cannot show (secrets, deletions).
 */
const ROOT = join(__dirname, "..", "..");
const lanePlan = JSON.parse(
  gunzipSync(readFileSync(join(ROOT, "tests", "fixtures", "plans", "ecg-staging.drift.json.gz"))).toString("utf8"),
);
const shipped = synthProgram();
const pathOf = synthesizedPaths(shipped.outdir);

/** A refresh-only plan's JSON with the given resource_drift entries. */
const planWith = (...drift: Record<string, unknown>[]) => ({ format_version: "1.2", resource_drift: drift });
const updated = (address: string, before: unknown, after: unknown, marks: { before?: unknown; after?: unknown } = {}) => ({
  address,
  mode: "managed",
  type: address.split(".")[0],
  change: { actions: ["update"], before, after, before_sensitive: marks.before ?? {}, after_sensitive: marks.after ?? {} },
});

describe("drift summary of the lane's refresh-only plan", () => {
  const drift = summarizeDrift(lanePlan);
  const byType = (type: string) => drift.resources.find((r) => r.type === type)!;

  it("[#19] reports the three out-of-band changes, each with its attribute before → after", () => {
    const vpc = byType("aws_vpc");
    expect(vpc.attributes).toContainEqual({ path: `tags.${DRIFT_TAG.key}`, before: "null", after: JSON.stringify(DRIFT_TAG.value) });
    // tags_all repeats the tag: shown once.
    expect(vpc.attributes.filter((a) => a.path.endsWith(DRIFT_TAG.key))).toHaveLength(1);
    const rule = byType("aws_vpc_security_group_ingress_rule");
    const port = rule.attributes.find((a) => a.path === "to_port")!;
    expect(Number(port.after)).toBe(Number(port.before) + 1);
    const alarm = byType("aws_cloudwatch_metric_alarm");
    const threshold = alarm.attributes.find((a) => a.path === "threshold")!;
    expect(Number(threshold.after)).toBe(Math.max(1, Number(threshold.before) * 2));
    expect(drift.resources.every((r) => r.drift === "changed")).toBe(true);
  });

  it("[#19] renders an issue body that names resources by construct path, parses as Markdown and starts with the stack's marker", () => {
    const body = renderDriftIssue("ecg-staging", drift, { pathOf, commit: "abc1234", runUrl: "https://example.invalid/run/1" });
    expect(body.split("\n")[0]).toBe(driftMarker("ecg-staging"));
    expect(body).toContain("`foundation/network/vpc`");
    expect(body).not.toMatch(/\| `aws_vpc\.foundation_network_vpc_[0-9A-F]{8}` \|/);
    const tokens = new MarkdownIt({ html: true }).parse(body, {});
    const headers = tokens.filter((t, i) => t.type === "inline" && tokens[i - 1]?.type === "th_open").map((t) => t.content);
    expect(headers.slice(0, 3)).toEqual(["Resource", "Type", "Drift"]);
    expect(headers.filter((h) => h === "Attribute")).toHaveLength(drift.resources.length);
    const opened = tokens.filter((t) => t.type === "html_block" && t.content.startsWith("<details>")).length;
    const closed = tokens.filter((t) => t.type === "html_block" && t.content.trim().endsWith("</details>")).length;
    // One per drifted resource, and one around the resources whose refresh changed only computed values.
    expect(drift.refreshedOnly.length).toBeGreaterThan(0);
    expect([opened, closed]).toEqual([drift.resources.length + 1, drift.resources.length + 1]);
  });
});

describe("drift summary: what the lane cannot show", () => {
  it("[#19] masks what Terraform marks sensitive and attributes named like secrets, at any depth", () => {
    const drift = summarizeDrift(
      planWith(
        updated(
          "aws_db_instance.db",
          { password: "old-pass", tags: { Team: "a" }, blocks: [{ token: "t1", size: 1 }], endpoint: "x" },
          { password: "new-pass", tags: { Team: "b" }, blocks: [{ token: "t2", size: 2 }], endpoint: "y" },
          { before: { endpoint: true }, after: { endpoint: true } },
        ),
      ),
    );
    const attributes = drift.resources[0].attributes;
    expect(attributes).toEqual([
      { path: "blocks[0].size", before: "1", after: "2" },
      { path: "blocks[0].token", before: MASKED, after: MASKED },
      { path: "endpoint", before: MASKED, after: MASKED },
      { path: "password", before: MASKED, after: MASKED },
      { path: "tags.Team", before: '"a"', after: '"b"' },
    ]);
    expect(renderDriftIssue("s", drift)).not.toMatch(/old-pass|new-pass|"t1"|"t2"|"x"|"y"/);
  });

  it("[#19] compares JSON documents inside strings by their content, and reports a resource deleted outside Terraform", () => {
    const policy = (actions: string[]) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions }] });
    const drift = summarizeDrift(
      planWith(updated("aws_iam_policy.p", { policy: policy(["s3:GetObject"]) }, { policy: policy(["s3:GetObject", "s3:*"]) }), {
        address: "aws_sqs_queue.q",
        mode: "managed",
        type: "aws_sqs_queue",
        change: { actions: ["delete"], before: { name: "q" }, after: null },
      }),
    );
    expect(drift.resources[0].attributes).toEqual([{ path: "policy (JSON).Statement[0].Action[1]", before: "null", after: '"s3:*"' }]);
    expect(drift.resources[1]).toMatchObject({ address: "aws_sqs_queue.q", drift: "deleted", attributes: [] });
    expect(renderDriftIssue("s", drift)).toContain("Deleted outside Terraform: `aws_sqs_queue.q` is in the state but no longer in AWS.");
  });

  it("[#19] keeps a default tag changed by hand (tags_all only), and refuses what is not a plan", () => {
    const drift = summarizeDrift(planWith(updated("aws_vpc.v", { tags_all: { Environment: "dev" } }, { tags_all: { Environment: "x" } })));
    expect(drift.resources[0].attributes).toEqual([{ path: "tags_all.Environment", before: '"dev"', after: '"x"' }]);
    expect(() => summarizeDrift({ resource_drift: [] })).toThrow(/not the JSON of a plan/);
  });

  it("[#19] a refresh that changes only attributes the configuration does not set, or turns null into a zero value, is not drift", () => {
    const plan = {
      ...planWith(
        updated("aws_security_group.sg", { name: "a", ingress: [], timeout: null }, { name: "a", ingress: [{ from_port: 1 }], timeout: 0 }),
        updated("aws_vpc.v", { cidr_block: "10.0.0.0/16", enable_dns: null }, { cidr_block: "10.0.0.0/16", enable_dns: false }),
      ),
      configuration: {
        root_module: {
          resources: [
            { address: "aws_security_group.sg", expressions: { name: {}, timeout: {} } },
            { address: "aws_vpc.v", expressions: { cidr_block: {}, enable_dns: {} } },
          ],
        },
      },
    };
    const drift = summarizeDrift(plan);
    expect(drift.resources).toEqual([]);
    expect(drift.refreshedOnly).toEqual([{ address: "aws_security_group.sg", type: "aws_security_group", attributes: ["ingress"] }]);
    expect(renderDriftIssue("s", drift)).toContain("1 resource with only computed attributes refreshed (not drift)");
  });

  it("[#19] stays under GitHub's limit by listing fewer attributes, then fewer resources, and says so", () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      updated(
        `aws_vpc.v${i}`,
        Object.fromEntries(Array.from({ length: 40 }, (_, j) => [`attribute_${j}`, "a".repeat(60)])),
        Object.fromEntries(Array.from({ length: 40 }, (_, j) => [`attribute_${j}`, "b".repeat(60)])),
      ),
    );
    const body = renderDriftIssue("ecg-prod", summarizeDrift(planWith(...many)));
    expect(body.length).toBeLessThanOrEqual(65_000);
    expect(body).toMatch(/_Shortened to fit GitHub's limit: at most \d+ resources with details and \d+ attributes each/);
    expect(body.split("\n")[0]).toBe(driftMarker("ecg-prod"));
    // Every drifted resource is still in the table.
    expect(body.match(/^\| `aws_vpc\.v\d+` \|/gm)).toHaveLength(400);
  });
});

describe("the drift-summary command", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "ecg-drift-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const quiet = { log: () => undefined, error: () => undefined };

  it("[#19] writes the body for the lane's plan with construct paths and says drift or clean; usage errors and a file that is not a plan exit 2", () => {
    const file = join(dir, "drift.json");
    writeFileSync(file, JSON.stringify(lanePlan));
    const out = join(dir, "drift.md");
    const at = () => new Date("2026-12-02T06:00:00.123Z");
    const result = join(dir, "result");
    expect(
      main(
        ["--stack", "ecg-staging", "--plan", file, "--out", out, "--result", result, "--paths", shipped.outdir, "--commit", "abc"],
        quiet,
        at,
      ),
    ).toBe(0);
    expect(readFileSync(result, "utf8")).toBe("drift\n");
    const body = readFileSync(out, "utf8");
    expect(body).toContain("`foundation/network/vpc`");
    expect(body).toContain("the program at `abc` on 2026-12-02T06:00:00Z");
    const errors: string[] = [];
    expect(main(["--stack", "s", "--plan", file], { log: () => undefined, error: (e) => errors.push(e) })).toBe(2);
    expect(errors[0]).toMatch(/--out required/);
    expect(main(["--stack", "s", "--plan", file, "--out", out, "--bogus", "x"], quiet)).toBe(2);
    // Only computed values refreshed: written, but clean (drift.yml then opens no issue).
    writeFileSync(
      file,
      JSON.stringify({ ...lanePlan, resource_drift: lanePlan.resource_drift.filter((r: any) => r.type === "aws_security_group") }),
    );
    expect(main(["--stack", "ecg-staging", "--plan", file, "--out", out, "--result", result], quiet)).toBe(0);
    expect(readFileSync(result, "utf8")).toBe("clean\n");
    writeFileSync(join(dir, "not-a-plan.json"), "{}");
    expect(main(["--stack", "s", "--plan", join(dir, "not-a-plan.json"), "--out", out], quiet)).toBe(2);
  });
});
