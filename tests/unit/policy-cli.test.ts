import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import Ajv from "ajv-draft-04";
import { buildSync } from "esbuild";
import type { Json } from "../../modules/common/json";

/**
 * `npm run policy -- <path> [--format json|sarif] [--production] [--rules]` end to end:
 * the script bundled as `npm run policy` bundles it, run on files written here and on a
 * lane plan. SARIF output is validated against the SARIF 2.1.0 JSON schema (OASIS,
 * as shipped by @microsoft/sarif-matcher-utils) and against what GitHub code scanning
 * requires beyond it: a physical location with a line on every result.
 */

const ROOT = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "ecg-policy-cli-"));
// Bundled into a dist/ folder one level below a package.json, as npm run policy does.
const bundle = join(work, "dist", "policy.js");
writeFileSync(join(work, "package.json"), readFileSync(join(ROOT, "package.json")));
buildSync({
  entryPoints: [join(ROOT, "scripts", "policy.ts")],
  bundle: true,
  platform: "node",
  target: "node20",
  outfile: bundle,
  logLevel: "warning",
});

const run = (...args: string[]) => spawnSync(process.execPath, [bundle, ...args], { cwd: work, encoding: "utf8" });
const write = (name: string, json: unknown) => {
  writeFileSync(join(work, name), JSON.stringify(json, null, 2));
  return name;
};

const schema = JSON.parse(readFileSync(require.resolve("@microsoft/sarif-matcher-utils/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
// The OASIS schema is draft-04, with one pattern that only non-unicode regular expressions accept.
const validSarif = new Ajv({ strict: false, validateFormats: false, unicodeRegExp: false }).compile(schema);

const compliantTopic = { resource: { aws_sns_topic: { alerts: { name: "alerts", kms_master_key_id: "alias/alerts" } } } };
const plainTopic = { resource: { aws_sns_topic: { alerts: { name: "alerts" } } } };

describe("npm run policy on any Terraform", () => {
  // Each run starts Node on the bundle: the runs are shared between tests where they can be.
  const sarifRun = run(write("sarif.tf.json", plainTopic), "--format", "sarif");

  it("exits 0 on a compliant file and 1 on an error, with the text report naming rule, address and fix", () => {
    expect(run(write("ok.tf.json", compliantTopic)).status).toBe(0);
    const failed = run(write("plain.tf.json", plainTopic));
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain("ERROR CKV_AWS_26 aws_sns_topic.alerts");
    expect(failed.stdout).toContain("fix:   set kms_master_key_id");
  });

  it("--format sarif writes SARIF 2.1.0 that the schema accepts: rules as tool.driver.rules, one result per finding at the file and line", () => {
    expect(sarifRun.status).toBe(1);
    const sarif = JSON.parse(sarifRun.stdout);
    expect(validSarif(sarif)).toBe(true);
    expect(sarif.version).toBe("2.1.0");
    const [runOf] = sarif.runs;
    const ids = runOf.tool.driver.rules.map((r: Json) => r.id);
    expect(ids).toEqual(expect.arrayContaining(["CKV_AWS_26", "CKV_AWS_24", "ECG_TFC_OIDC_TRUST"]));
    const [finding] = runOf.results.filter((r: Json) => r.ruleId === "CKV_AWS_26");
    expect(finding).toMatchObject({
      level: "error",
      message: { text: expect.stringContaining("aws_sns_topic.alerts: no kms_master_key_id") },
      locations: [{ physicalLocation: { artifactLocation: { uri: "sarif.tf.json" }, region: { startLine: 4 } } }],
    });
    expect(runOf.tool.driver.rules[finding.ruleIndex].id).toBe("CKV_AWS_26");
  });

  it("the schema check can fail: a result without a message is refused", () => {
    const sarif = JSON.parse(sarifRun.stdout);
    delete sarif.runs[0].results[0].message;
    expect(validSarif(sarif)).toBe(false);
  });

  it("on a lane plan: valid SARIF, every result with a physical location and line (GitHub refuses results without), and the plan-blind rule listed as not checked", () => {
    writeFileSync(
      join(work, "prod.plan.json"),
      gunzipSync(readFileSync(join(ROOT, "tests", "fixtures", "plans", "ecg-prod.replan.json.gz"))),
    );
    const result = run("prod.plan.json", "--production", "--format", "sarif");
    const sarif = JSON.parse(result.stdout);
    expect(validSarif(sarif)).toBe(true);
    const results: Json[] = sarif.runs[0].results;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe("prod.plan.json");
      expect(r.locations[0].physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
    }
    const notes = sarif.runs[0].invocations[0].toolExecutionNotifications.map((n: Json) => n.associatedRule.id);
    expect(notes).toEqual(["ECG_PROD_PREVENT_DESTROY"]);
  });

  it("exits 2 with a clear message on a file that is neither a configuration nor a plan, and on an unknown option", () => {
    const other = run(write("package-copy.json", { name: "x" }));
    expect(other.status).toBe(2);
    expect(other.stderr).toContain("package-copy.json: neither a Terraform JSON configuration");
    const option = run("--rules", "--formt", "sarif");
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("unknown option --formt");
  });
});
