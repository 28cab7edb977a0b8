import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALL_RULES } from "../../modules/policy";
import { evaluateModel } from "../../modules/policy/engine";
import { jsonReport } from "../../modules/policy/formats";
import { formatRules } from "../../modules/policy/rule-list";
import { loadInputs, PolicyInputError } from "../../modules/policy/inputs";
import { planElements } from "../../modules/policy/plan";
import { StackModel } from "../../modules/policy/model";
import type { Json } from "../../modules/common/json";

/**
 * The policy pack on Terraform that this program did not write: hand-written
 * `*.tf.json` (no cdktf metadata), plans of `terraform show -json`, folders of them,
 * and the clear error for anything else.
 */

const folder = () => mkdtempSync(join(tmpdir(), "ecg-policy-inputs-"));
const write = (dir: string, name: string, json: unknown) => {
  const file = join(dir, name);
  writeFileSync(file, typeof json === "string" ? json : JSON.stringify(json, null, 2));
  return file;
};
const findings = (path: string, production = false) =>
  loadInputs(path, production).flatMap((input) =>
    evaluateModel(input.model, { rules: ALL_RULES, production }).findings.map((f) => ({ input: input.name, ...f })),
  );
const ofRule = (list: ReturnType<typeof findings>, rule: string) => list.filter((f) => f.rule === rule).map((f) => f.address);

