/**
 * Renders the plan summaries of every environment stack into ONE pull
 * request comment (PLT-6). The workflow finds its earlier comment by the
 * marker on the first line and edits it in place, so a pull request carries
 * one plan comment however often it is pushed.
 */
import type { CostDelta } from "../../modules/cost/delta";
import { signedUsd, usd } from "../../modules/cost/money";
import { constructName, OUTSIDE, type PathOf } from "./paths";
import { byCodeUnits, capped, code, codeCell, escapeHtml, fenced, proseCell } from "./markdown";
import { type ChangeKind, type ResourceChangeSummary, type StackSummary, withoutColours } from "./summary";

/** Hidden first line of the comment; the workflows search for it verbatim. */
export const PLAN_SUMMARY_MARKER = "<!-- ecg-plan-summary -->";

/** GitHub refuses issue and pull request comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** One stack's entry: its summary, or the error of a plan that failed. */
export type StackPlan =
  | { readonly stack: string; readonly summary: StackSummary; readonly error?: undefined }
  | { readonly stack: string; readonly error: string; readonly summary?: undefined };

export interface RenderOptions {
  /** Heading of the comment. @default "Terraform plan" */
  readonly title?: string;
  /** Link to the workflow run, for the logs. */
  readonly runUrl?: string;
  /** Commit the plans were made from. */
  readonly commit?: string;
  /** Upper bound of the comment's length, at most GITHUB_COMMENT_LIMIT. @default 65,000 (room for GitHub's own accounting) */
  readonly maxLength?: number;
  /** Changed addresses listed per stack before "… and N more". @default 300 */
  readonly maxAddressesPerStack?: number;
  /** Stateful destroys/replacements listed per stack before "… and N more". @default 100 */
  readonly maxStatefulPerStack?: number;
  /** Characters of a failed stack's error text kept. @default 4,000 */
  readonly maxErrorChars?: number;
  /** Each environment's monthly cost before → after (`npm run cost -- --json --compare BASE`). @default - no cost section */
  readonly cost?: readonly CostDelta[];
  /** Why there is no cost section (the estimate failed), shown in its place. @default - none */
  readonly costError?: string;
  /** Changed cost line items listed per environment. @default 5 */
  readonly maxCostItems?: number;
  /**
   * The construct path of a stack's resource address (from the synthesized
   * stacks), for readable names and the components a stack's changes are
   * grouped by. @default - addresses only
   */
  readonly pathOf?: PathOf;
  /** The policy pack's findings per stack (`npm run policy -- --format json`): shown for the stacks that change. @default - no policy section */
  readonly policy?: readonly { readonly stack: string; readonly findings: readonly PolicyFindingLine[] }[];
  /** Why there is no policy section (the report could not be read), shown in its place. @default - none */
  readonly policyError?: string;
  /** Findings listed per stack. @default 20 */
  readonly maxFindingsPerStack?: number;
}

/** The part of a policy finding the comment shows. */
export interface PolicyFindingLine {
  readonly rule: string;
  readonly severity: string;
  readonly address: string;
  readonly path: string;
  readonly found: string;
}

interface Limits {
  addresses: number;
  stateful: number;
  errorChars: number;
  findings: number;
}

// Most dangerous first, so truncation drops additions before destructions.
const KIND_ORDER: readonly ChangeKind[] = ["destroy", "replace", "forget", "change", "add"];
// `diff` highlighting on GitHub: `-` red, `+` green, `!` changed.
const DIFF_PREFIX: Record<ChangeKind, string> = { destroy: "-  ", replace: "-/+", forget: "!  ", change: "!  ", add: "+  " };

function truncateError(error: string, limit: number): string {
  const clean = withoutColours(error).trim() || "(the plan produced no error output; see the workflow run)";
  if (clean.length <= limit) return clean;
  return `${clean.slice(0, limit)}\n… (${clean.length - limit} more characters in the workflow log)`;
}

