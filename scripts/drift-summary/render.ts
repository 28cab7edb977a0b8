/**
 * The body of a stack's drift issue (drift.yml): one issue per stack, found
 * again by the marker on its first line, updated while the drift lasts.
 */
import { byCodeUnits, capped, code, codeCell, escapeHtml } from "../plan-summary/markdown";
import { constructName, type PathOf } from "../plan-summary/paths";
import { GITHUB_COMMENT_LIMIT } from "../plan-summary/render";
import type { DriftedResource, DriftSummary } from "./drift";

/** The hidden first line of a stack's drift issue; drift.yml finds the issue by it. */
export const driftMarker = (stack: string) => `<!-- ecg-drift: ${stack} -->`;

export interface DriftRenderOptions {
  readonly pathOf?: PathOf;
  /** The commit whose program was compared. */
  readonly commit?: string;
  /** The workflow run, for its logs. */
  readonly runUrl?: string;
  /** When the check ran (ISO 8601). @default - not said */
  readonly checkedAt?: string;
  /** Upper bound of the body's length. @default 65,000 (GitHub refuses issue bodies over 65,536 characters) */
  readonly maxLength?: number;
  /** Resources whose attributes are listed. @default 100 */
  readonly maxResources?: number;
  /** Attributes listed per resource. @default 25 */
  readonly maxAttributes?: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function resourceDetails(resource: DriftedResource, name: string, maxAttributes: number): string[] {
  const heading = `<details><summary><code>${escapeHtml(name)}</code> (<code>${escapeHtml(resource.type)}</code>)</summary>`;
  if (resource.drift === "deleted")
    return [
      heading,
      "",
      `Deleted outside Terraform: ${code(resource.address)} is in the state but no longer in AWS.`,
      "",
      "</details>",
      "",
    ];
  const rows = capped(resource.attributes, maxAttributes, (a) => `| ${codeCell(a.path)} | ${codeCell(a.before)} | ${codeCell(a.after)} |`);
  if (resource.attributes.length > maxAttributes) rows[rows.length - 1] = `| ${rows[rows.length - 1]} | | |`;
  return [
    heading,
    "",
    `Address: ${code(resource.address)}`,
    "",
    "| Attribute | In the state (last apply) | In AWS now |",
    "| --- | --- | --- |",
    ...rows,
    "",
    "</details>",
    "",
  ];
}

function render(stack: string, drift: DriftSummary, options: DriftRenderOptions, maxResources: number, maxAttributes: number): string {
  const named = drift.resources
    .map((resource) => ({ resource, ...constructName(stack, resource.address, options.pathOf) }))
    .sort((a, b) => byCodeUnits(a.name, b.name));
  const deleted = named.filter((n) => n.resource.drift === "deleted").length;
  const when = [
    options.commit ? `the program at ${code(options.commit)}` : "the program",
    options.checkedAt ? `on ${options.checkedAt}` : "",
    options.runUrl ? `([workflow run](${options.runUrl}))` : "",
  ].filter(Boolean);
  const out = [
    driftMarker(stack),
    `## Drift in ${code(stack)}`,
    "",
    named.length
      ? `**${plural(named.length, "resource")}** changed outside Terraform${deleted ? ` (${deleted} deleted)` : ""}: a refresh-only plan against ${when.join(" ")} found AWS different from the state.`
      : `No resource drifted: a refresh-only plan against ${when.join(" ")} found only values the program does not set.`,
    "This issue is updated on every check while the drift lasts and closed when the stack is clean again. Nothing was applied.",
    "",
  ];
  if (named.length) {
    out.push("| Resource | Type | Drift |", "| --- | --- | --- |");
    for (const n of named) {
      const what = n.resource.drift === "deleted" ? "deleted" : plural(n.resource.attributes.length, "attribute");
      out.push(`| ${codeCell(n.name)} | ${codeCell(n.resource.type)} | ${what} |`);
    }
    out.push("", "### What changed", "");
    for (const n of named.slice(0, maxResources)) out.push(...resourceDetails(n.resource, n.name, maxAttributes));
    if (named.length > maxResources) out.push(`… and ${named.length - maxResources} more resources: see the workflow run.`, "");
  }
  if (drift.outputs.length) out.push(`Outputs changed by the refresh: ${drift.outputs.map(code).join(", ")}.`, "");
  if (drift.refreshedOnly.length) {
    out.push(
      `<details><summary>${plural(drift.refreshedOnly.length, "resource")} with only computed attributes refreshed (not drift)</summary>`,
      "",
      "Attributes the program does not set, which AWS or other resources of the stack change (a security group's rules managed as their own resources, a role's attached policies). The next apply records them.",
      "",
      "| Resource | Type | Attributes |",
      "| --- | --- | --- |",
      ...capped(
        drift.refreshedOnly
          .map((r) => ({ ...r, name: constructName(stack, r.address, options.pathOf).name }))
          .sort((a, b) => byCodeUnits(a.name, b.name)),
        maxResources,
        (r) => `| ${codeCell(r.name)} | ${codeCell(r.type)} | ${r.attributes.map(codeCell).join(", ")} |`,
      ),
      "",
      "</details>",
      "",
    );
  }
  out.push(
    "### What to do",
    "",
    "- **Keep the change**: write it into the program (`environments/` or the module) and let a pull request plan it.",
    `- **Undo it**: deploy the stack again (\`npm run deploy -- <target>\`, or the deploy workflow): the apply restores the configuration.`,
    "- Values Terraform marks sensitive, and those of attributes named like secrets, are shown as `(sensitive)`.",
  );
  return `${out.join("\n")}\n`;
}

/** The issue body, shortened deterministically (fewer attributes, then fewer resources) until it fits, saying what was cut. */
export function renderDriftIssue(stack: string, drift: DriftSummary, options: DriftRenderOptions = {}): string {
  const maxLength = Math.min(options.maxLength ?? 65_000, GITHUB_COMMENT_LIMIT);
  let [resources, attributes] = [options.maxResources ?? 100, options.maxAttributes ?? 25];
  const [initialResources, initialAttributes] = [resources, attributes];
  for (;;) {
    const body = render(stack, drift, options, resources, attributes);
    const cut = resources < initialResources || attributes < initialAttributes;
    const note = cut
      ? `\n_Shortened to fit GitHub's limit: at most ${plural(resources, "resource")} with details and ${plural(attributes, "attribute")} each; the workflow run has the rest._\n`
      : "";
    if (body.length + note.length <= maxLength || (resources === 0 && attributes === 0)) return `${body}${note}`.slice(0, maxLength);
    if (attributes > 5) attributes = Math.floor(attributes / 2);
    else if (resources > 0) resources = Math.floor(resources / 2);
    else attributes = 0;
  }
}
