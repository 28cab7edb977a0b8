/** Terraform JSON read back by key: its shape is the provider's schema, not a TypeScript type. */
// biome-ignore lint/suspicious/noExplicitAny: resources of every type are read here; each rule checks the keys it needs.
export type Json = Record<string, any>;

/** A JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
