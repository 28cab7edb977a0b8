import type { Json } from "../common/json";
import { isObject, nested, Uninspectable } from "./rules/helpers";

/** One resource (or data source) of a stack, as Terraform will see it (tokens resolved). */
export interface ResourceView {
  readonly type: string;
  readonly name: string;
  /** Terraform address: `aws_vpc.network_vpc_4E8F0223`, or `data.<type>.<name>`. */
  readonly address: string;
  /** Construct path, e.g. `ecg-prod/network/vpc`. */
  readonly path: string;
  readonly config: Json;
}

const REFERENCE = (address: string) => `\${${address}.`;

/** An address without its instance keys: `module.m[0].aws_x.y["a"]` → `module.m.aws_x.y`, as the configuration names it. */
export const withoutKeys = (address: string) => address.replace(/\[[^\]]*\]/g, "");

/** What a model holds, by kind. */
export interface ModelElements {
  readonly resources: ResourceView[];
  readonly dataSources: ResourceView[];
  readonly ephemeralResources: ResourceView[];
  /** Read from a plan, which leaves out meta-arguments such as lifecycle. @default false */
  readonly fromPlan?: boolean;
}

/** Terraform JSON allows a list of objects wherever an object of blocks or names is expected. */
export const objectOf = (value: unknown): Json =>
  Array.isArray(value) ? Object.assign({}, ...value.filter((v) => typeof v === "object" && v !== null)) : ((value ?? {}) as Json);

/** The elements of a Terraform JSON configuration (cdktf's or hand-written). */
function elementsOf(stackName: string, terraform: Json): ModelElements {
  const views = (block: unknown, prefix: string): ResourceView[] =>
    Object.entries(objectOf(block)).flatMap(([type, byName]) =>
      Object.entries(objectOf(byName)).map(([name, value]) => {
        const config = objectOf(value);
        return {
          type,
          name,
          address: `${prefix}${type}.${name}`,
          path: config["//"]?.metadata?.path ?? `${stackName}/${name}`,
          config,
        };
      }),
    );
  return {
    resources: views(terraform.resource, ""),
    dataSources: views(terraform.data, "data."),
    ephemeralResources: views(terraform.ephemeral, "ephemeral."),
  };
}

/**
 * The synthesized stack as the rules see it: resources with resolved
 * configuration, and the questions rules ask across resources ("is there a
 * flow log for this VPC?", "what does this policy document say?").
 */
export class StackModel {
  readonly resources: ResourceView[];
  readonly dataSources: ResourceView[];
  /** Ephemeral resources (Terraform >= 1.10): never in the plan or state. */
  readonly ephemeralResources: ResourceView[];

  constructor(
    readonly stackName: string,
    terraform: Json,
    /** Production rules apply (deletion protection, Multi-AZ, prevent_destroy). */
    readonly production: boolean,
    /** The elements, when they come from elsewhere than Terraform JSON (a plan). @default - read from `terraform` */
    elements: ModelElements = elementsOf(stackName, terraform),
  ) {
    this.resources = elements.resources;
    this.dataSources = elements.dataSources;
    this.ephemeralResources = elements.ephemeralResources;
    this.fromPlan = elements.fromPlan ?? false;
  }

  /** Whether the model was read from a plan (no lifecycle meta-arguments). */
  readonly fromPlan: boolean;

  /** Every resource, data source and ephemeral resource. */
  elements(): ResourceView[] {
    return [...this.resources, ...this.dataSources, ...this.ephemeralResources];
  }

