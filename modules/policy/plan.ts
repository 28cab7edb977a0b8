import { type ModelElements, type ResourceView, withoutKeys } from "./model";
import { isObject } from "./rules/helpers";
import type { Json } from "../common/json";

/** A plan's JSON in a shape the reader cannot use. */
export class PlanShapeError extends Error {}

/**
 * A plan (`terraform show -json plan.tfplan`, format 1.x) as the rules' model.
 *
 * Each resource instance of `planned_values` (and, from `prior_state`, each data source
 * read at plan time and what a targeted or destroy plan leaves out) keeps its known values. What the plan does not know yet (an id
 * computed at apply), and a scalar argument that names another resource, is rewritten
 * from `configuration` as the reference expression the rules read in Terraform JSON
 * (`${aws_s3_bucket.logs.id}`), so "which bucket is this versioning for?" has the same
 * answer in a plan as in the configuration. Data sources read only at apply, and what an
 * incomplete plan knows nothing of, come from the configuration alone.
 */
export function planElements(plan: Json, stackName: string): ModelElements {
  const configured = new Map<string, ConfiguredResource>();
  collectConfiguration(plan.configuration?.root_module, "", configured);
  const planned = [...plannedResources(plan.planned_values?.root_module)];
  // What the state holds and the plan does not show: data sources read while planning, and
  // what a targeted (-target) or destroy plan leaves out of planned_values.
  const plannedAddresses = new Set(planned.map((p) => p.address));
  // In a complete plan, a resource it does not plan will not exist (count = 0 is not a flow log; a
  // resource in the state only is being destroyed); a targeted plan (complete: false) or one that
  // plans nothing (destroy) leaves resources out that do.
  const plansEverything = plan.complete !== false && planned.some((r) => r.mode === "managed");
  const readAtPlan = [...plannedResources(plan.prior_state?.values?.root_module)].filter(
    (r) => !plannedAddresses.has(r.address) && (r.mode === "data" || !plansEverything),
  );
  const views: { mode: string; view: ResourceView }[] = [];
  const seen = new Set<string>();
  const rulesOf = ruleReferences(configured);
  for (const resource of [...planned, ...readAtPlan]) {
    const address = String(resource.address);
    const base = withoutKeys(address);
    const source = configured.get(base);
    seen.add(base);
    const values = withoutFilledIn(resource.type, base, resource.values ?? {}, source?.expressions ?? {}, rulesOf);
    views.push({ mode: resource.mode, view: view(stackName, resource, merge(values, source?.expressions, modulePath(address))) });
  }
  for (const [address, source] of configured) {
    if (seen.has(address) || source.repeated) continue;
    if (source.mode === "managed" && plansEverything) continue;
    views.push({ mode: source.mode, view: view(stackName, { address, type: source.type }, merge({}, source.expressions, source.module)) });
  }
  return {
    resources: views.filter((v) => v.mode === "managed").map((v) => v.view),
    dataSources: views.filter((v) => v.mode === "data").map((v) => v.view),
    // A plan leaves ephemeral resources out, but Terraform resolved every reference to one to make it.
    ephemeralResources: ephemeralReferences(configured).map((address) =>
      view(stackName, { address, type: address.replace(/^(module\.[^.]+\.)*ephemeral\./, "").split(".")[0] }, {}),
    ),
    fromPlan: true,
  };
}

/** Whether a parsed JSON document is a plan. */
export const isPlan = (json: Json): boolean =>
  typeof json.format_version === "string" && (json.planned_values !== undefined || json.configuration !== undefined);

/** The module instance an address is in, as a reference prefix: `module.m[0].` (empty at the root). */
const modulePath = (address: string) => /^((?:module\.[^.[]+(?:\[[^\]]*\])?\.)*)/.exec(address)?.[1] ?? "";

