import type { ModelElements, ResourceView } from "./model";
import type { Json } from "../common/json";

/**
 * A plan (`terraform show -json plan.tfplan`, format 1.x) as the rules' model.
 *
 * Each resource instance of `planned_values` keeps its known values. What the plan does
 * not know yet (an id computed at apply), and every argument that points at another
 * resource, is rewritten from `configuration` as the reference expression the rules
 * read in Terraform JSON (`${aws_s3_bucket.logs.id}`), so "which bucket is this
 * versioning for?" has the same answer in a plan as in the configuration. Resources the
 * plan has no values for (data sources read at apply, a destroy plan) come from the
 * configuration alone.
 */
export function planElements(plan: Json, stackName: string): ModelElements {
  const configured = new Map<string, ConfiguredResource>();
  collectConfiguration(plan.configuration?.root_module, "", configured);
  const views: { mode: string; view: ResourceView }[] = [];
  const seen = new Set<string>();
  for (const resource of plannedResources(plan.planned_values?.root_module)) {
    const base = String(resource.address).replace(/\[[^\]]*\]$/, "");
    const source = configured.get(base);
    seen.add(base);
    const values = withoutFilledIn(resource.type, resource.values ?? {}, source?.expressions ?? {});
    views.push({ mode: resource.mode, view: view(stackName, resource, merge(values, source?.expressions, source?.module ?? "")) });
  }
  for (const [address, source] of configured) {
    if (seen.has(address)) continue;
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

/**
 * Attributes other resources fill in: a group's `ingress`/`egress` lists the separate
 * rule resources' rules once they exist (the provider documents both as conflicting
 * ways to manage one list). Unless the configuration writes them inline, they say
 * nothing about this resource.
 */
const FILLED_IN_BY_OTHERS: Readonly<Record<string, readonly string[]>> = {
  aws_security_group: ["ingress", "egress"],
  aws_network_acl: ["ingress", "egress"],
  aws_route_table: ["route"],
};

function withoutFilledIn(type: string, values: Json, expressions: Json): Json {
  const filled = (FILLED_IN_BY_OTHERS[type] ?? []).filter((key) => !(key in expressions));
  return filled.length ? Object.fromEntries(Object.entries(values).filter(([key]) => !filled.includes(key))) : values;
}

/** Whether a parsed JSON document is a plan. */
export const isPlan = (json: Json): boolean =>
  typeof json.format_version === "string" && (json.planned_values !== undefined || json.configuration !== undefined);

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
}

function collectConfiguration(module: Json | undefined, prefix: string, into: Map<string, ConfiguredResource>): void {
  for (const r of module?.resources ?? []) {
    into.set(`${prefix}${r.address}`, { mode: r.mode, type: r.type, module: prefix, expressions: r.expressions ?? {} });
  }
  for (const [name, call] of Object.entries((module?.module_calls ?? {}) as Json)) {
    collectConfiguration(call.module, `${prefix}module.${name}.`, into);
  }
}

function* plannedResources(module: Json | undefined): Generator<Json> {
  yield* module?.resources ?? [];
  for (const child of module?.child_modules ?? []) yield* plannedResources(child);
}

function view(stackName: string, resource: Json, config: Json): ResourceView {
  const address = String(resource.address);
  // The address without its module path: `module.m.data.aws_x.y` → name `y`.
  const local = address.replace(/^(module\.[^.]+\.)*/, "").replace(/^(data|ephemeral)\./, "");
  return { type: resource.type, name: local.slice(resource.type.length + 1), address, path: `${stackName}/${address}`, config };
}

/** Addresses that name no resource: variables, locals, iteration and path values. */
const NOT_A_RESOURCE = /^(var|local|each|count|path|terraform|self)\./;

/** The references' resource address with an attribute (`aws_x.y.id`), inside `module`. */
function resourceReference(references: unknown, module: string): { expression: string; resources: number } | undefined {
  const refs = (Array.isArray(references) ? references : []).map(String).filter((r) => !NOT_A_RESOURCE.test(r));
  if (refs.length === 0) return undefined;
  const resources = new Set(refs.map((r) => r.replace(/^((?:module\.[^.]+\.)*(?:data\.)?[^.]+\.[^.[]+(?:\[[^\]]*\])?).*$/, "$1")));
  const withAttribute = refs.find((r) => r.replace(/^(module\.[^.]+\.)*(data\.)?/, "").split(".").length >= 3);
  return { expression: `\${${module}${withAttribute ?? `${refs[0]}.id`}}`, resources: resources.size };
}

/** A template's references, made relative to the root module. */
const inModule = (value: unknown, module: string): Json =>
  JSON.parse(JSON.stringify(value).replace(/\$\{(?!var\.|local\.|each\.|count\.|path\.)/g, `\${${module}`));

const isDocument = (value: unknown) => typeof value === "string" && /^\s*[[{]/.test(value);

/** Known values, with references and unknowns from the configuration's expressions. */
function merge(values: Json, expressions: Json | undefined, module: string): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(values ?? {})) if (value !== null) out[key] = value;
  for (const [key, expression] of Object.entries(expressions ?? {})) {
    if (Array.isArray(expression)) {
      // Nested blocks: one expressions object per block, in the planned list's order.
      const planned = Array.isArray(values?.[key]) ? values[key] : [];
      out[key] = expression.map((e: Json, i: number) => merge(planned[i] ?? {}, e, module));
      continue;
    }
    if (typeof expression !== "object" || expression === null) continue;
    const constant = expression.constant_value;
    // A JSON-syntax configuration shows its templates ("${...}") in the constant: the expression as written.
    if (constant !== undefined && JSON.stringify(constant).includes("${")) {
      out[key] = module ? inModule(constant, module) : constant;
      continue;
    }
    const reference = resourceReference(expression.references, module);
    if (reference && (out[key] === undefined || (reference.resources === 1 && !isDocument(out[key])))) {
      out[key] = reference.expression;
      continue;
    }
    if (out[key] === undefined && constant !== undefined && constant !== null) out[key] = constant;
    // Neither known nor constant nor a resource: an expression the plan cannot evaluate yet.
    if (out[key] === undefined && Array.isArray(expression.references)) out[key] = `\${${expression.references[0]}}`;
  }
  return out;
}
