type Json = Record<string, any>;

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
  }

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
  readonly resources: string[];
  /** Principals as `Type:identifier`, e.g. `AWS:*`, `Service:logs.amazonaws.com`. */
  readonly principals: string[];
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
    return (source.config.statement ?? []).map((s: Json) => ({
      effect: s.effect ?? "Allow",
      actions: list(s.actions),
      resources: list(s.resources),
      principals: (s.principals ?? []).flatMap((p: Json) => list(p.identifiers).map((id) => `${p.type}:${id}`)),
      conditions: (s.condition ?? []).map((c: Json) => ({ test: c.test, variable: c.variable, values: list(c.values) })),
    }));
  }
  if (typeof policy !== "string") return undefined;
  let document: Json;
  try {
    document = JSON.parse(policy);
  } catch {
    return undefined;
  }
  const statements: Json[] = Array.isArray(document.Statement) ? document.Statement : [document.Statement].filter(Boolean);
  return statements.map((s) => ({
    effect: s.Effect ?? "Allow",
    actions: list(s.Action),
    resources: list(s.Resource),
    principals: s.Principal === "*" ? ["AWS:*"] : Object.entries(s.Principal ?? {}).flatMap(([type, ids]) => list(ids).map((id) => `${type}:${id}`)),
    conditions: Object.entries(s.Condition ?? {}).flatMap(([test, byVariable]) =>
      Object.entries(byVariable as Json).map(([variable, values]) => ({ test, variable, values: list(values) })),
    ),
  }));
}