function status(plan: StackPlan): string {
  if (!plan.summary) return "❌ failed";
  const s = plan.summary;
  if (s.errored) return "❌ errored";
  const total = s.adds + s.changes + s.replaces + s.destroys + s.forgets;
  const parts = [total === 0 && s.outputChanges === 0 ? "✅ no changes" : "📝 changes"];
  if (s.statefulAtRisk.length > 0) parts.push("⚠️ stateful");
  if (!s.complete) parts.push("partial plan");
  return parts.join(", ");
}

function tableRow(plan: StackPlan): string {
  const s = plan.summary;
  const cells = s && !s.errored ? [s.adds, s.changes, s.replaces, s.destroys].map(String) : ["–", "–", "–", "–"];
  return `| ${code(plan.stack)} | ${status(plan)} | ${cells.join(" | ")} |`;
}

function ordered(resources: readonly ResourceChangeSummary[]): ResourceChangeSummary[] {
  return KIND_ORDER.flatMap((kind) => resources.filter((r) => r.kind === kind));
}

/** Each environment's month before → after, its budget, and the largest changed line items. */
function costSection(deltas: readonly CostDelta[], items: number): string[] {
  const out = ["### Monthly cost", "", "| Environment | Before | After | Change | Budget |", "| --- | ---: | ---: | ---: | --- |"];
  for (const d of deltas) {
    const budget = d.monthlyBudgetUsd === undefined ? "–" : `${usd(d.monthlyBudgetUsd)}${d.overBudget ? " ⚠️ **over budget**" : ""}`;
    out.push(
      `| ${codeCell(d.name)} | ${usd(d.before.monthlyUsd)} | ${usd(d.after.monthlyUsd)} | ${signedUsd(d.deltaMonthlyUsd)} | ${budget} |`,
    );
  }
  out.push(
    "",
    "_Estimated by `npm run cost` from the synthesized stacks (docs/cost.md): fleets at their scheduled minimums, usage from `pricing/usage/`._",
    "",
  );
  for (const d of deltas.filter((x) => x.changes.length > 0)) {
    const lines = capped(d.changes, items, (c) => `| ${signedUsd(c.deltaUsd)} | ${proseCell(c.what)} | ${codeCell(c.path)} |`);
    out.push(
      `<details><summary><code>${escapeHtml(d.name)}</code>: ${d.changes.length} cost line item${d.changes.length === 1 ? "" : "s"} change</summary>`,
      "",
      "| Change | What | Resource |",
      "| ---: | --- | --- |",
      ...lines.map((l) => (l.startsWith("|") ? l : `| | ${l} | |`)),
      "",
      "</details>",
      "",
    );
  }
  return out;
}

/** A resource as a reader knows it: its construct path under the stack, else its address. */
interface Named {
  readonly change: ResourceChangeSummary;
  /** `foundation/network/nat-a`, or the address when the synthesized stack does not know it. */
  readonly name: string;
  /** The construct path's first two levels: `foundation/network`, `data/postgres`. */
  readonly component: string;
}

function named(stack: string, change: ResourceChangeSummary, options: RenderOptions): Named {
  return { change, ...constructName(stack, change.address, options.pathOf) };
}

