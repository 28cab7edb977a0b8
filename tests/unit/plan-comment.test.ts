import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import MarkdownIt from "markdown-it";
import { programDelta } from "../../modules/cost/delta";
import { constructPaths, synthesizedInputs } from "../../modules/cost/inputs";
import { PriceTable } from "../../modules/cost/prices";
import { estimateProgram } from "../../modules/cost/program";
import { noUsage } from "../../modules/cost/usage";
import { renderComment, summarizePlan } from "../../scripts/plan-summary";
import { synthProgram } from "../stacks/synth";

/**
 * The pull-request comment as a reviewer gets it, rendered from the lane's
 * real plans (tests/fixtures/plans) with the shipped program's construct
 * paths, cost and policy findings, and parsed as GitHub-flavoured Markdown by
 * a maintained parser (markdown-it, with GitHub's tables).
 */
const ROOT = join(__dirname, "..", "..");
const FIXTURES = join(ROOT, "tests", "fixtures");
const plan = (name: string) => JSON.parse(gunzipSync(readFileSync(join(FIXTURES, "plans", `${name}.json.gz`))).toString("utf8"));
const shipped = synthProgram();
const paths = new Map(Object.entries(shipped.stacks).map(([stack, json]) => [stack, constructPaths(json as any)]));
const pathOf = (stack: string, address: string) => paths.get(stack)?.get(address);
const prices = new PriceTable(JSON.parse(readFileSync(join(ROOT, "pricing", "prices.json"), "utf8")));
const estimate = estimateProgram(synthesizedInputs(shipped.outdir), prices, () => noUsage());
const policy = Object.values(shipped.policy).map((r) => ({ stack: r.stack, findings: r.findings }));

const plans = [
  { stack: "ecg-dev", summary: summarizePlan(plan("ecg-dev.create")) },
  { stack: "ecg-prod", summary: summarizePlan(plan("ecg-prod.replan")) },
];
const comment = renderComment(plans, { pathOf, cost: programDelta(estimate, estimate), policy, commit: "abc1234" });
const tokens = new MarkdownIt({ html: true }).parse(comment, {});
const text = (type: string) => tokens.filter((t) => t.type === type);

describe("the plan comment as Markdown", () => {
  it("[#19] parses with every table and collapsed list intact: the stacks, the cost, a component table per stack, the policy findings", () => {
    const headerRows = tokens
      .map((t, i) =>
        t.type === "thead_open"
          ? tokens.slice(
              i,
              tokens.findIndex((x, j) => j > i && x.type === "thead_close"),
            )
          : undefined,
      )
      .filter((t): t is typeof tokens => t !== undefined)
      .map((head) =>
        head
          .filter((t) => t.type === "inline")
          .map((t) => t.content)
          .join(" | "),
      );
    expect(headerRows).toEqual([
      "Stack | Plan | Add | Change | Replace | Destroy",
      "Environment | Before | After | Change | Budget",
      "Component | Add | Change | Replace | Destroy",
      "Component | Add | Change | Replace | Destroy",
      ...policy
        .filter((r) => r.findings.length && ["ecg-dev", "ecg-prod"].includes(r.stack))
        .map(() => "Severity | Rule | Resource | Found"),
    ]);
    // Every <details> closes, around a fenced diff, as GitHub needs a blank line on each side to render the Markdown inside.
    const html = text("html_block").map((t) => t.content.trim());
    expect(html.filter((h) => h.startsWith("<details>")).length).toBe(2);
    expect(html.filter((h) => h === "</details>").length).toBe(2);
    expect(text("fence").map((t) => t.info)).toEqual(["diff", "diff"]);
  });

  it("[#19] names resources by construct path, groups them by component, and lists the attributes an update changes", () => {
    const devRows = comment.split("#### `ecg-dev`")[1].split("<details>")[0];
    expect(devRows).toContain("| `foundation/network` |");
    expect(devRows).toContain("| `data/postgres` |");
    expect(comment).toContain("+   foundation/network/nat-c (aws_nat_gateway)");
    expect(comment).not.toMatch(/^\+ {3}aws_nat_gateway\./m);
    // The re-plan's updates, with what they change (names only: values never leave the runner).
    expect(comment).toMatch(/^! {3}data\/postgres\/primary \(aws_db_instance\): [a-z_, ]+$/m);
  });

  /**
   * The snapshot (tests/fixtures/plan-comment/ecg-prod.replan.md) is prod's
   * re-plan as the comment shows it. A person read it and checked: the stack
   * table's counts match the plan (45 changes); the component table adds up
   * to them; each line names a construct path and its type, with the changed
   * attribute names after the colon; no value appears. After the lane's
   * fixtures are refreshed, read the new one and write it with
   * ECG_WRITE_SNAPSHOT=1.
   */
  it("[#19] renders prod's re-plan as the reviewed snapshot", () => {
    const file = join(FIXTURES, "plan-comment", "ecg-prod.replan.md");
    const rendered = renderComment([plans[1]], { pathOf, commit: "abc1234" });
    if (process.env.ECG_WRITE_SNAPSHOT === "1") writeFileSync(file, rendered);
    expect(rendered).toBe(readFileSync(file, "utf8"));
  });
});

describe("the plan comment's tables hold what a cell may not", () => {
  it("[#19] keeps a finding with a pipe, a backslash, a newline and Markdown in one row of its table", () => {
    const finding = {
      rule: "ECG_X",
      severity: "warning",
      address: "aws_s3_bucket.b",
      path: "ecg-prod/data/b|c",
      found: "a | b\\ |\nc *d* <e>",
    };
    const md = renderComment([plans[1]], { pathOf, policy: [{ stack: "ecg-prod", findings: [finding] }] });
    const row = md.split("\n").find((l) => l.includes("ECG_X"))!;
    expect(row).toBe("| ⚠️ warning | `ECG_X` | `data/b\\|c` | a \\| b\\\\ \\| c \\*d\\* &lt;e&gt; |");
    // markdown-it, with GitHub's tables, reads the findings table as rows of four cells, the finding's text in the last.
    const section = new MarkdownIt({ html: true }).parse(md.slice(md.indexOf("### Policy findings")), {});
    const rows: string[][] = [];
    for (const t of section) {
      if (t.type === "tr_open") rows.push([]);
      if (t.type === "inline" && rows.length && section[section.indexOf(t) - 1]?.type === "td_open") rows[rows.length - 1].push(t.content);
    }
    // The escaped pipes are the cell's own text again: one row, four cells.
    expect(rows.filter((r) => r.length)).toEqual([["⚠️ warning", "`ECG_X`", "`data/b|c`", String.raw`a | b\\ | c \*d\* &lt;e&gt;`]]);
  });

  it("[#19] says why there are no findings when the policy report cannot be read, and still renders the plans", () => {
    const md = renderComment([plans[1]], {
      pathOf,
      policyError: "policy.json is not the output of npm run policy -- --format json (no stacks)",
    });
    expect(md).toContain(
      "### Policy findings\n\n_Not checked: policy.json is not the output of npm run policy -- --format json (no stacks)_",
    );
    expect(md).toContain("#### `ecg-prod`: 45 resources change");
  });
});
