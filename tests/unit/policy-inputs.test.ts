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

describe("the policy pack on plans of modules, count, for_each and dynamic blocks", () => {
  const evaluatePlan = (json: Json, ids: readonly string[]) =>
    evaluateModel(new StackModel("plan", {}, false, planElements(json, "plan")), {
      rules: ALL_RULES.filter((r) => r.ids.some((id) => ids.includes(id))),
      production: false,
    }).findings.map((f) => `${f.rule} ${f.address}: ${f.found}`);
  const resource = (address: string, type: string, values: Json, mode = "managed") => ({
    address,
    mode,
    type,
    name: address.split(".").pop(),
    values,
  });
  const configured = (address: string, type: string, expressions: Json, extra: Json = {}) => ({
    address,
    mode: "managed",
    type,
    expressions,
    ...extra,
  });
  /** A plan of the root module: these planned resources, this configuration, and `extra` (prior_state, complete). */
  const rootPlan = (planned: Json[], configuration: Json[], extra: Json = {}): Json => ({
    format_version: "1.2",
    planned_values: { root_module: { resources: planned } },
    configuration: { root_module: { resources: configuration } },
    ...extra,
  });

  it("a reference to a module's output is not a resource of the stack (no ECG_STACK_1), and the known value stays", () => {
    const json = rootPlan(
      [resource("aws_lb.alb", "aws_lb", { subnets: ["subnet-a", "subnet-b"], internal: true })],
      [configured("aws_lb.alb", "aws_lb", { subnets: { references: ["module.vpc.public_subnets", "module.vpc"] } })],
    );
    expect(evaluatePlan(json, ["ECG_STACK_1"])).toEqual([]);
    expect(planElements(json, "plan").resources[0].config.subnets).toEqual(["subnet-a", "subnet-b"]);
  });

  it("resources of a module instance (count / for_each on the module) keep their configuration and are not doubled", () => {
    const json = {
      format_version: "1.2",
      planned_values: {
        root_module: {
          child_modules: [
            {
              address: "module.store[0]",
              resources: [
                resource("module.store[0].aws_s3_bucket.b", "aws_s3_bucket", { bucket: "acme-0" }),
                resource("module.store[0].aws_s3_bucket_versioning.v", "aws_s3_bucket_versioning", {
                  bucket: "acme-0",
                  versioning_configuration: [{ status: "Enabled" }],
                }),
              ],
            },
          ],
        },
      },
      configuration: {
        root_module: {
          module_calls: {
            store: {
              count_expression: { constant_value: 1 },
              module: {
                resources: [
                  configured("aws_s3_bucket.b", "aws_s3_bucket", {}),
                  configured("aws_s3_bucket_versioning.v", "aws_s3_bucket_versioning", {
                    bucket: { references: ["aws_s3_bucket.b.id", "aws_s3_bucket.b"] },
                  }),
                ],
              },
            },
          },
        },
      },
    };
    const elements = planElements(json, "plan");
    expect(elements.resources.map((r) => r.address)).toEqual([
      "module.store[0].aws_s3_bucket.b",
      "module.store[0].aws_s3_bucket_versioning.v",
    ]);
    expect(elements.resources[1].config.bucket).toBe("${module.store[0].aws_s3_bucket.b.id}");
    expect(evaluatePlan(json, ["CKV_AWS_21", "ECG_STACK_1"])).toEqual([]);
  });

  it("a resource with count = 0 does not exist: a flow log that is not planned does not count for CKV2_AWS_11", () => {
    const json = rootPlan(
      [resource("aws_vpc.v", "aws_vpc", { cidr_block: "10.0.0.0/16" })],
      [
        configured("aws_vpc.v", "aws_vpc", { cidr_block: { constant_value: "10.0.0.0/16" } }),
        configured(
          "aws_flow_log.f",
          "aws_flow_log",
          { vpc_id: { references: ["aws_vpc.v.id", "aws_vpc.v"] } },
          { count_expression: { constant_value: 0 } },
        ),
      ],
    );
    expect(evaluatePlan(json, ["CKV2_AWS_11"])).toEqual(["CKV2_AWS_11 aws_vpc.v: no aws_flow_log for this VPC"]);
  });

  it("a known value beats a template of variables only (cdktf JSON): the AWS-managed key from a variable still fails CKV_AWS_149", () => {
    const json = rootPlan(
      [resource("aws_secretsmanager_secret.s", "aws_secretsmanager_secret", { kms_key_id: "alias/aws/secretsmanager" })],
      [configured("aws_secretsmanager_secret.s", "aws_secretsmanager_secret", { kms_key_id: { constant_value: "${var.key}" } })],
    );
    expect(evaluatePlan(json, ["CKV_AWS_149"])).toEqual([
      "CKV_AWS_149 aws_secretsmanager_secret.s: the secret uses an AWS-managed key (aws/secretsmanager)",
    ]);
  });

  it("known lists stay lists, and an index per instance keeps the known value (each versioning finds its own bucket by name)", () => {
    const json = rootPlan(
      [
        resource("aws_security_group.sg", "aws_security_group", {
          description: "app",
          ingress: [{ description: "vpc", protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["10.0.0.0/16"] }],
        }),
        resource("aws_s3_bucket.b[0]", "aws_s3_bucket", { bucket: "acme-0" }),
        resource("aws_s3_bucket.b[1]", "aws_s3_bucket", { bucket: "acme-1" }),
        resource("aws_s3_bucket_versioning.v[0]", "aws_s3_bucket_versioning", {
          bucket: "acme-0",
          versioning_configuration: [{ status: "Enabled" }],
        }),
        resource("aws_s3_bucket_versioning.v[1]", "aws_s3_bucket_versioning", {
          bucket: "acme-1",
          versioning_configuration: [{ status: "Enabled" }],
        }),
      ],
      [
        configured("aws_security_group.sg", "aws_security_group", {
          ingress: [{ cidr_blocks: { references: ["aws_vpc.main.cidr_block", "aws_vpc.main"] } }],
        }),
        configured("aws_s3_bucket.b", "aws_s3_bucket", {}, { count_expression: { constant_value: 2 } }),
        configured(
          "aws_s3_bucket_versioning.v",
          "aws_s3_bucket_versioning",
          { bucket: { references: ["aws_s3_bucket.b", "count.index"] } },
          { count_expression: { constant_value: 2 } },
        ),
      ],
    );
    expect(evaluatePlan(json, ["CKV_AWS_24", "CKV_AWS_21"])).toEqual([]);
  });

  it("rules a plan shows only as planned (dynamic blocks are not in its configuration) are kept: a dynamic SSH rule from the internet fails", () => {
    const json = rootPlan(
      [
        resource("aws_security_group.sg", "aws_security_group", {
          description: "bastion",
          ingress: [{ description: "ssh", protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] }],
        }),
      ],
      [configured("aws_security_group.sg", "aws_security_group", { description: { constant_value: "bastion" } })],
    );
    expect(evaluatePlan(json, ["CKV_AWS_24"])).toEqual([
      "CKV_AWS_24 aws_security_group.sg: ingress from the internet to port 22 (tcp 22-22)",
    ]);
  });

  it("reads the data sources Terraform read while planning from prior_state", () => {
    const json = rootPlan(
      [resource("aws_iam_policy.p", "aws_iam_policy", { name: "p" })],
      [
        configured("aws_iam_policy.p", "aws_iam_policy", {
          policy: { references: ["data.aws_iam_policy_document.d.json", "data.aws_iam_policy_document.d"] },
        }),
        {
          address: "data.aws_iam_policy_document.d",
          mode: "data",
          type: "aws_iam_policy_document",
          expressions: { statement: [{ actions: { references: ["var.actions"] } }] },
        },
      ],
      {
        prior_state: {
          values: {
            root_module: {
              resources: [
                resource(
                  "data.aws_iam_policy_document.d",
                  "aws_iam_policy_document",
                  { statement: [{ effect: "Allow", actions: ["*"], resources: ["*"] }] },
                  "data",
                ),
              ],
            },
          },
        },
      },
    );
    expect(evaluatePlan(json, ["CKV_AWS_1", "CKV_AWS_62"])).toEqual([
      'CKV_AWS_1 data.aws_iam_policy_document.d: Allow "*" on "*"',
      'CKV_AWS_62 aws_iam_policy.p: Allow "*" on "*"',
    ]);
  });

  it("refuses, naming the file, a plan whose shape it cannot read; a for_each address still gets a line of its own (never 0)", () => {
    const dir = folder();
    const broken = write(dir, "broken-plan.json", { format_version: "1.0", planned_values: { root_module: { resources: {} } } });
    expect(() => loadInputs(broken, false)).toThrow(`${broken}: a plan the pack cannot read (planned resources is not a list of objects)`);
    const keyed = write(dir, "keyed-plan.json", {
      format_version: "1.2",
      planned_values: { root_module: { resources: [resource('aws_sns_topic.t["alerts"]', "aws_sns_topic", { name: "alerts" })] } },
      configuration: { root_module: { resources: [] } },
    });
    const [input] = loadInputs(keyed, false);
    expect(input.lineOf('aws_sns_topic.t["alerts"]')).toBeGreaterThan(1);
    expect(input.lineOf("aws_sns_topic.unknown")).toBe(1);
  });
});
