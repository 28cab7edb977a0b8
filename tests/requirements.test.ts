import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

// Keeps the tests and docs/requirements.md in step: every requirement ID a test
// names is defined there, and every ID defined there is named by a test.
//
// A requirement ID is an upper-case area prefix, a dash and a number: NET-4, S3-2, COST-1.
//
// How a test names an ID (all test sources, tests/**/*.ts, the offline lane included):
// - `[ID]` in square brackets, one ID per pair, in the code of a test source: a title
//   (`it("[NET-4] ...")`, `describe(...)`), or a table row an `it.each` turns into titles
//   (`"[SC-1] a GPU fleet above 20"`, `req: "[RDS-2] [SEC-4]"`). Several IDs are written
//   `[CMP-3] [CMP-4]`: a bracket that starts with an ID but holds anything else
//   (`[CMP-3/4]`, `[NET-4, NET-5]`) fails the check instead of being guessed at.
// - a table row's bare `req: "ID"`, in a file that puts it into its titles in brackets
//   (`[${c.req}] ...`): the title only exists at run time.
// Comment lines (starting with //, /* or *) never name an ID: a comment proves nothing.
// Titles are not extracted from the syntax tree because table-driven tests build them
// from data, and parsing every test source would cost this test most of a second.
//
// How docs/requirements.md defines an ID: a line that starts with `- **ID** ` (a bullet at
// column 0, the ID in bold, a space, the requirement). Any other line that starts like a
// bulleted bold ID is refused, as is an ID defined twice.

const ROOT = join(__dirname, "..");
const DOC = "docs/requirements.md";
const ID = "[A-Z][A-Z0-9]*-[0-9]+";

interface Place {
  readonly file: string;
  readonly line: number;
}
interface Naming extends Place {
  readonly id: string;
}
interface Problem extends Place {
  readonly text: string;
  readonly why: string;
}

/** A bracket whose content starts like an ID; the content must then be exactly one ID. */
const BRACKETED = /\[([A-Z][A-Z0-9]*-[0-9][^\]\n]*)\]/g;
const WHOLE_ID = new RegExp(`^${ID}$`);
/** A table row's bare requirement: `req: "NET-6"`. */
const REQ_FIELD = new RegExp(`\\breq\\s*:\\s*["'\`](${ID})["'\`]`, "g");
/** Where a file turns its rows' `req` into a bracketed title: `[${c.req}]`. */
const REQ_IN_TITLE = /\[\$\{\s*[\w.?]*\breq\s*\}\]/;
const COMMENT_LINE = /^\s*(\/\/|\/\*|\*)/;

/** The IDs one test source names, and the brackets it gets wrong. */
function scanTestSource(file: string, text: string): { named: Naming[]; problems: Problem[] } {
  const named: Naming[] = [];
  const problems: Problem[] = [];
  const buildsTitlesFromReq = REQ_IN_TITLE.test(text);
  text.split("\n").forEach((code, index) => {
    if (COMMENT_LINE.test(code)) return;
    const line = index + 1;
    for (const [match, content] of code.matchAll(BRACKETED)) {
      if (WHOLE_ID.test(content)) named.push({ id: content, file, line });
      else problems.push({ file, line, text: match, why: "write one ID per pair of brackets, e.g. [CMP-3] [CMP-4]" });
    }
    for (const [match, id] of code.matchAll(REQ_FIELD)) {
      if (buildsTitlesFromReq) named.push({ id, file, line });
      else
        problems.push({ file, line, text: match, why: "a bare ID in a req field, but no title of this file is built from `[${...req}]`" });
    }
  });
  return { named, problems };
}

const DEFINITION = new RegExp(`^- \\*\\*(${ID})\\*\\* \\S`);
/** A line that looks like a definition: a bullet (any indent) with a bold ID. */
const LOOKS_LIKE_DEFINITION = new RegExp(`^\\s*[-*+]\\s+\\*\\*${ID}`);

/** The IDs docs/requirements.md defines, and its malformed or repeated definitions. */
function parseRequirements(file: string, text: string): { defined: Map<string, Place>; problems: Problem[] } {
  const defined = new Map<string, Place>();
  const problems: Problem[] = [];
  text.split("\n").forEach((code, index) => {
    const line = index + 1;
    const id = DEFINITION.exec(code)?.[1];
    if (id === undefined) {
      if (LOOKS_LIKE_DEFINITION.test(code))
        problems.push({
          file,
          line,
          text: code.trim(),
          why: "write it as `- **ID** <requirement>`: a bullet at column 0, the bold ID, a space",
        });
      return;
    }
    const first = defined.get(id);
    if (first) problems.push({ file, line, text: id, why: `defined twice (first at line ${first.line})` });
    else defined.set(id, { file, line });
  });
  return { defined, problems };
}

function typeScriptFilesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return typeScriptFilesBelow(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

/** Every ID the test sources name (this file's samples excluded), with its first place. */
function namedByTests(): { named: Map<string, Naming>; problems: Problem[] } {
  const named = new Map<string, Naming>();
  const problems: Problem[] = [];
  for (const path of typeScriptFilesBelow(join(ROOT, "tests"))) {
    if (path === __filename) continue;
    const scan = scanTestSource(relative(ROOT, path), readFileSync(path, "utf8"));
    for (const n of scan.named) if (!named.has(n.id)) named.set(n.id, n);
    problems.push(...scan.problems);
  }
  return { named, problems };
}

const describeProblems = (problems: readonly Problem[]) => problems.map((p) => `  ${p.file}:${p.line}: ${p.text}: ${p.why}`).join("\n");
const byId = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

describe("requirement IDs: tests and docs/requirements.md stay in step", () => {
  const tests = namedByTests();
  const doc = parseRequirements(DOC, readFileSync(join(ROOT, DOC), "utf8"));

  it("finds bracketed IDs and bare req fields in code, and ignores comments", () => {
    const sample = [
      'it("[NET-4] [S3-2] backend SG talks to its peers", () => {});',
      "// [MON-9] a comment is no proof",
      " * [MON-8] nor is a doc comment",
      'const rows = [{ req: "COST-1" }];',
      "it.each(rows)(`[${c.req}] ...`, () => {});",
      'expect(x).toMatch(/[A-Z0-9]+/); cite("[RDS API Reference, CreateDBInstance]");',
    ].join("\n");
    const scan = scanTestSource("sample.ts", sample);
    expect(scan.named.map((n) => `${n.id}@${n.line}`)).toEqual(["NET-4@1", "S3-2@1", "COST-1@4"]);
    expect(scan.problems).toEqual([]);
  });

  it("refuses combined brackets and bare req fields that no title is built from", () => {
    const scan = scanTestSource(
      "sample.ts",
      ['it("[CMP-3/4] two fleets", () => {});', 'it("[NET-4, NET-5] x", f);', 'const row = { req: "SEC-1" };'].join("\n"),
    );
    expect(scan.named).toEqual([]);
    expect(scan.problems.map((p) => `${p.line}: ${p.text}`)).toEqual(["1: [CMP-3/4]", "2: [NET-4, NET-5]", '3: req: "SEC-1"']);
  });

  it("reads definitions of the form `- **ID** text` and refuses malformed and repeated ones", () => {
    const sample = [
      "## Networking",
      "- **NET-1** A VPC.",
      "  continued.",
      "- **NET-1** Again.",
      "  - **NET-2** indented",
      "- **NET-3**: colon",
      "- NET-4 not bold",
    ].join("\n");
    const parsed = parseRequirements("sample.md", sample);
    expect([...parsed.defined.keys()]).toEqual(["NET-1"]);
    expect(parsed.problems.map((p) => p.line)).toEqual([4, 5, 6]);
  });

  it("test sources write one ID per pair of brackets", () => {
    if (tests.problems.length > 0)
      throw new Error(`Requirement IDs in test sources that this check cannot read:\n${describeProblems(tests.problems)}`);
  });

  it("docs/requirements.md defines each ID once, in the `- **ID** text` form", () => {
    if (doc.problems.length > 0) throw new Error(`Malformed requirement definitions:\n${describeProblems(doc.problems)}`);
    expect(doc.defined.size).toBeGreaterThan(0);
  });

  it("every requirement ID a test names is defined in docs/requirements.md", () => {
    expect(tests.named.size).toBeGreaterThan(0);
    const undefinedIds = [...tests.named.values()].filter((n) => !doc.defined.has(n.id)).sort((a, b) => byId(a.id, b.id));
    if (undefinedIds.length > 0)
      throw new Error(
        `Tests name requirement IDs that ${DOC} does not define:\n` +
          undefinedIds.map((n) => `  ${n.id} (first in ${n.file}:${n.line})`).join("\n") +
          `\nDefine each in ${DOC} as a line \`- **ID** <the requirement>\` under its area, or correct the test's title.`,
      );
  });

  it("every requirement docs/requirements.md defines is named by at least one test", () => {
    const unproven = [...doc.defined.keys()].filter((id) => !tests.named.has(id)).sort(byId);
    if (unproven.length > 0)
      throw new Error(
        `No test names these requirements of ${DOC}: ${unproven.join(", ")}.\n` +
          "Add a test that proves each, titled `[ID] <what it shows>`, or remove the requirement from the document if it no longer applies.",
      );
  });
});
