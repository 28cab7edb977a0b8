import { ALL_RULES, type Rule } from "../../modules/policy";
import { ALL_TYPES, evaluateModel, findingOf } from "../../modules/policy/engine";
import { type ResourceView, StackModel } from "../../modules/policy/model";
import { Uninspectable } from "../../modules/policy/rules/helpers";
import type { Json } from "../../modules/common/json";

/**
 * Every rule over odd shapes of every resource type it checks: no rule may throw
 * anything but Uninspectable (which the engine reports as "cannot be inspected"). The
 * shapes do not depend on knowing which arguments a rule reads: a Proxy answers every
 * argument, at every depth, with the same odd value (or, in the mixed shapes, with one
 * chosen from the argument's name), so each position a rule looks at gets each value.
 */

/** Values Terraform JSON can hold where a rule expects something else. */
const ODD_VALUES: Record<string, () => unknown> = {
  missing: () => undefined,
  null: () => null,
  expression: () => "${var.anything}",
  "reference expression": () => "${aws_s3_bucket.other.id}",
  "number as string": () => "7",
  "boolean as string": () => "true",
  "false as string": () => "false",
  "plain string": () => "something",
  "empty string": () => "",
  number: () => 7,
  "negative number": () => -1,
  boolean: () => true,
  "empty list": () => [],
  "list of expressions": () => ["${var.list}"],
  "list of empty blocks": () => [{}],
  "list of nulls": () => [null],
  "empty object": () => ({}),
};

/** A configuration answering every argument with `leaf(key)`, and nested blocks with more of the same. */
function oddConfig(leaf: (key: string, depth: number) => unknown, depth = 0): Json {
  return new Proxy(
    {},
    {
      get(_target, key) {
        if (typeof key === "symbol") return undefined;
        if (key === "toJSON") return undefined;
        const value = leaf(key, depth);
        if (depth < 3 && key.length % 3 === 0 && Array.isArray(value) && value.length === 1 && typeof value[0] === "object")
          return [oddConfig(leaf, depth + 1)];
        return value;
      },
      has: () => true,
    },
  );
}

const hash = (text: string) => [...text].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
const KINDS = Object.values(ODD_VALUES);

/** Shapes for one resource: one per odd value everywhere, plus mixtures chosen by argument name. */
function shapes(): { name: string; config: Json }[] {
  const uniform = Object.entries(ODD_VALUES).map(([name, make]) => ({ name: `${name} everywhere`, config: oddConfig(() => make()) }));
  const mixed = [0, 1, 2, 3, 4, 5].map((seed) => ({
    name: `mixture ${seed}`,
    config: oddConfig((key, depth) => KINDS[(hash(key) + seed * 7 + depth) % KINDS.length]()),
  }));
  const plain = [
    { name: "no arguments", config: {} },
    {
      name: "a dynamic block for every name",
      config: new Proxy({}, { get: (_t, k) => (k === "dynamic" ? oddConfig(() => ({ for_each: "${var.x}" })) : undefined) }),
    },
  ];
  return [...plain, ...uniform, ...mixed];
}

/** A few types that rules with ALL_TYPES see. */
const SAMPLE_TYPES = ["aws_lambda_function", "aws_db_instance", "aws_elasticache_replication_group", "aws_s3_bucket"];

function typesOf(rule: Rule): string[] {
  return rule.types.includes(ALL_TYPES) ? SAMPLE_TYPES : [...rule.types];
}

function view(type: string, config: Json, data = false): ResourceView {
  return { type, name: "odd", address: `${data ? "data." : ""}${type}.odd`, path: `odd/${type}`, config };
}

describe("policy rules never throw on odd shapes", () => {
  it("every rule, every type it checks, every odd shape: no exception but Uninspectable", () => {
    const crashes: string[] = [];
    let runs = 0;
    for (const rule of ALL_RULES) {
      for (const type of typesOf(rule)) {
        for (const shape of shapes()) {
          const subject = view(type.replace(/^data\./, ""), shape.config, type.startsWith("data."));
          // The other resources of the model have odd shapes too: rules look across resources.
          const others = [
            view(
              "aws_iam_policy_document",
              oddConfig(() => [{}]),
              true,
            ),
            view("aws_kms_key", shape.config),
          ];
          const model = new StackModel("odd", {}, true, {
            resources: [subject, others[1]].filter((v) => !v.address.startsWith("data.")),
            dataSources: [others[0], ...(subject.address.startsWith("data.") ? [subject] : [])],
            ephemeralResources: [],
          });
          runs++;
          try {
            rule.check(subject, model);
          } catch (error) {
            if (!(error instanceof Uninspectable)) crashes.push(`${rule.ids.join("/")} on ${type} (${shape.name}): ${String(error)}`);
          }
        }
      }
    }
    expect(runs).toBeGreaterThan(ALL_RULES.length * 20);
    expect(crashes).toEqual([]);
  });

  it("an Uninspectable value is an error finding 'cannot be inspected: <what>', whatever the rule's severity", () => {
    const rule: Rule = {
      ids: ["ECG_TEST"],
      title: "test",
      severity: "warning",
      types: ["aws_s3_bucket"],
      check: () => {
        throw new Uninspectable('"x" is the expression "${var.x}"');
      },
      fix: "none",
    };
    const model = new StackModel("odd", { resource: { aws_s3_bucket: { b: {} } } }, false);
    const report = evaluateModel(model, { rules: [rule], production: false });
    expect(report.findings.map((f) => [f.severity, f.found])).toEqual([["error", 'cannot be inspected: "x" is the expression "${var.x}"']]);
  });

  it("a rule that fails in any other way does not abort the report either: its finding says so, fail-closed", () => {
    const crashing: Rule = {
      ids: ["ECG_TEST"],
      title: "test",
      severity: "warning",
      types: ["aws_s3_bucket"],
      check: ({ config }) => (config.missing as Json).deeper,
      fix: "none",
    };
    const model = new StackModel("odd", { resource: { aws_s3_bucket: { b: {} } } }, false);
    const result = findingOf(crashing, model.resources[0], model);
    expect(result).toEqual({
      found: expect.stringMatching(/^cannot be inspected: the rule could not read this shape \(TypeError: /),
      uninspectable: true,
    });
  });
});
