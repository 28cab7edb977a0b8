import type { ResourceView, StackModel } from "../model";

type Json = Record<string, any>;

/** Terraform JSON booleans arrive as true or "true". */
export const isTrue = (value: unknown) => value === true || value === "true";

/** Nested blocks arrive as an object or a list of objects. */
export const blocks = (value: unknown): Json[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value : [value as Json];

/** The one sub-resource of `type` that configures `target` (S3 bucket settings, flow logs, ...). */
export const settingsFor = (model: StackModel, target: ResourceView, type: string): ResourceView[] => model.referencing(target, type);

export const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];