/** One stack's changes: a table by component, then the resources by name with the attributes they change. */
function stackChanges(stack: string, s: StackSummary, options: RenderOptions, limits: Limits): string[] {
  // Most dangerous first, then by construct path: a component's resources stand together.
  const resources = KIND_ORDER.flatMap((kind) =>
    s.resources
      .filter((r) => r.kind === kind)
      .map((r) => named(stack, r, options))
      .sort((a, b) => byCodeUnits(a.name, b.name)),
  );
  const components = [...new Set(resources.map((r) => r.component))].sort(
    (a, b) => Number(a === OUTSIDE) - Number(b === OUTSIDE) || a.localeCompare(b),
  );
  const count = (component: string, kind: ChangeKind) =>
    resources.filter((r) => r.component === component && r.change.kind === kind).length;
  const notes = [`${s.resources.length} resource${s.resources.length === 1 ? "" : "s"} change`];
  if (s.outputChanges > 0) notes.push(`${s.outputChanges} output${s.outputChanges === 1 ? "" : "s"} change`);
  if (s.imports > 0) notes.push(`${s.imports} import${s.imports === 1 ? "" : "s"}`);
  if (s.forgets > 0) notes.push(`${s.forgets} removed from state only`);
  const lines = capped(resources, limits.addresses, (r) => {
    const attributes = r.change.changed?.length ? `: ${r.change.changed.join(", ")}` : "";
    return `${DIFF_PREFIX[r.change.kind]} ${r.name} (${r.change.type})${attributes}`;
  });
  return [
    `#### ${code(stack)}: ${notes.join(", ")}`,
    "",
    "| Component | Add | Change | Replace | Destroy |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...components.map(
      (c) => `| ${codeCell(c)} | ${(["add", "change", "replace", "destroy"] as const).map((k) => count(c, k)).join(" | ")} |`,
    ),
    "",
    `<details><summary>The ${s.resources.length} resources, by construct path (changed attributes after the colon)</summary>`,
    "",
    fenced("diff", lines.join("\n")),
    "",
    "</details>",
    "",
  ];
}

/** The policy pack's errors and warnings on the stacks this comment shows changes of. */
function policySection(plans: readonly StackPlan[], policy: NonNullable<RenderOptions["policy"]>, limit: number): string[] {
  const changed = new Set(plans.filter((p) => (p.summary?.resources.length ?? 0) > 0).map((p) => p.stack));
  const reports = policy.filter((r) => changed.has(r.stack));
  const out = ["### Policy findings", ""];
  const total = reports.reduce((n, r) => n + r.findings.length, 0);
  if (total === 0)
    return [
      ...out,
      `✅ No errors or warnings on the ${changed.size} stack${changed.size === 1 ? "" : "s"} that change (\`npm run policy\`, docs/policy.md).`,
      "",
    ];
  for (const r of reports.filter((x) => x.findings.length > 0)) {
    const errors = r.findings.filter((f) => f.severity === "error").length;
    out.push(
      `${code(r.stack)}: ${errors} error${errors === 1 ? "" : "s"}, ${r.findings.length - errors} warning${r.findings.length - errors === 1 ? "" : "s"}`,
      "",
    );
    out.push("| Severity | Rule | Resource | Found |", "| --- | --- | --- | --- |");
    const sorted = [...r.findings].sort((a, b) => Number(b.severity === "error") - Number(a.severity === "error"));
    out.push(
      ...capped(
        sorted,
        limit,
        (f) =>
          `| ${f.severity === "error" ? "❌ error" : "⚠️ warning"} | ${codeCell(f.rule)} | ${codeCell(f.path.split("/").slice(1).join("/") || f.address)} | ${proseCell(f.found)} |`,
      ).map((l) => (l.startsWith("|") ? l : `| | | ${l} | |`)),
      "",
    );
  }
  return out;
}

/** What the shortening cut, in a line: the reader knows the lists are not whole. */
function shortened(limits: Limits, initial: Limits): string | undefined {
  const cuts = [
    limits.addresses < initial.addresses ? `resource lists to ${limits.addresses} per stack` : "",
    limits.errorChars < initial.errorChars ? `error texts to ${limits.errorChars} characters` : "",
    limits.stateful < initial.stateful ? `stateful lists to ${limits.stateful} per stack` : "",
  ].filter(Boolean);
  return cuts.length
    ? `_Shortened to stay under GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")} characters: ${cuts.join(", ")}; the workflow run has the whole plans._`
    : undefined;
}

