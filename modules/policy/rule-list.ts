import { ALL_TYPES, type Rule } from "./engine";

/** Rules by IDs and title: one rule of two severities (the deprecation calendar) is one entry. */
function entries(rules: readonly Rule[]): { key: string; rule: Rule; scope: string }[] {
  const byRule = new Map<string, { rule: Rule; severities: string[] }>();
  for (const rule of rules) {
    const key = `${rule.ids.join(", ")}  ${rule.title}`;
    const entry = byRule.get(key) ?? { rule, severities: [] };
    entry.severities.push(rule.severity);
    byRule.set(key, entry);
  }
  return [...byRule].map(([key, { rule, severities }]) => ({
    key,
    rule,
    scope: [severities.join(" or "), rule.productionOnly ? "production only" : undefined].filter(Boolean).join(", "),
  }));
}

const typesOf = (rule: Rule) => (rule.types.includes(ALL_TYPES) ? "every resource and data source" : rule.types.join(", "));

/** `npm run policy -- --rules`: every rule with its IDs, severity, resource types and note. */
export function formatRules(rules: readonly Rule[]): string {
  return entries(rules)
    .map(({ key, rule, scope }) => {
      return [
        `${key} (${scope})`,
        `    on:   ${typesOf(rule)}`,
        ...(rule.note ? [`    note: ${rule.note}`] : []),
        ...(rule.notOnPlans ? [`    plans: not checked (${rule.notOnPlans})`] : []),
      ].join("\n");
    })
    .join("\n");
}

/** A table cell: pipes and asterisks escaped (an unescaped "*" pair reads as emphasis). */
const cell = (text: string) => text.replace(/[|*]/g, "\\$&");

/** `npm run policy -- --rules --format markdown`: the rule table of docs/policy.md. */
export function rulesMarkdown(rules: readonly Rule[]): string {
  const rows = entries(rules).map(({ rule, scope }) => {
    const notes = [rule.note, rule.notOnPlans ? `Not checked on a plan: ${rule.notOnPlans}.` : undefined].filter(Boolean).join(" ");
    return `| ${rule.ids.join(", ")} | ${cell(rule.title)} | ${cell(typesOf(rule))} | ${scope} | ${cell(notes)} |`;
  });
  return ["| ID | Checks | On | Severity | Where it departs from the public check |", "| --- | --- | --- | --- | --- |", ...rows].join(
    "\n",
  );
}