  /**
   * Addresses that `view`'s expressions (and depends_on) reference but the
   * stack does not declare: a dangling reference, e.g. an escape hatch's
   * string naming another stack's resource. (A token of another stack is
   * refused before this, by stacks/isolated-stack.ts.)
   */
  undeclaredReferences(view: ResourceView): string[] {
    // An instance's address (`module.m[0].aws_x.y[0]`) declares its resource (`module.m.aws_x.y`) too.
    this.declared ??= new Set(this.elements().flatMap((e) => [e.address, withoutKeys(e.address)]));
    const found = new Set<string>();
    // depends_on holds bare addresses.
    const dependsOn = view.config.depends_on;
    for (const address of Array.isArray(dependsOn) ? dependsOn : []) if (!this.declared.has(String(address))) found.add(String(address));
    const text = JSON.stringify(view.config);
    if (!text.includes("${")) return [...found];
    for (const [expression] of text.matchAll(/\$\{[^}]*\}/g)) {
      // `aws_x.name`, `data.aws_x.name` or `ephemeral.aws_x.name`: provider types have an underscore; var., local., each. do not.
      for (const m of expression.matchAll(
        /(?<![\w.])((?:module\.[\w-]+(?:\[[^\]]+\])?\.)*)(data\.|ephemeral\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)/g,
      )) {
        const address = `${m[1]}${m[2] ?? ""}${m[3]}.${m[4]}`;
        if (!this.declared.has(address) && !this.declared.has(withoutKeys(address))) found.add(address);
      }
    }
    return [...found];
  }

  private declared?: Set<string>;

  ofType(...types: string[]): ResourceView[] {
    return this.resources.filter((r) => types.includes(r.type));
  }

  /** Resources of the given types whose configuration references `target`. */
  referencing(target: ResourceView, ...types: string[]): ResourceView[] {
    const needle = REFERENCE(target.address);
    return this.ofType(...types).filter((r) => JSON.stringify(r.config).includes(needle));
  }

  /** The resource or data source an expression like `${aws_x.name.attr}` points to. */
  referenced(expression: unknown): ResourceView | undefined {
    if (typeof expression !== "string") return undefined;
    // `${aws_x.name.attr}`, optionally in a module and of an instance: `${module.m.aws_x.name[0].attr}`.
    const match = /^\$\{((?:module\.[\w-]+(?:\[[^\]]+\])?\.)*)(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\[[^\]]+\])?\.[a-z0-9_]+\}$/.exec(
      expression,
    );
    if (!match) return undefined;
    const address = `${match[1]}${match[2] ?? ""}${match[3]}.${match[4]}`;
    const exact = match[5] === undefined ? address : `${address}${match[5]}`;
    const candidates = [...this.resources, ...this.dataSources];
    // An index Terraform evaluates per instance (`[count.index]`) names the resource of a configuration.
    return (
      candidates.find((r) => r.address === exact) ??
      candidates.find((r) => r.address.startsWith(`${address}[`)) ??
      candidates.find((r) => r.address === address)
    );
  }
}

/** An IAM statement in the shape both policy JSON and aws_iam_policy_document use. */
export interface Statement {
  readonly effect: string;
  readonly actions: string[];
  /** NotAction: everything but these. */
  readonly notActions: string[];
  readonly resources: string[];
  /** Principals as `Type:identifier`, e.g. `AWS:*`, `Service:logs.amazonaws.com`. */
  readonly principals: string[];
  /** NotPrincipal: everyone but these. */
  readonly notPrincipals: string[];
  readonly conditions: { test: string; variable: string; values: string[] }[];
}

/** A string or list-of-strings policy element; anything else cannot be read. */
function list(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  if (items.every((v) => ["string", "number", "boolean"].includes(typeof v))) return items.map(String);
  throw new Uninspectable(`${what} is ${JSON.stringify(value)}`);
}

/** `${aws_x.y.attr}` or `${data.aws_x.y.attr}` (of an instance, too): a resource's attribute, never a wildcard. */
const RESOURCE_ATTRIBUTE = /^(?:module\.[\w-]+(?:\[[^\]]+\])?\.)*(?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[\w-]+(?:\[[^\]]+\])?\.[\w]+$/;

/**
 * A policy element that decides who or what is allowed (actions, principals): a
 * variable, a local or a function there could be "*", so it cannot be read. A template
 * of resource attributes (`arn:aws:iam::${data.aws_caller_identity.me.account_id}:root`)
 * can be.
 */
function decisive(value: unknown, what: string): string[] {
  const items = list(value, what);
  for (const item of items) {
    for (const [, inner] of item.matchAll(/\$\{([^}]*)\}/g)) {
      if (!RESOURCE_ATTRIBUTE.test(inner.trim())) throw new Uninspectable(`${what} holds the expression ${JSON.stringify(item)}`);
    }
  }
  return items;
}

