import type { ApplyGap, DriftGap } from "../emulator-gaps";

type Json = Record<string, any>;

/** `aws_x.name` or `data.aws_x.name` inside an expression. */
const REFERENCE = /\b(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\b/g;

/**
 * What an apply may touch in the emulator: every resource except those of an
 * apply-gap type and those that depend on one (references or depends_on),
 * transitively, also through data sources: `-target` would pull a gap
 * resource back in through a data source that reads it. Undefined when
 * nothing is excluded: apply everything, no -target.
 */
export function applyTargets(stack: Json, gaps: readonly ApplyGap[]): { targets?: string[]; excluded: string[] } {
  const isGap = (type: string, config: Json) => gaps.some((g) => g.type === type && (g.when?.test(config) ?? true));
  const dependencies = new Map<string, Set<string>>();
  const resources: string[] = [];
  const gapAddresses = new Set<string>();
  for (const [prefix, block] of [
    ["", stack.resource],
    ["data.", stack.data],
  ] as const) {
    for (const [type, byName] of Object.entries((block ?? {}) as Json)) {
      for (const [name, config] of Object.entries(byName as Json)) {
        const address = `${prefix}${type}.${name}`;
        if (!prefix) resources.push(address);
        if (!prefix && isGap(type, config as Json)) gapAddresses.add(address);
        const deps = new Set<string>();
        for (const match of JSON.stringify(config).matchAll(REFERENCE)) deps.add(`${match[1] ?? ""}${match[2]}.${match[3]}`);
        dependencies.set(address, deps);
      }
    }
  }
  const excluded = new Set(gapAddresses);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [address, deps] of dependencies) {
      if (!excluded.has(address) && [...deps].some((d) => excluded.has(d))) {
        excluded.add(address);
        grew = true;
      }
    }
  }
  if (excluded.size === 0) return { excluded: [] };
  return { targets: resources.filter((a) => !excluded.has(a)).sort(), excluded: resources.filter((a) => excluded.has(a)).sort() };
}

/** Top-level attributes whose planned value differs from the prior state. */
export function changedAttributes(change: Json): string[] {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const unknown = change.after_unknown ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys]
    .filter((key) => JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null) || hasUnknown(unknown[key]))
    .sort();
}

function hasUnknown(value: any): boolean {
  if (value === true) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  if (value && typeof value === "object") return Object.values(value).some(hasUnknown);
  return false;
}

export interface PlanReview {
  /** Changes explained by the reviewed drift list. */
  readonly accepted: string[];
  /** Everything else: each one fails the lane. */
  readonly unexpected: string[];
  /** Drift entries (type.attribute) that explained at least one change. */
  readonly usedDrift: string[];
}

/**
 * For a replacement: the attributes that force it, when every one of them is
 * a drift entry that forces replacement, with what those entries allow the
 * replacement to recompute. Undefined for any other change.
 */
function replacementDrift(change: Json, drift: readonly DriftGap[]): { paths: string[]; recomputed: string[] } | undefined {
  const actions: string[] = change.change.actions;
  if (!(actions.length === 2 && actions.includes("delete") && actions.includes("create"))) return undefined;
  const paths = [...new Set<string>((change.change.replace_paths ?? []).map((path: unknown[]) => String(path[0])))];
  const forcing = paths.map((p) => drift.find((d) => d.type === change.type && d.attribute === p && d.forcesReplacement));
  if (paths.length === 0 || forcing.some((d) => !d)) return undefined;
  return { paths, recomputed: forcing.flatMap((d) => d!.forcesReplacement!.recomputedByReplacement) };
}

/**
 * Reviews a re-plan (`terraform show -json`): a clean re-plan has no change;
 * an in-place update whose every changed attribute is on the drift list is
 * the emulator's doing, and so is a replacement forced only by drift entries
 * that say they force it; anything else (create, replace, delete, other
 * attributes) is ours.
 */
export function reviewReplan(plan: Json, drift: readonly DriftGap[]): PlanReview {
  const accepted: string[] = [];
  const unexpected: string[] = [];
  const used = new Set<string>();
  for (const change of plan.resource_changes ?? []) {
    const actions: string[] = change.change.actions;
    if (actions.every((a) => a === "no-op" || a === "read")) continue;
    const attributes = changedAttributes(change.change);
    const unknown = change.change.after_unknown ?? {};
    // An unknownOnly entry explains its attribute only while it is unknown (no concrete new value).
    const allowed = new Set(
      drift.filter((d) => d.type === change.type && (!d.unknownOnly || unknown[d.attribute] === true)).map((d) => d.attribute),
    );
    const summary = `${change.address}: ${actions.join("/")} (${attributes.join(", ") || "no attribute"})`;
    const explained = (extra: readonly string[]) => attributes.length > 0 && attributes.every((a) => allowed.has(a) || extra.includes(a));
    const forcing = replacementDrift(change, drift);
    if ((actions.length === 1 && actions[0] === "update" && explained([])) || (forcing && explained(forcing.recomputed))) {
      accepted.push(forcing ? summary.replace(/\)$/, `; replacement forced by emulator drift in ${forcing.paths.join(", ")})`) : summary);
      for (const a of attributes) if (allowed.has(a)) used.add(`${change.type}.${a}`);
    } else {
      unexpected.push(summary);
    }
  }
  return { accepted, unexpected, usedDrift: [...used].sort() };
}
