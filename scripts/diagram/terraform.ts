/**
 * Reading a synthesized stack (cdktf.out/stacks/<stack>/cdk.tf.json) as plain
 * JSON: its resources, the `${type.name.attribute}` references between them
 * (the region each resource's provider points at is the policy pack's
 * providerPlacements).
 */
import { blocks as nestedBlocks } from "../../modules/policy/rules/helpers";

/** A resource's or data source's configuration, as synthesized. */
export type Config = Readonly<Record<string, unknown>>;

type Blocks = Readonly<Record<string, Readonly<Record<string, Config>>>>;

/** The parts of a synthesized stack the diagram reads. */
export interface StackJson {
  readonly provider?: Readonly<Record<string, readonly unknown[]>>;
  readonly resource?: Blocks;
  readonly data?: Blocks;
}

export interface Resource {
  /** `aws_lb.<name>`, or `data.aws_lb.<name>` for a data source. */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly config: Config;
}

/** A `${type.name.attribute}` (or `${data.type.name.attribute}`) reference. */
export interface Reference {
  readonly address: string;
  readonly type: string;
  readonly attribute: string;
  readonly isData: boolean;
}

const REFERENCE = String.raw`\$\{(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}`;
const PLAIN_REFERENCE = new RegExp(`^${REFERENCE}$`);

/** Code-unit order: the same on every machine, unlike localeCompare. */
export const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const isDefined = <T>(value: T | undefined): value is T => value !== undefined;

export const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** A string or number as text (ports, sizes and counts come as either). */
export const scalar = (value: unknown): string | undefined =>
  typeof value === "string" || typeof value === "number" ? String(value) : undefined;

const isConfig = (value: unknown): value is Config => typeof value === "object" && value !== null && !Array.isArray(value);

/** A nested block's objects: cdktf writes one block as an object and several as a list. */
export const blocks = (value: unknown): Config[] => nestedBlocks(value).filter(isConfig);

/** A list attribute's strings (a lone string counts as a list of one). */
export function strings(value: unknown): string[] {
  const all = Array.isArray(value) ? value : [value];
  return all.map(scalar).filter(isDefined);
}

export const tagOf = (config: Config, key: string): string | undefined => text(blocks(config.tags)[0]?.[key]);

export function resourcesOf(stack: StackJson, type: string): Resource[] {
  return Object.entries(stack.resource?.[type] ?? {})
    .sort(([a], [b]) => compare(a, b))
    .map(([name, config]) => ({ address: `${type}.${name}`, type, name, config }));
}

/** Every managed resource, by type then name. */
export function allResources(stack: StackJson): Resource[] {
  return Object.keys(stack.resource ?? {})
    .sort(compare)
    .flatMap((type) => resourcesOf(stack, type));
}

/** The resource or data source at an address, if the stack has it. */
export function lookup(stack: StackJson, address: string): Resource | undefined {
  const isData = address.startsWith("data.");
  const [type, name] = (isData ? address.slice("data.".length) : address).split(".");
  const config = (isData ? stack.data : stack.resource)?.[type]?.[name];
  return config && { address, type, name, config };
}

const toReference = (match: RegExpMatchArray): Reference => {
  const [, data, type, name, attribute] = match;
  return { address: `${data ?? ""}${type}.${name}`, type, attribute, isData: data !== undefined };
};

/** The reference a value is, when the whole value is one. */
export function plainReference(value: unknown): Reference | undefined {
  const match = typeof value === "string" ? PLAIN_REFERENCE.exec(value) : null;
  return match ? toReference(match) : undefined;
}

/** Every reference anywhere inside a value (cdktf's "//" metadata aside). */
export function referencesIn(value: unknown): Reference[] {
  if (typeof value === "string") return [...value.matchAll(new RegExp(REFERENCE, "g"))].map(toReference);
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (isConfig(value))
    return Object.entries(value)
      .filter(([key]) => key !== "//")
      .flatMap(([, inner]) => referencesIn(inner));
  return [];
}

/** The resources a value references that the stack has, of one type. */
export function referencedOf(stack: StackJson, value: unknown, type: string): Resource[] {
  return referencesIn(value)
    .filter((reference) => reference.type === type)
    .map((reference) => lookup(stack, reference.address))
    .filter(isDefined);
}

/** The resources of a type that reference `resource`. */
export function referrers(stack: StackJson, type: string, resource: Resource): Resource[] {
  return resourcesOf(stack, type).filter(({ config }) => referencesIn(config).some((reference) => reference.address === resource.address));
}

/** What a resource is called: its Name tag or name-like attribute, else its logical name. */
export function nameOf(resource: Resource): string {
  const { config } = resource;
  const prefix = text(config.name_prefix)?.replace(/-$/, "");
  return (
    tagOf(config, "Name") ??
    text(config.name) ??
    text(config.identifier) ??
    text(config.bucket) ??
    text(config.function_name) ??
    prefix ??
    resource.name
  );
}
