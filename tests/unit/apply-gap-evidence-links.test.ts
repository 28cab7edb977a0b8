/**
 * Every emulator gap carries independent evidence (issue #13, item 13): each
 * APPLY_GAPS / VALIDATE_ONLY entry names evidence tags, and each tag is the
 * title of a describe block with tests in tests/stacks/apply-gap-evidence.test.ts
 * (which asserts the AWS-documented constraints of the type on the synthesized JSON).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EVIDENCE, EVIDENCE_TAGS } from "../stacks/apply-gap-evidence-tags";
import { APPLY_GAPS, VALIDATE_ONLY } from "../terraform/emulator-gaps";

const EVIDENCE_FILE = join(__dirname, "..", "stacks", "apply-gap-evidence.test.ts");
const source = readFileSync(EVIDENCE_FILE, "utf8");

/** The tests each `describe(EVIDENCE.<key>, ...)` block of the evidence file holds, by tag. */
function testsByTag(): Map<string, number> {
  const blocks = [...source.matchAll(/^describe\(EVIDENCE\.([A-Za-z0-9_]+),/gm)];
  const byTag = new Map<string, number>();
  blocks.forEach((match, i) => {
    const tag = (EVIDENCE as Record<string, string>)[match[1]];
    if (!tag) throw new Error(`describe(EVIDENCE.${match[1]}) names no tag of apply-gap-evidence-tags.ts`);
    const body = source.slice(match.index, blocks[i + 1]?.index ?? source.length);
    byTag.set(tag, (byTag.get(tag) ?? 0) + [...body.matchAll(/^\s+it\("\[/gm)].length);
  });
  return byTag;
}

const GAPS = [
  ...APPLY_GAPS.map((gap) => ({ name: `APPLY_GAPS ${gap.type}${gap.when ? ` (${gap.when.description})` : ""}`, evidence: gap.evidence })),
  ...VALIDATE_ONLY.map((gap) => ({ name: `VALIDATE_ONLY ${gap.stack} (${gap.types.join(", ")})`, evidence: gap.evidence })),
];

describe("apply-gap evidence links (tests/terraform/emulator-gaps.ts → tests/stacks/apply-gap-evidence.test.ts)", () => {
  it("every APPLY_GAPS and VALIDATE_ONLY entry names evidence", () => {
    expect(GAPS.filter((gap) => !Array.isArray(gap.evidence) || gap.evidence.length === 0).map((gap) => gap.name)).toEqual([]);
  });

  it("every evidence a gap names is a tag of the registry with a describe block of documented tests in the evidence file", () => {
    const byTag = testsByTag();
    const missing = GAPS.flatMap((gap) =>
      (gap.evidence ?? []).filter((tag) => !((byTag.get(tag) ?? 0) > 0)).map((tag) => `${gap.name}: ${tag}`),
    );
    expect(missing).toEqual([]);
  });

  it("every tag of the registry has its tests, each titled with its [documentation]", () => {
    const byTag = testsByTag();
    expect(EVIDENCE_TAGS.filter((tag) => !((byTag.get(tag) ?? 0) > 0))).toEqual([]);
    // No test of the file goes untitled by its documentation, and none is skipped.
    const titles = [...source.matchAll(/^\s*(it|test|describe)(\.[a-z]+)?\(("(?:[^"\\]|\\.)*"|[A-Za-z.]+)/gm)];
    expect(titles.length).toBeGreaterThan(EVIDENCE_TAGS.length);
    const bad = titles.filter(
      ([, kind, modifier, title]) =>
        modifier !== undefined || (kind === "describe" ? !/^EVIDENCE\.[A-Za-z0-9_]+$/.test(title) : !/^"\[.+\] \S/.test(title)),
    );
    expect(bad.map(([line]) => line.trim())).toEqual([]);
  });
});
