// Markdown as the docs tests read it: code blanked out, relative links found.

/**
 * The Markdown with code blanked out, line breaks kept: fenced blocks always (no heading or link
 * there), inline spans too unless `keepSpans` (a heading's slug keeps the text of its code).
 */
export function withoutCode(markdown: string, keepSpans = false): string {
  let fence: string | undefined;
  return markdown
    .split("\n")
    .map((line) => {
      const opening = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence === undefined && opening !== undefined) fence = opening;
      else if (fence !== undefined && opening?.startsWith(fence)) fence = undefined;
      else if (fence === undefined) return keepSpans ? line : line.replace(/(`+).*?\1/g, (code) => " ".repeat(code.length));
      return " ".repeat(line.length);
    })
    .join("\n");
}

/** Link targets outside code: inline links and images `](target)`, reference definitions `[label]: target`, HTML href/src. */
const LINK_TARGETS = [/\]\(\s*(<[^>]*>|[^)\s]+)/g, /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/gm, /\b(?:href|src)\s*=\s*["']([^"']+)["']/g];

export interface Link {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

/** The relative links of a Markdown file (URLs with a scheme and protocol-relative ones are not checked). */
export function relativeLinks(file: string, markdown: string): Link[] {
  const text = withoutCode(markdown);
  const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
  return LINK_TARGETS.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => ({ file, line: lineOf(m.index), target: m[1] })))
    .map((link) => ({ ...link, target: link.target.replace(/^<|>$/g, "") }))
    .filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target) && !link.target.startsWith("//"))
    .sort((a, b) => a.line - b.line);
}

export const decode = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};
