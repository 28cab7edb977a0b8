import type { Json } from "../common/json";

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
  ) {
    const views = (block: Json | undefined, prefix: string) =>
      Object.entries(block ?? {}).flatMap(([type, byName]) =>
        Object.entries(byName as Json).map(([name, config]) => ({
          type,
          name,
          address: `${prefix}${type}.${name}`,
          path: (config as Json)["//"]?.metadata?.path ?? `${stackName}/${name}`,
          config: config as Json,
        })),
      );
    this.resources = views(terraform.resource, "");
    this.dataSources = views(terraform.data, "data.");
    this.ephemeralResources = views(terraform.ephemeral, "ephemeral.");
  }

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
    this.declared ??= new Set(this.elements().map((e) => e.address));
    const found = new Set<string>();
    // depends_on holds bare addresses.
    for (const address of view.config.depends_on ?? []) if (!this.declared.has(address)) found.add(address);
    const text = JSON.stringify(view.config);
    if (!text.includes("${")) return [...found];
    for (const [expression] of text.matchAll(/\$\{[^}]*\}/g)) {
      // `aws_x.name`, `data.aws_x.name` or `ephemeral.aws_x.name`: provider types have an underscore; var., local., each. do not.
      for (const m of expression.matchAll(/(?<![\w.])(data\.|ephemeral\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)/g)) {
        const address = `${m[1] ?? ""}${m[2]}.${m[3]}`;
        if (!this.declared.has(address)) found.add(address);
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
    const match = /^\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z0-9_]+\}$/.exec(expression);
    if (!match) return undefined;
    const address = `${match[1] ?? ""}${match[2]}.${match[3]}`;
    return [...this.resources, ...this.dataSources].find((r) => r.address === address);
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

const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

/**
 * The statements of a policy argument: a literal JSON document, or a
 * reference to an aws_iam_policy_document data source. Undefined when the
 * policy is built in a way the rules cannot read (e.g. `jsonencode(...)`).
 */
export function policyStatements(model: StackModel, policy: unknown): Statement[] | undefined {
  const source = model.referenced(policy);
  if (source?.type === "aws_iam_policy_document") {
    const c = source.config;
    const principals = (blocks: Json[] | undefined) =>
      (blocks ?? []).flatMap((p: Json) => list(p.identifiers).map((id) => `${p.type}:${id}`));
    const own: Statement[] = (c.statement ?? []).map((s: Json) => ({
      effect: s.effect ?? "Allow",
      actions: list(s.actions),
      notActions: list(s.not_actions),
      resources: list(s.resources),
      principals: principals(s.principals),
      notPrincipals: principals(s.not_principals),
      conditions: (s.condition ?? []).map((k: Json) => ({ test: k.test, variable: k.variable, values: list(k.values) })),
    }));
    // Merged documents count too: their statements end up in this policy.
    const merged = [
      ...list(c.source_policy_documents),
      ...list(c.override_policy_documents),
      ...list(c.source_json),
      ...list(c.override_json),
    ].map((document) => policyStatements(model, document));
    if (merged.some((m) => m === undefined)) return undefined;
    return [...own, ...(merged.flat() as Statement[])];
  }
  if (typeof policy !== "string") return undefined;
  let document: Json;
  try {
    document = JSON.parse(policy);
  } catch {
    return undefined;
  }
  const statements: Json[] = Array.isArray(document.Statement) ? document.Statement : [document.Statement].filter(Boolean);
  const principals = (value: unknown) =>
    value === "*" ? ["*:*"] : Object.entries((value ?? {}) as Json).flatMap(([type, ids]) => list(ids).map((id) => `${type}:${id}`));
  return statements.map((s) => ({
    effect: s.Effect ?? "Allow",
    actions: list(s.Action),
    notActions: list(s.NotAction),
    resources: list(s.Resource),
    principals: principals(s.Principal),
    notPrincipals: principals(s.NotPrincipal),
    conditions: Object.entries(s.Condition ?? {}).flatMap(([test, byVariable]) =>
      Object.entries(byVariable as Json).map(([variable, values]) => ({ test, variable, values: list(values) })),
    ),
  }));
}

/** Principals that mean "anyone": `*` as AWS principal or as the whole principal. */
export const isAnyone = (principal: string) => principal === "AWS:*" || principal === "*:*";
