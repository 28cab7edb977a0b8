import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, Aspects, TerraformStack, Testing } from "cdktf";
import { evaluate, formatReport, PolicySynthesizer, type PolicyReport, type Rule, suppress } from "../../modules/policy";
import { synthesize } from "../../stacks/app";

/** Two small rules over log groups: an error and a production-only warning. */
const retention: Rule = {
  ids: ["CKV_AWS_66"],
  title: "retention",
  severity: "error",
  types: ["aws_cloudwatch_log_group"],
  check: ({ config }) => (config.retention_in_days ? undefined : "no retention"),
  fix: "set retention_in_days",
};
const prodOnly: Rule = {
  ids: ["ECG_TEST_PROD"],
  title: "prod only",
  severity: "warning",
  productionOnly: true,
  types: ["aws_cloudwatch_log_group"],
  check: () => "always in prod",
  fix: "nothing",
};

function stackWith(
  groups: Record<string, number | undefined>,
  app: App = Testing.app(),
): { stack: TerraformStack; nodes: Record<string, CloudwatchLogGroup> } {
  const stack = new TerraformStack(app, "policy-test");
  new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
  const nodes = Object.fromEntries(
    Object.entries(groups).map(([id, days]) => [id, new CloudwatchLogGroup(stack, id, { name: id, retentionInDays: days })]),
  );
  return { stack, nodes };
}

