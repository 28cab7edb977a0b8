/**
 * `npm run policy:docs`: writes the rule table of docs/policy.md (between its
 * `rules:start` and `rules:end` markers) from the pack's rules; the npm script then
 * formats the file. tests/unit/policy-docs.test.ts fails while the table is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ALL_RULES } from "../modules/policy";
import { rulesMarkdown } from "../modules/policy/rule-list";

const file = join(__dirname, "..", "docs", "policy.md");
const text = readFileSync(file, "utf8");
const section = /(<!-- rules:start -->)[\s\S]*(<!-- rules:end -->)/;
if (!section.test(text)) throw new Error(`${file}: no <!-- rules:start --> ... <!-- rules:end --> section`);
writeFileSync(
  file,
  text.replace(section, (_, start, end) => `${start}\n\n${rulesMarkdown(ALL_RULES)}\n\n${end}`),
);