/**
 * Attributes other resources fill in: a group's `ingress`/`egress` lists the separate
 * rule resources' rules once they exist (the provider documents both as conflicting
 * ways to manage one list). When the configuration writes none of them inline and rule
 * resources of the group exist, the planned list is theirs, not this resource's. (A plan
 * leaves `dynamic` blocks out of the configuration: without rule resources, the planned
 * rules are kept, as they may be dynamic ones.)
 */
const FILLED_IN_BY_OTHERS: Readonly<Record<string, { readonly keys: readonly string[]; readonly by: readonly string[] }>> = {
  aws_security_group: {
    keys: ["ingress", "egress"],
    by: ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"],
  },
  aws_network_acl: { keys: ["ingress", "egress"], by: ["aws_network_acl_rule"] },
  aws_route_table: { keys: ["route"], by: ["aws_route"] },
};

/** Addresses that the rule resources of FILLED_IN_BY_OTHERS reference. */
function ruleReferences(configured: ReadonlyMap<string, ConfiguredResource>): ReadonlySet<string> {
  const ruleTypes = new Set(Object.values(FILLED_IN_BY_OTHERS).flatMap((f) => f.by));
  const found = new Set<string>();
  for (const { type, module, expressions } of configured.values()) {
    if (!ruleTypes.has(type)) continue;
    for (const m of JSON.stringify(expressions).matchAll(/"((?:module\.[^."]+\.)*[a-z0-9_]+\.[\w-]+)[.[]/g)) found.add(`${module}${m[1]}`);
  }
  return found;
}

function withoutFilledIn(type: string, address: string, values: Json, expressions: Json, referenced: ReadonlySet<string>): Json {
  const filled = FILLED_IN_BY_OTHERS[type];
  if (!filled || !referenced.has(address)) return values;
  const keys = filled.keys.filter((key) => !(key in expressions));
  return keys.length ? Object.fromEntries(Object.entries(values).filter(([key]) => !keys.includes(key))) : values;
}

