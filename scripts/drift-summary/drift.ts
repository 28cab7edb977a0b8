/**
 * What a refresh-only plan (`terraform plan -refresh-only`, then `terraform
 * show -json`) says drifted: each resource changed or deleted outside
 * Terraform, with the attributes that differ between the state (as last
 * applied) and AWS (as refreshed). Values Terraform marks sensitive, and
 * those of attributes named like secrets, are masked here, before anything is
 * rendered: the summary is posted to a GitHub issue.
 *
 * A refresh also updates attributes the program never sets: a security
 * group's `ingress` listing the rules managed as their own resources, a
 * role's `managed_policy_arns`, an Elastic IP's association. Those are not
 * drift of the configuration and are counted apart (`refreshedOnly`); only an
 * attribute the configuration sets (the plan's `configuration` block), or a
 * tag, makes a resource drifted. Null and a zero value (`""`, 0, false, [],
 * {}) are the same to the provider and are not a difference.
 */
import { isObject, type Json } from "../../modules/common/json";
import { withoutKeys } from "../../modules/policy/model";
import { byCodeUnits } from "../plan-summary/markdown";

interface DriftedAttribute {
  /** `tags.Owner`, `ingress[0].to_port`, `policy (JSON).Statement[0].Action`. */
  readonly path: string;
  /** As the state holds it, rendered (masked where sensitive). */
  readonly before: string;
  /** As AWS holds it now, rendered (masked where sensitive). */
  readonly after: string;
}

export interface DriftedResource {
  readonly address: string;
  readonly type: string;
  /** `changed`: its attributes differ; `deleted`: it is gone from AWS. */
  readonly drift: "changed" | "deleted";
  readonly attributes: readonly DriftedAttribute[];
}

export interface DriftSummary {
  /** Resources deleted, or changed in an attribute the configuration sets. */
  readonly resources: readonly DriftedResource[];
  /** Resources whose refresh changed only attributes the configuration does not set: not drift. */
  readonly refreshedOnly: readonly { readonly address: string; readonly type: string; readonly attributes: readonly string[] }[];
  /** Root outputs whose value changed with the refresh. */
  readonly outputs: readonly string[];
}

export const MASKED = "(sensitive)";
/** Attributes named like these are masked whatever the provider's schema says. */
const SECRET_NAME = /password|secret|token|private_key|credential/i;
const MAX_VALUE_CHARS = 120;

function rendered(value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  return text.length <= MAX_VALUE_CHARS ? text : `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} characters)`;
}

