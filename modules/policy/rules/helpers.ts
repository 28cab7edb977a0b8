import type { Json } from "../../common/json";

/** Terraform JSON booleans arrive as true or "true". */
export const isTrue = (value: unknown) => value === true || value === "true";

/** Nested blocks arrive as an object or a list of objects. */
export const blocks = (value: unknown): Json[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value as Json];

export const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];
