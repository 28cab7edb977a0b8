import { isObject, type Json } from "../../common/json";

export { isObject };

/**
 * Thrown by the readers below when a value the rule needs is an expression (a
 * reference, a variable, a function call), a `dynamic` block or a shape Terraform
 * would not accept. The engine turns it into the finding "cannot be inspected: <what>"
 * for that resource: fail-closed, never a crash of the report.
 */
export class Uninspectable extends Error {
  constructor(readonly what: string) {
    super(`cannot be inspected: ${what}`);
  }
}

/** A Terraform expression (`${...}`) rather than a literal. */
export const isExpression = (value: unknown): boolean => typeof value === "string" && value.includes("${");

/** Terraform JSON booleans arrive as true or "true". */
export const isTrue = (value: unknown) => value === true || value === "true";

/** Nested blocks arrive as an object or a list of objects. */
export const blocks = (value: unknown): Json[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value as Json];

/** A JSON object (not a list, not null). */

/**
 * The nested `key` blocks of `parent`, as a list of objects. A `dynamic "key"` block,
 * an expression in place of the blocks, or a non-object entry cannot be read.
 */
export function nested(parent: unknown, key: string): Json[] {
  if (!isObject(parent)) return [];
  if (blocks(parent.dynamic).some((d) => isObject(d) && key in d)) throw new Uninspectable(`a dynamic "${key}" block`);
  const value = parent[key];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.every(isObject)) return list;
  throw new Uninspectable(`"${key}" is ${isExpression(value) ? `the expression ${JSON.stringify(value)}` : "not a block"}`);
}

/** A boolean argument: undefined when unset; "true"/"false" count as written. */
export function flag(parent: Json, key: string): boolean | undefined {
  const value = parent?.[key];
  if (value === undefined || value === null) return undefined;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw new Uninspectable(`"${key}" is ${describe(value)}, not a boolean`);
}

/** A number argument: undefined when unset; a number written as a string counts. */
export function num(parent: Json, key: string): number | undefined {
  const value = parent?.[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  throw new Uninspectable(`"${key}" is ${describe(value)}, not a number`);
}

/** A string argument: undefined when unset; numbers and booleans as Terraform converts them. */
export function text(parent: Json, key: string): string | undefined {
  const value = parent?.[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string" && !isExpression(value)) return value;
  throw new Uninspectable(`"${key}" is ${describe(value)}`);
}

/** Whether an argument is set at all (a reference or a literal): for "a key is configured" checks. */
export const isSet = (value: unknown) => value !== undefined && value !== null && value !== "" && value !== false;

/** A list argument with at least one entry (an expression standing for a list counts as set). */
export const hasItems = (value: unknown) => (Array.isArray(value) ? value.length > 0 : isSet(value));

const describe = (value: unknown) =>
  isExpression(value) ? `the expression ${JSON.stringify(value)}` : `${JSON.stringify(value)} (${typeof value})`;