function ephemeralReferences(configured: ReadonlyMap<string, ConfiguredResource>): string[] {
  const found = new Set<string>();
  for (const { expressions, module } of configured.values()) {
    for (const m of JSON.stringify(expressions).matchAll(/"(ephemeral\.[a-z0-9_]+\.[\w-]+)/g)) found.add(`${module}${m[1]}`);
  }
  return [...found];
}

interface ConfiguredResource {
  readonly mode: string;
  readonly type: string;
  readonly module: string;
  readonly expressions: Json;
  /** Written with count or for_each: its instances are the planned ones. */
  readonly repeated: boolean;
}

const listOf = (value: unknown, what: string): Json[] => {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every(isObject)) return value;
  throw new PlanShapeError(`${what} is not a list of objects`);
};

function collectConfiguration(module: Json | undefined, prefix: string, into: Map<string, ConfiguredResource>): void {
  for (const r of listOf(module?.resources, "configuration resources")) {
    if (typeof r.address !== "string" || typeof r.type !== "string")
      throw new PlanShapeError("a configuration resource without address or type");
    into.set(`${prefix}${r.address}`, {
      mode: r.mode,
      type: r.type,
      module: prefix,
      expressions: isObject(r.expressions) ? r.expressions : {},
      repeated: r.count_expression !== undefined || r.for_each_expression !== undefined,
    });
  }
  for (const [name, call] of Object.entries(isObject(module?.module_calls) ? module.module_calls : {})) {
    collectConfiguration(isObject(call) ? call.module : undefined, `${prefix}module.${name}.`, into);
  }
}

export function* plannedResources(module: Json | undefined): Generator<Json> {
  for (const r of listOf(module?.resources, "planned resources")) {
    if (typeof r.address !== "string" || typeof r.type !== "string") throw new PlanShapeError("a planned resource without address or type");
    yield r;
  }
  for (const child of listOf(module?.child_modules, "child_modules")) yield* plannedResources(child);
}

function view(stackName: string, resource: Json, config: Json): ResourceView {
  const address = String(resource.address);
  // The address without its module path and instance key: `module.m[0].data.aws_x.y["a"]` → name `y`.
  const local = withoutKeys(address)
    .replace(/^(module\.[^.]+\.)*/, "")
    .replace(/^(data|ephemeral)\./, "");
  return { type: resource.type, name: local.slice(resource.type.length + 1), address, path: `${stackName}/${address}`, config };
}

/** References that name no resource: variables, locals, iteration and path values, a module's outputs. */
const NOT_A_RESOURCE = /^(var|local|each|count|path|terraform|self|module)\./;
/** An index that changes per instance (`aws_x.y[count.index]`): the plan's known value says which one. */
const DYNAMIC_INDEX = /^(count\.index|each\.(key|value))/;

/** The one resource a scalar argument names, as `${aws_x.y.attr}` inside `module`; undefined when it names none or several. */
function resourceReference(references: unknown, module: string): string | undefined {
  const all = (Array.isArray(references) ? references : []).map(String);
  if (all.some((r) => DYNAMIC_INDEX.test(r))) return undefined;
  const refs = all.filter((r) => !NOT_A_RESOURCE.test(r));
  const resources = new Set(refs.map((r) => r.replace(/^((?:data\.)?[^.]+\.[^.[]+(?:\[[^\]]*\])?).*$/, "$1")));
  if (resources.size !== 1) return undefined;
  const withAttribute = refs.find((r) => r.replace(/^data\./, "").split(".").length >= 3);
  return `\${${module}${withAttribute ?? `${refs[0]}.id`}}`;
}

/** Whether a JSON-syntax template (cdktf's) refers to a resource, rather than only to variables, locals and functions. */
const templateNamesResource = (template: unknown) =>
  /\$\{[^}]*?(?<![\w.])(data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[\w-]+/.test(JSON.stringify(template));

/** A template's references, made relative to its module (`$${` is an escaped literal, not a template). */
const inModule = (value: unknown, module: string): Json =>
  module
    ? JSON.parse(JSON.stringify(value).replace(/(?<!\$)\$\{(?!var\.|local\.|each\.|count\.|path\.)/g, `\${${module}`))
    : (value as Json);

const isDocument = (value: unknown) => typeof value === "string" && /^\s*[[{]/.test(value);

/** Known values, with references and unknowns from the configuration's expressions. */
function merge(values: Json, expressions: Json | undefined, module: string): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(values ?? {})) if (value !== null) out[key] = value;
  for (const [key, expression] of Object.entries(expressions ?? {})) {
    if (Array.isArray(expression)) {
      // Nested blocks: one expressions object per written block; planned blocks beyond them (dynamic ones) stay as planned.
      const planned = Array.isArray(values?.[key]) ? values[key] : [];
      const written = expression.map((e: Json, i: number) => merge(isObject(planned[i]) ? planned[i] : {}, e, module));
      out[key] = [...written, ...planned.slice(written.length)];
      continue;
    }
    if (!isObject(expression)) continue;
    // A list with nulls is partly unknown until apply (planned values leave unknown elements null).
    const known = Array.isArray(out[key]) && out[key].includes(null) ? undefined : out[key];
    const constant = expression.constant_value;
    // A JSON-syntax configuration shows its templates ("${...}") in the constant: the expression as written.
    if (constant !== undefined && JSON.stringify(constant).includes("${")) {
      if (known === undefined || (templateNamesResource(constant) && !isDocument(known) && !Array.isArray(known)))
        out[key] = inModule(constant, module);
      continue;
    }
    // A scalar that names one resource reads as the reference (lists and documents keep their known values).
    const reference = resourceReference(expression.references, module);
    if (reference && (known === undefined || (typeof known === "string" && !isDocument(known)))) {
      out[key] = reference;
      continue;
    }
    if (known === undefined && constant !== undefined && constant !== null) out[key] = constant;
    // Neither known nor constant nor one resource: an expression the plan cannot evaluate yet.
    if (out[key] === undefined && Array.isArray(expression.references) && expression.references.length)
      out[key] = `\${${module}${expression.references[0]}}`;
  }
  return out;
}