/** A JSON document inside a string attribute (an IAM policy, a container definition): compared by its content. */
function jsonDocument(value: unknown): unknown {
  if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The sensitivity marks below a key or index (`true` marks the whole value). */
const below = (marks: unknown, key: string | number): unknown => (marks === true ? true : (marks as Json | undefined)?.[key]);

const isZero = (value: unknown) =>
  value === null ||
  value === "" ||
  value === 0 ||
  value === false ||
  (Array.isArray(value) && value.length === 0) ||
  (isObject(value) && Object.keys(value).length === 0);

function differences(before: unknown, after: unknown, path: string, marks: unknown, out: DriftedAttribute[]): void {
  if (JSON.stringify(before) === JSON.stringify(after) || (isZero(before) && isZero(after))) return;
  const sensitive = marks === true || SECRET_NAME.test(path.split(/[.[]/).pop() ?? "");
  if (sensitive) {
    out.push({ path, before: MASKED, after: MASKED });
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort())
      differences(before[key] ?? null, after[key] ?? null, path ? `${path}.${key}` : key, below(marks, key), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      differences(before[i] ?? null, after[i] ?? null, `${path}[${i}]`, below(marks, i), out);
    return;
  }
  const [documentBefore, documentAfter] = [jsonDocument(before), jsonDocument(after)];
  if (documentBefore !== undefined && documentAfter !== undefined) {
    differences(documentBefore, documentAfter, `${path} (JSON)`, undefined, out);
    return;
  }
  out.push({ path, before: rendered(before), after: rendered(after) });
}

/** Both sides' sensitivity marks, merged: a value sensitive on either side is masked. */
function mergedMarks(a: unknown, b: unknown): unknown {
  if (a === true || b === true) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    const [x, y] = [Array.isArray(a) ? a : [], Array.isArray(b) ? b : []];
    return Array.from({ length: Math.max(x.length, y.length) }, (_, i) => mergedMarks(x[i], y[i]));
  }
  if (isObject(a) || isObject(b)) {
    const [x, y] = [isObject(a) ? a : {}, isObject(b) ? b : {}];
    return Object.fromEntries([...new Set([...Object.keys(x), ...Object.keys(y)])].map((k) => [k, mergedMarks(x[k], y[k])]));
  }
  return undefined;
}

/**
 * `tags_all` repeats every change of `tags` (the provider's default tags
 * merged in): only what `tags` does not already show is kept, a default
 * tag changed by hand for instance.
 */
function withoutRepeatedTags(attributes: DriftedAttribute[]): DriftedAttribute[] {
  const shown = new Set(attributes.filter((a) => a.path.startsWith("tags.")).map((a) => `${a.path.slice(5)} ${a.before} ${a.after}`));
  return attributes.filter((a) => !(a.path.startsWith("tags_all.") && shown.has(`${a.path.slice(9)} ${a.before} ${a.after}`)));
}

/** The attribute path's top-level attribute: `tags` of `tags.Owner`, `ingress` of `ingress[0].to_port`. */
export const topAttribute = (path: string) => path.split(/[.[ ]/)[0];

/**
 * The attributes each resource's configuration sets, by address without
 * instance key; undefined when the plan carries no configuration (a filtered
 * plan), and then every attribute counts.
 */
function configuredAttributes(plan: Json): Map<string, Set<string>> | undefined {
  const resources: Json[] | undefined = plan.configuration?.root_module?.resources;
  if (!resources) return undefined;
  return new Map(resources.map((r) => [r.address, new Set([...Object.keys(r.expressions ?? {}), "tags_all"])]));
}

export function summarizeDrift(plan: Json): DriftSummary {
  if (!isObject(plan) || typeof plan.format_version !== "string")
    throw new Error("not the JSON of a plan (terraform show -json of a refresh-only plan)");
  const configured = configuredAttributes(plan);
  const resources: DriftedResource[] = [];
  const refreshedOnly: DriftSummary["refreshedOnly"][number][] = [];
  for (const r of (plan.resource_drift ?? []) as Json[]) {
    if (r.mode === "data") continue;
    const { actions = [], before = null, after = null, before_sensitive, after_sensitive } = r.change ?? {};
    if (actions.includes("delete") || after === null) {
      resources.push({ address: r.address, type: r.type, drift: "deleted", attributes: [] });
      continue;
    }
    const found: DriftedAttribute[] = [];
    differences(before, after, "", mergedMarks(before_sensitive, after_sensitive), found);
    const sets = configured?.get(withoutKeys(r.address));
    const [set, computed] = [
      found.filter((a) => !configured || sets?.has(topAttribute(a.path))),
      found.filter((a) => configured && !sets?.has(topAttribute(a.path))),
    ];
    if (set.length) resources.push({ address: r.address, type: r.type, drift: "changed", attributes: withoutRepeatedTags(set) });
    else if (computed.length)
      refreshedOnly.push({ address: r.address, type: r.type, attributes: [...new Set(computed.map((a) => topAttribute(a.path)))] });
  }
  const byAddress = (a: { address: string }, b: { address: string }) => byCodeUnits(a.address, b.address);
  const outputs = Object.entries<Json>(plan.output_changes ?? {})
    .filter(([, change]) => !(change.actions ?? []).every((a: string) => a === "no-op"))
    .map(([name]) => name)
    .sort();
  return { resources: resources.sort(byAddress), refreshedOnly: refreshedOnly.sort(byAddress), outputs };
}