describe("policy engine", () => {
  it("reports rule ID, resource address, construct path, what was found and the fix", () => {
    const { stack } = stackWith({ good: 30, bad: undefined });
    const report = evaluate(stack, { rules: [retention], production: false });
    expect(report.findings).toEqual([
      {
        rule: "CKV_AWS_66",
        severity: "error",
        address: "aws_cloudwatch_log_group.bad",
        path: "policy-test/bad",
        found: "no retention",
        fix: "set retention_in_days",
      },
    ]);
    expect(formatReport(report)).toBe(
      [
        "Policy report for policy-test: 1 error(s), 0 warning(s), 0 suppression(s)",
        "  ERROR CKV_AWS_66 aws_cloudwatch_log_group.bad",
        "    found: no retention",
        "    fix:   set retention_in_days",
      ].join("\n"),
    );
  });

  it("runs production-only rules only in production", () => {
    const { stack } = stackWith({ good: 30 });
    expect(evaluate(stack, { rules: [prodOnly], production: false }).findings).toEqual([]);
    expect(evaluate(stack, { rules: [prodOnly], production: true }).findings.map((f) => f.severity)).toEqual(["warning"]);
  });

  it("honours a suppression per resource and rule, and lists it with its reason", () => {
    const { stack, nodes } = stackWith({ bad: undefined, other: undefined });
    suppress(nodes.bad, "CKV_AWS_66", "Kept forever on purpose: the audit trail must outlive every retention period.");
    const report = evaluate(stack, { rules: [retention], production: false });
    expect(report.findings.map((f) => f.address)).toEqual(["aws_cloudwatch_log_group.other"]);
    expect(report.suppressed).toEqual([
      {
        rule: "CKV_AWS_66",
        address: "aws_cloudwatch_log_group.bad",
        path: "policy-test/bad",
        reason: "Kept forever on purpose: the audit trail must outlive every retention period.",
      },
    ]);
    expect(formatReport(report)).toContain("  SUPPRESSED CKV_AWS_66 aws_cloudwatch_log_group.bad\n    reason: Kept forever on purpose");
  });

  it("reports a stale suppression (the resource complies) as an error", () => {
    const { stack, nodes } = stackWith({ good: 30 });
    suppress(nodes.good, "CKV_AWS_66", "Once needed, no longer true after the retention was set.");
    expect(evaluate(stack, { rules: [retention], production: false }).findings).toEqual([
      expect.objectContaining({ rule: "CKV_AWS_66", severity: "error", found: expect.stringContaining("does not break") }),
    ]);
  });

  it("keeps a module's suppression of a production-only rule where the rule is off (outside production), and uses it in production", () => {
    const { stack, nodes } = stackWith({ group: 30 });
    suppress(nodes.group, "ECG_TEST_PROD", "A module's exception that matters only where production rules run.");
    expect(evaluate(stack, { rules: [retention, prodOnly], production: false })).toMatchObject({ findings: [], suppressed: [] });
    expect(evaluate(stack, { rules: [retention, prodOnly], production: true })).toMatchObject({
      findings: [],
      suppressed: [expect.objectContaining({ rule: "ECG_TEST_PROD" })],
    });
  });

  it.each([
    ["CKV_AWS_66", "short", "a reason of at least 20 characters is required"],
    ["checkov-66", "A perfectly long and detailed reason.", '"checkov-66" is not a rule ID'],
  ])("refuses suppress(%s, %s)", (rule, reason, message) => {
    const { nodes } = stackWith({ bad: undefined });
    expect(() => suppress(nodes.bad, rule, reason)).toThrow(message);
  });

  it("as the stack's synthesizer, checks the written Terraform: fails with the report and removes the file on errors", () => {
    const outdir = mkdtempSync(join(tmpdir(), "ecg-policy-synth-"));
    const failing = stackWith({ bad: undefined }, new App({ outdir })).stack;
    PolicySynthesizer.apply(failing, { rules: [retention], production: false });
    expect(() => (failing.node.root as App).synth()).toThrow(
      /Policy report for policy-test: 1 error\(s\)[\s\S]*ERROR CKV_AWS_66 aws_cloudwatch_log_group.bad/,
    );
    expect(existsSync(join(outdir, "stacks", "policy-test", "cdk.tf.json"))).toBe(false);
  });

  it("passes warnings on to the manifest, where `cdktf synth` prints them, and reports what was written", () => {
    const outdir = mkdtempSync(join(tmpdir(), "ecg-policy-synth-"));
    const app = new App({ outdir });
    const warned = stackWith({ good: 30 }, app).stack;
    const reports: PolicyReport[] = [];
    PolicySynthesizer.apply(warned, { rules: [retention, prodOnly], production: true, onReport: (r) => reports.push(r) });
    app.synth();
    expect(reports.map((r) => r.findings.map((f) => f.rule))).toEqual([["ECG_TEST_PROD"]]);
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
    expect(manifest.stacks["policy-test"].annotations).toContainEqual({
      constructPath: "policy-test/good",
      level: "@cdktf/warn",
      message: "ECG_TEST_PROD aws_cloudwatch_log_group.good: always in prod Fix: nothing",
    });
  });

  it("checks the Terraform after every aspect has run (aspects of child constructs included)", () => {
    const { stack, nodes } = stackWith({ bad: undefined }, new App({ outdir: mkdtempSync(join(tmpdir(), "ecg-policy-synth-")) }));
    // An aspect on the log group itself runs after any aspect on the stack.
    Aspects.of(nodes.bad).add({
      visit: (node) => {
        if (node instanceof CloudwatchLogGroup) node.retentionInDays = 7;
      },
    });
    const reports: PolicyReport[] = [];
    PolicySynthesizer.apply(stack, { rules: [retention], production: false, onReport: (r) => reports.push(r) });
    (stack.node.root as App).synth();
    expect(reports.map((r) => r.findings)).toEqual([[]]);
  });

  it("leaves no output behind when a later stack fails its policy at synth", () => {
    const outdir = mkdtempSync(join(tmpdir(), "ecg-policy-synth-"));
    const app = new App({ outdir });
    const first = new TerraformStack(app, "first");
    new AwsProvider(first, "aws", { region: "ap-northeast-2" });
    const second = stackWith({ bad: undefined }, app).stack;
    PolicySynthesizer.apply(second, { rules: [retention], production: false });
    expect(() => synthesize(app)).toThrow("ERROR CKV_AWS_66");
    expect(existsSync(join(outdir, "stacks")) ? readdirSync(join(outdir, "stacks")) : []).toEqual([]);
    expect(existsSync(join(outdir, "manifest.json"))).toBe(false);
  });
});