function render(plans: readonly StackPlan[], options: RenderOptions, limits: Limits, initial: Limits = limits): string {
  const out: string[] = [PLAN_SUMMARY_MARKER, `## ${options.title ?? "Terraform plan"}`, ""];
  out.push("| Stack | Plan | Add | Change | Replace | Destroy |", "| --- | --- | ---: | ---: | ---: | ---: |");
  out.push(...plans.map(tableRow), "");
  out.push(
    "_Replace_ is counted on its own: a replaced resource is not counted again under Add or Destroy. " +
      "Data source reads and unchanged resources are not counted.",
    "",
  );
  if (options.cost) out.push(...costSection(options.cost, options.maxCostItems ?? 5));
  else if (options.costError) out.push("### Monthly cost", "", `_Not estimated: ${escapeHtml(options.costError)}_`, "");

  const atRisk = plans.flatMap((p) => (p.summary?.statefulAtRisk.length ? [{ stack: p.stack, resources: p.summary.statefulAtRisk }] : []));
  if (atRisk.length > 0) {
    const total = atRisk.reduce((n, p) => n + p.resources.length, 0);
    out.push(
      "> [!CAUTION]",
      `> **${total} stateful resource${total === 1 ? "" : "s"} will be destroyed or replaced.** Their data is lost unless it is backed up or moved first:`,
    );
    for (const plan of atRisk) {
      out.push(`> - ${code(plan.stack)}:`);
      const lines = capped(ordered(plan.resources), limits.stateful, (r) => `**${r.kind}** ${code(r.address)}`);
      out.push(...lines.map((line) => `>   - ${line}`));
    }
    out.push("");
  }

  for (const plan of plans) {
    if (plan.summary && !plan.summary.errored) continue;
    const text = plan.error ?? "Terraform reported errors while planning (errored: true); see the workflow run.";
    out.push(`### ❌ ${code(plan.stack)}: plan failed`, "", fenced("text", truncateError(text, limits.errorChars)), "");
  }

  for (const plan of plans) {
    const s = plan.summary;
    if (!s || s.resources.length === 0) continue;
    out.push(...stackChanges(plan.stack, s, options, limits));
  }

  if (options.policy) out.push(...policySection(plans, options.policy, limits.findings));
  else if (options.policyError) out.push("### Policy findings", "", `_Not checked: ${escapeHtml(options.policyError)}_`, "");

  const cut = shortened(limits, initial);
  if (cut) out.push(cut, "");

  const footer: string[] = [];
  if (options.commit) footer.push(`Planned at ${code(options.commit)}`);
  if (options.runUrl) footer.push(`[workflow run](${options.runUrl})`);
  if (footer.length) out.push(`<sub>${footer.join(" · ")}</sub>`, "");
  return out.join("\n");
}

/**
 * Renders one comment for all stacks, in the order given. It is never longer
 * than `maxLength`: when it would be, the address lists are halved, then the
 * error texts, then the stateful lists, until it fits (each list ends with
 * "… and N more"); a comment that still does not fit (absurd stack names) is
 * cut at a line end. The same input always gives the same comment.
 */
export function renderComment(plans: readonly StackPlan[], options: RenderOptions = {}): string {
  const maxLength = options.maxLength ?? 65_000;
  if (maxLength > GITHUB_COMMENT_LIMIT) throw new Error(`maxLength ${maxLength} exceeds GitHub's comment limit of ${GITHUB_COMMENT_LIMIT}`);
  const limits: Limits = {
    addresses: options.maxAddressesPerStack ?? 300,
    stateful: options.maxStatefulPerStack ?? 100,
    errorChars: options.maxErrorChars ?? 4_000,
    findings: options.maxFindingsPerStack ?? 20,
  };
  const initial = { ...limits };
  for (;;) {
    const text = render(plans, options, limits, initial);
    if (text.length <= maxLength) return text;
    if (limits.addresses > 0) limits.addresses = Math.floor(limits.addresses / 2);
    else if (limits.errorChars > 200) limits.errorChars = Math.floor(limits.errorChars / 2);
    else if (limits.stateful > 0) limits.stateful = Math.floor(limits.stateful / 2);
    else {
      const note = "\n\n… comment cut at GitHub's length limit; see the workflow run.";
      const head = text.slice(0, maxLength - note.length);
      return head.slice(0, Math.max(head.lastIndexOf("\n"), PLAN_SUMMARY_MARKER.length)) + note;
    }
  }
}