describe("the policy pack on any Terraform JSON configuration", () => {
  it("reads a hand-written *.tf.json without cdktf metadata, the list forms Terraform JSON allows included", () => {
    const dir = folder();
    const file = write(dir, "main.tf.json", {
      resource: [
        { aws_s3_bucket: { versioned: { bucket: "acme-versioned" }, plain: [{ bucket: "acme-plain" }] } },
        { aws_s3_bucket_versioning: { v: { bucket: "${aws_s3_bucket.versioned.id}", versioning_configuration: { status: "Enabled" } } } },
      ],
    });
    const result = findings(file);
    expect(ofRule(result, "CKV_AWS_21")).toEqual(["aws_s3_bucket.plain"]);
    // No cdktf construct path: the path is the input and the address.
    expect(result.find((f) => f.rule === "CKV_AWS_21")?.path).toBe(`${result[0].input}/plain`);
  });

  it("merges every *.tf.json of a folder as Terraform does, and points each finding at the file and line that declares the resource", () => {
    const dir = folder();
    write(dir, "buckets.tf.json", { resource: { aws_s3_bucket: { logs: { bucket: "acme-logs" }, data: { bucket: "acme-data" } } } });
    // Repeating the bucket's literal name connects the settings to it, as in hand-written HCL.
    write(dir, "settings.tf.json", {
      resource: { aws_s3_bucket_versioning: { logs: { bucket: "acme-logs", versioning_configuration: { status: "Enabled" } } } },
    });
    const [input] = loadInputs(dir, false);
    const report = evaluateModel(input.model, { rules: ALL_RULES, production: false });
    const unversioned = report.findings.filter((f) => f.rule === "CKV_AWS_21");
    expect(unversioned.map((f) => f.address)).toEqual(["aws_s3_bucket.data"]);
    expect(input.fileOf("aws_s3_bucket.data")).toBe(join(dir, "buckets.tf.json"));
    expect(input.fileOf("aws_s3_bucket_versioning.logs")).toBe(join(dir, "settings.tf.json"));
    const declared =
      readFileSync(join(dir, "buckets.tf.json"), "utf8")
        .split("\n")
        .findIndex((line) => line.includes('"data": {')) + 1;
    expect(declared).toBeGreaterThan(1);
    expect(input.lineOf("aws_s3_bucket.data")).toBe(declared);
  });

  it("walks a folder like cdktf.out: each stack's cdk.tf.json is one input named by its stack, other JSON is passed over", () => {
    const dir = folder();
    for (const stack of ["alpha", "beta"]) {
      mkdirSync(join(dir, "stacks", stack), { recursive: true });
      write(join(dir, "stacks", stack), "cdk.tf.json", { resource: { aws_sns_topic: { t: { name: stack } } } });
    }
    write(dir, "manifest.json", { version: "0.21.0", stacks: {} });
    const result = findings(dir);
    expect([...new Set(result.map((f) => f.input))].sort()).toEqual(["alpha", "beta"]);
    expect(ofRule(result, "CKV_AWS_26")).toEqual(["aws_sns_topic.t", "aws_sns_topic.t"]);
  });

  it("--production switches the production-only rules on", () => {
    const dir = folder();
    const file = write(dir, "db.tf.json", {
      resource: { aws_db_instance: { db: { engine: "postgres", instance_class: "db.t4g.micro", multi_az: false } } },
    });
    expect(ofRule(findings(file, false), "CKV_AWS_157")).toEqual([]);
    expect(ofRule(findings(file, true), "CKV_AWS_157")).toEqual(["aws_db_instance.db"]);
  });

  it("refuses, naming the file, what is neither a configuration nor a plan, what is not JSON, a missing path and an empty folder", () => {
    const dir = folder();
    const other = write(dir, "package.json", { name: "x", version: "1.0.0" });
    const broken = write(dir, "broken.tf.json", "{ not json");
    expect(() => loadInputs(other, false)).toThrow(
      new PolicyInputError(
        `${other}: neither a Terraform JSON configuration (*.tf.json, cdk.tf.json) nor a plan (terraform show -json plan.tfplan)`,
      ),
    );
    expect(() => loadInputs(broken, false)).toThrow(PolicyInputError);
    expect(() => loadInputs(broken, false)).toThrow(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: not JSON`));
    expect(() => loadInputs(join(dir, "missing.json"), false)).toThrow(`${join(dir, "missing.json")}: no such file or folder`);
    const empty = folder();
    expect(() => loadInputs(empty, false)).toThrow(`${empty}: no Terraform JSON configuration (*.tf.json) or plan JSON in this folder`);
  });
});

/** A minimal plan of format 1.2, as `terraform show -json` writes it for an HCL configuration. */
function plan(resources: { address: string; type: string; values: Json; expressions: Json; mode?: string }[]): Json {
  return {
    format_version: "1.2",
    planned_values: {
      root_module: {
        resources: resources
          .filter((r) => r.values)
          .map((r) => ({
            address: r.address,
            mode: r.mode ?? "managed",
            type: r.type,
            name: r.address.split(".").pop(),
            values: r.values,
          })),
      },
    },
    configuration: {
      root_module: {
        resources: resources.map((r) => ({
          address: r.address,
          mode: r.mode ?? "managed",
          type: r.type,
          name: r.address.split(".").pop(),
          expressions: r.expressions,
        })),
      },
    },
  };
}

describe("the policy pack on a plan (terraform show -json)", () => {
  it("rewrites a reference the plan knows only as an address into the expression rules read, so settings find their bucket", () => {
    const model = new StackModel(
      "plan",
      {},
      false,
      planElements(
        plan([
          {
            address: "aws_s3_bucket.b",
            type: "aws_s3_bucket",
            values: { bucket: "acme-b", force_destroy: false },
            expressions: { bucket: { constant_value: "acme-b" } },
          },
          {
            address: "aws_s3_bucket_versioning.v",
            type: "aws_s3_bucket_versioning",
            // The bucket's id is known (its name), but the argument is a reference in the configuration.
            values: { bucket: "acme-b", versioning_configuration: [{ status: "Enabled", mfa_delete: null }] },
            expressions: {
              bucket: { references: ["aws_s3_bucket.b.id", "aws_s3_bucket.b"] },
              versioning_configuration: [{ status: { constant_value: "Enabled" } }],
            },
          },
        ]),
        "plan",
      ),
    );
    const versioning = model.resources.find((r) => r.type === "aws_s3_bucket_versioning");
    expect(versioning?.config.bucket).toBe("${aws_s3_bucket.b.id}");
    expect(model.referenced(versioning?.config.bucket)?.address).toBe("aws_s3_bucket.b");
    const report = evaluateModel(model, { rules: ALL_RULES.filter((r) => r.ids.includes("CKV_AWS_21")), production: false });
    expect(report.findings).toEqual([]);
  });

  it("keeps a known policy document that names several resources, and marks what is unknown until apply as an expression (fail-closed where a value matters)", () => {
    const elements = planElements(
      plan([
        {
          address: "aws_iam_role_policy.p",
          type: "aws_iam_role_policy",
          values: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) },
          expressions: { policy: { references: ["aws_s3_bucket.a.arn", "aws_s3_bucket.a", "aws_s3_bucket.b.arn", "aws_s3_bucket.b"] } },
        },
        {
          address: "aws_lb_listener.l",
          type: "aws_lb_listener",
          values: { port: 443 },
          expressions: { protocol: { references: ["var.protocol"] } },
        },
      ]),
      "plan",
    );
    const model = new StackModel("plan", {}, false, elements);
    const report = evaluateModel(model, { rules: ALL_RULES, production: false });
    expect(report.findings.filter((f) => f.rule === "CKV_AWS_63").map((f) => f.address)).toEqual(["aws_iam_role_policy.p"]);
    expect(report.findings.find((f) => f.rule === "CKV_AWS_2")).toMatchObject({
      severity: "error",
      found: expect.stringContaining("cannot be inspected"),
    });
  });

  it("reads resources of child modules with their module addresses and module-relative references", () => {
    const json = {
      format_version: "1.2",
      planned_values: {
        root_module: {
          child_modules: [
            {
              address: "module.store",
              resources: [
                { address: "module.store.aws_s3_bucket.b", mode: "managed", type: "aws_s3_bucket", name: "b", values: { bucket: "acme" } },
                {
                  address: "module.store.aws_s3_bucket_versioning.v",
                  mode: "managed",
                  type: "aws_s3_bucket_versioning",
                  name: "v",
                  values: { versioning_configuration: [{ status: "Enabled" }] },
                },
              ],
            },
          ],
        },
      },
      configuration: {
        root_module: {
          module_calls: {
            store: {
              module: {
                resources: [
                  { address: "aws_s3_bucket.b", mode: "managed", type: "aws_s3_bucket", expressions: {} },
                  {
                    address: "aws_s3_bucket_versioning.v",
                    mode: "managed",
                    type: "aws_s3_bucket_versioning",
                    expressions: { bucket: { references: ["aws_s3_bucket.b.id", "aws_s3_bucket.b"] } },
                  },
                ],
              },
            },
          },
        },
      },
    };
    const model = new StackModel("plan", {}, false, planElements(json, "plan"));
    expect(model.resources.map((r) => r.address)).toEqual(["module.store.aws_s3_bucket.b", "module.store.aws_s3_bucket_versioning.v"]);
    expect(model.resources[1].config.bucket).toBe("${module.store.aws_s3_bucket.b.id}");
    const report = evaluateModel(model, {
      rules: ALL_RULES.filter((r) => ["CKV_AWS_21", "ECG_STACK_1"].includes(r.ids[0])),
      production: false,
    });
    expect(report.findings).toEqual([]);
  });
});

describe("the report formats", () => {
  const dir = folder();
  const file = write(dir, "topic.tf.json", { resource: { aws_sns_topic: { alerts: { name: "alerts" } } } });
  const [input] = loadInputs(file, false);
  const report = evaluateModel(input.model, { rules: ALL_RULES, production: false });
  const locate = () => ({ uri: "topic.tf.json", line: input.lineOf("aws_sns_topic.alerts") });

  it("--format json: each finding with its rule, address, fix, file and line, and the error count", () => {
    const json = jsonReport([report], locate);
    expect(json.errors).toBe(report.findings.filter((f) => f.severity === "error").length);
    expect(json.stacks[0].findings.find((f: Json) => f.rule === "CKV_AWS_26")).toMatchObject({
      address: "aws_sns_topic.alerts",
      found: "no kms_master_key_id",
      fix: "set kms_master_key_id",
      uri: "topic.tf.json",
      line: 4,
    });
  });

  it("--rules: every rule with its IDs, resource types and notes; one entry for the rule of two severities", () => {
    const listed = formatRules(ALL_RULES);
    expect(listed).toMatch(/^CKV_AWS_24 {2}No ingress from 0\.0\.0\.0\/0 or ::\/0 to port 22 \(SSH\) \(error\)$/m);
    expect(listed).toContain("    note: ELBSecurityPolicy-TLS13-1-0-*");
    expect(listed).toContain("    plans: not checked (plan JSON leaves out the lifecycle meta-argument");
    expect(listed.match(/^ECG_DEPRECATION_1 .*\(error or warning\)$/gm)).toHaveLength(1);
  });
});
