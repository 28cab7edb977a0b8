/** Markdown for GitHub (comments and issues): escaping, code spans and fences, capped lists. */

/** Sorts by UTF-16 code units, as every machine does: the same input gives the same comment whatever the locale. */
export const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Text in a table cell: GitHub splits cells on every unescaped `|`, inside code spans too, and a row ends at a newline. */
const cellText = (text: string) => text.replace(/\\/g, "\\\\").replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
/** A code span in a table cell. */
export const codeCell = (text: string) => code(text).replace(/\|/g, "\\|");
/** Prose in a table cell, its Markdown and HTML inert. */
export const proseCell = (text: string) => cellText(escapeHtml(text)).replace(/([*_`~[\]])/g, "\\$1");

/** An inline code span that survives backticks in the text. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return longest > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A fenced block whose fence is longer than any backtick run inside. */
export function fenced(language: string, body: string): string {
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${body}\n${fence}`;
}

/** The first `limit` items, then "… and N more" for the rest. */
export function capped<T>(items: readonly T[], limit: number, line: (item: T) => string): string[] {
  const shown = items.slice(0, limit).map(line);
  if (items.length > limit) shown.push(`… and ${items.length - limit} more`);
  return shown;
}
