import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, posix } from "node:path";
import { decode, relativeLinks } from "./markdown";

// The repository stands on its own: no file in it points at the machine it was written
// on or at documents kept outside it. The files checked are the tracked ones plus the
// untracked ones git would add (`--others --exclude-standard`), so a new file is checked
// before it is committed. Binary files (the gzipped plan fixtures) and package-lock.json
// (npm's, with registry URLs only) are skipped.
//
// The patterns are assembled from pieces, so this file does not trip over its own text.

const ROOT = join(__dirname, "..");

const UP = "..";
const SLASH = "/";
/**
 * Absolute directories of this machine outside the repository. A directory whose path
 * contains another listed one is dropped (CI may clone under the home directory, or
 * under a folder that is itself named `work`): the shorter one already catches it.
 */
function outermost(dirs: readonly string[]): string[] {
  return [...new Set(dirs)].filter((dir) => !dirs.some((outer) => outer !== dir && dir.includes(outer)));
}
const machineDirs = outermost(
  [
    [SLASH, "work", SLASH].join(""),
    dirname(ROOT) === SLASH ? undefined : dirname(ROOT) + SLASH,
    homedir().length > 1 ? homedir() + SLASH : undefined,
  ].filter((dir): dir is string => dir !== undefined),
);

/** What no file may contain, each with the reason shown when one does. */
const FORBIDDEN: readonly { readonly text: string; readonly why: string }[] = [
  { text: [UP, SLASH, "shared"].join(""), why: "a folder beside the repository" },
  { text: ["ecg-render-aws-", "architecture"].join(""), why: "the source design's file, which is not in the repository" },
  { text: ["REQUIRE", "MENTS", ".md"].join(""), why: "the old requirement list outside the repository: use docs/requirements.md" },
  ...machineDirs.map((dir) => ({ text: dir, why: "an absolute path of this machine outside the repository" })),
];

interface Offence {
  readonly file: string;
  readonly line: number;
  readonly found: string;
  readonly why: string;
}

/** Lines of `text` that contain a forbidden string. */
function forbiddenIn(file: string, text: string): Offence[] {
  return text
    .split("\n")
    .flatMap((code, index) =>
      FORBIDDEN.filter((f) => code.includes(f.text)).map((f) => ({ file, line: index + 1, found: f.text, why: f.why })),
    );
}

/** Relative link targets of a Markdown file that resolve outside the repository root. */
function escapingLinks(file: string, markdown: string): Offence[] {
  return relativeLinks(file, markdown).flatMap((link) => {
    const target = link.target.split(/[#?]/)[0];
    // Anchors and root-relative paths do not climb out.
    if (target === "" || target.startsWith(SLASH)) return [];
    const resolved = posix.normalize(posix.join(posix.dirname(file), decode(target)));
    if (resolved !== UP && !resolved.startsWith(UP + SLASH)) return [];
    return [{ file, line: link.line, found: target, why: "a relative link that leaves the repository" }];
  });
}

/** The repository's files (tracked, and untracked but not ignored) that exist and are text. */
function repositoryFiles(): { path: string; text: string }[] {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  return [...new Set(listed.split("\0").filter(Boolean))]
    .filter(
      (path) =>
        path !== "package-lock.json" && !path.endsWith(".gz") && existsSync(join(ROOT, path)) && statSync(join(ROOT, path)).isFile(),
    )
    .flatMap((path) => {
      const bytes = readFileSync(join(ROOT, path));
      return bytes.includes(0) ? [] : [{ path, text: bytes.toString("utf8") }];
    });
}

const report = (offences: readonly Offence[]) => offences.map((o) => `  ${o.file}:${o.line}: ${o.found} (${o.why})`).join("\n");

describe("the repository stands on its own", () => {
  const files = repositoryFiles();

  it("lists the repository's text files through git, this file and docs/requirements.md among them", () => {
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(["tests/repository.test.ts", "docs/requirements.md", "package.json"]));
    expect(paths.some((p) => p.endsWith(".gz") || p === "package-lock.json")).toBe(false);
  });

  it("catches each forbidden reference in a sample, and passes paths inside the repository", () => {
    const sample = FORBIDDEN.map((f) => `see ${f.text}x`).join("\n");
    expect(forbiddenIn("sample.md", sample).map((o) => [o.line, o.found])).toEqual(FORBIDDEN.map((f, i) => [i + 1, f.text]));
    expect(forbiddenIn("sample.md", "see docs/requirements.md and ../docs/decisions.md and /opt/tf-plugins")).toEqual([]);
  });

  it("keeps only the shortest of machine directories found in one another, so a clone under the home directory or a `work` folder is one entry", () => {
    expect(outermost(["/home/ci/", "/home/ci/build/", "/srv/", "/srv/"])).toEqual(["/home/ci/", "/srv/"]);
    expect(outermost(["/srv/", "/opt/ci/srv/", "/home/ci/"])).toEqual(["/srv/", "/home/ci/"]);
  });

  it("catches a relative Markdown link that leaves the repository, outside code only", () => {
    const sample = [
      "[in](decisions.md) [up, still in](../README.md) [web](https://example.com/../x) [anchor](#top) [root](/docs/x.md)",
      "[out](../../elsewhere/design.md)",
      "![img](<../../img.png>)",
      "[ref]: ../../notes.md",
      '<a href="../../page.html">x</a>',
      "`[code](../../not-a-link.md)`",
      "```",
      "[fenced](../../not-a-link.md)",
      "```",
    ].join("\n");
    expect(escapingLinks("docs/sample.md", sample).map((o) => `${o.line}: ${o.found}`)).toEqual([
      "2: ../../elsewhere/design.md",
      "3: ../../img.png",
      "4: ../../notes.md",
      "5: ../../page.html",
    ]);
  });

  it("no file refers to the folder beside the repository, the source design's file, the old requirement list or this machine's paths", () => {
    const offences = files.flatMap((f) => forbiddenIn(f.path, f.text));
    if (offences.length > 0)
      throw new Error(
        `Files refer to things outside the repository:\n${report(offences)}\n` +
          "Point them at a file in the repository (the requirements are in docs/requirements.md), or describe the thing instead of its location.",
      );
  });

  it("no relative link in a Markdown file leaves the repository", () => {
    const offences = files.filter((f) => f.path.endsWith(".md")).flatMap((f) => escapingLinks(f.path, f.text));
    if (offences.length > 0)
      throw new Error(
        `Markdown links that leave the repository:\n${report(offences)}\nLink to a file in the repository, or to a public URL.`,
      );
  });
});
