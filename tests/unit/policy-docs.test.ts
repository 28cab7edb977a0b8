import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ALL_RULES } from "../../modules/policy";
import { rulesMarkdown } from "../../modules/policy/rule-list";

/** docs/policy.md's rule table is `npm run policy -- --rules --format markdown` (Biome only aligns its columns). */

const DOC = readFileSync(join(__dirname, "..", "..", "docs", "policy.md"), "utf8");

/** The cells of a Markdown table's rows, trimmed; separator rows left out. */
const rows = (table: string) =>
  table
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );

describe("docs/policy.md", () => {
  const section = /<!-- rules:start -->([\s\S]*)<!-- rules:end -->/.exec(DOC)?.[1] ?? "";

  it("holds the rule table as the pack lists it: every rule, its IDs, types, severity and note", () => {
    expect(rows(section)).toEqual(rows(rulesMarkdown(ALL_RULES)));
  });

  it("the comparison sees a changed cell", () => {
    const changed = rulesMarkdown(ALL_RULES).replace("Every VPC has flow logs", "Every VPC has logs");
    expect(rows(changed)).not.toEqual(rows(rulesMarkdown(ALL_RULES)));
    expect(rows(section).length).toBe(new Set(ALL_RULES.map((r) => `${r.ids.join(", ")} ${r.title}`)).size + 1);
  });
});