/** Statements of an aws_iam_policy_document data source (its own and those it merges). */
function documentStatements(
  model: StackModel,
  c: Json,
  withMerged = true,
  merging: ReadonlySet<Json> = new Set(),
): Statement[] | undefined {
  const principals = (blocks: Json[]) =>
    blocks.flatMap((p) => decisive(p.identifiers, "principals.identifiers").map((id) => `${p.type}:${id}`));
  const own: Statement[] = nested(c, "statement").map((s) => ({
    effect: typeof s.effect === "string" ? s.effect : "Allow",
    actions: decisive(s.actions, "actions"),
    notActions: decisive(s.not_actions, "not_actions"),
    resources: list(s.resources, "resources"),
    principals: principals(nested(s, "principals")),
    notPrincipals: principals(nested(s, "not_principals")),
    conditions: nested(s, "condition").map((k) => ({
      test: String(k.test),
      variable: String(k.variable),
      values: list(k.values, "condition values"),
    })),
  }));
  if (!withMerged) return own;
  // Merged documents count too: their statements end up in this policy.
  const merged = ["source_policy_documents", "override_policy_documents", "source_json", "override_json"]
    .flatMap((key) => list(c[key], key))
    .map((document) => policyStatements(model, document, new Set([...merging, c])));
  if (merged.some((m) => m === undefined)) return undefined;
  return [...own, ...(merged.flat() as Statement[])];
}

/** Statements of an IAM policy written as JSON text. */
function jsonStatements(policy: string): Statement[] | undefined {
  let document: unknown;
  try {
    document = JSON.parse(policy);
  } catch {
    return undefined;
  }
  if (!isObject(document)) return undefined;
  const statements = (Array.isArray(document.Statement) ? document.Statement : [document.Statement]).filter(
    (s: unknown) => s !== undefined,
  );
  if (!statements.every(isObject)) throw new Uninspectable("a policy Statement that is not an object");
  const principals = (value: unknown) =>
    value === "*"
      ? ["*:*"]
      : isObject(value)
        ? Object.entries(value).flatMap(([type, ids]) => decisive(ids, "Principal").map((id) => `${type}:${id}`))
        : decisive(value, "Principal").map((id) => `*:${id}`);
  return statements.map((s: Json) => ({
    effect: typeof s.Effect === "string" ? s.Effect : "Allow",
    actions: decisive(s.Action, "Action"),
    notActions: decisive(s.NotAction, "NotAction"),
    resources: list(s.Resource, "Resource"),
    principals: principals(s.Principal),
    notPrincipals: principals(s.NotPrincipal),
    conditions: (isObject(s.Condition) ? Object.entries(s.Condition) : []).flatMap(([test, byVariable]) =>
      isObject(byVariable)
        ? Object.entries(byVariable).map(([variable, values]) => ({ test, variable, values: list(values, "Condition values") }))
        : [],
    ),
  }));
}

/**
 * The statements of a policy argument: a literal JSON document, or a
 * reference to an aws_iam_policy_document data source. Undefined when the
 * policy is built in a way the rules cannot read (e.g. `jsonencode(...)`).
 */
export function policyStatements(model: StackModel, policy: unknown, merging: ReadonlySet<Json> = new Set()): Statement[] | undefined {
  const source = model.referenced(policy);
  if (source?.type === "aws_iam_policy_document") {
    if (merging.has(source.config)) throw new Uninspectable(`${source.address} merges itself (source or override documents in a cycle)`);
    return documentStatements(model, source.config, true, merging);
  }
  return typeof policy === "string" ? jsonStatements(policy) : undefined;
}

/** The statements an aws_iam_policy_document data source writes itself (not those it merges). */
export const ownStatements = (model: StackModel, document: ResourceView): Statement[] =>
  documentStatements(model, document.config, false) ?? [];

/** Principals that mean "anyone": `*` as AWS principal or as the whole principal. */
export const isAnyone = (principal: string) => principal === "AWS:*" || principal === "*:*";
