import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { decode, type Link, relativeLinks, withoutCode } from "./markdown";

// The README is a map (at most 200 lines) and every relative link in it and in docs/*.md
// leads somewhere: to a file that exists and, with an #anchor, to a heading of that file,
// slugged as GitHub does. Reads files only: no network, no synth.

const ROOT = join(__dirname, "..");
const README_MAX_LINES = 200;

/** How the checker sees the repository: real files below, an in-memory sample in the guard's own test. */
interface Files {
  /** "file", "dir" or undefined, for a path relative to the repository root. */
  kind(path: string): "file" | "dir" | undefined;
  read(path: string): string;
}

const repository: Files = {
  kind: (path) => {
    const full = join(ROOT, path);
    if (!existsSync(full)) return undefined;
    return statSync(full).isDirectory() ? "dir" : "file";
  },
  read: (path) => readFileSync(join(ROOT, path), "utf8"),
};

/** The text GitHub renders for a heading's Markdown: code kept as its content, links as their text, markup dropped. */
function headingText(markdown: string): string {
  const code: string[] = [];
  return markdown
    .replace(/(`+)(.*?)\1/g, (_, _ticks, content: string) => `\uE000${code.push(content.trim()) - 1}\uE000`)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/(?<![\p{L}\p{N}])[*_]+|[*_]+(?![\p{L}\p{N}])/gu, "")
    .replace(/\uE000(\d+)\uE000/g, (_, i: string) => code[Number(i)])
    .trim();
}

/** GitHub's heading slug: lower case, punctuation and symbols dropped except `-` and `_`, each space a `-`. */
function slug(text: string): string {
  return headingText(text)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a Markdown file's ATX headings, in order; a repeated slug gets `-1`, `-2`, ... as on GitHub. */
function anchors(markdown: string): string[] {
  // As github-slugger counts: every slug handed out is taken, and a taken one gets its base's next number.
  const occurrences = new Map<string, number>();
  const result: string[] = [];
  for (const line of withoutCode(markdown, true).split("\n")) {
    const heading = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1] ?? "");
    let anchor = base;
    while (occurrences.has(anchor)) {
      const next = (occurrences.get(base) ?? 0) + 1;
      occurrences.set(base, next);
      anchor = `${base}-${next}`;
    }
    occurrences.set(anchor, 0);
    result.push(anchor);
  }
  return result;
}

/** Why a link does not resolve, or undefined when it does. */
function brokenBecause(link: Link, files: Files): string | undefined {
  const hash = link.target.indexOf("#");
  const pathPart = decode((hash < 0 ? link.target : link.target.slice(0, hash)).split("?")[0]);
  const anchor = hash < 0 ? undefined : decode(link.target.slice(hash + 1));
  const path =
    pathPart === ""
      ? link.file
      : posix.normalize(pathPart.startsWith("/") ? pathPart.slice(1) : posix.join(posix.dirname(link.file), pathPart)).replace(/\/$/, "");
  if (path === ".." || path.startsWith("../")) return "leaves the repository";
  const kind = files.kind(path);
  if (!kind) return `${path} does not exist`;
  if (anchor === undefined || anchor === "") return undefined;
  if (kind === "file" && path.endsWith(".md")) {
    return anchors(files.read(path)).includes(anchor) ? undefined : `${path} has no heading #${anchor}`;
  }
  // Line anchors of source files (#L10, #L10-L20) are GitHub's own; any other anchor has nothing to land on.
  return /^L\d+(C\d+)?(-L\d+(C\d+)?)?$/.test(anchor) ? undefined : `${path} is not Markdown: #${anchor} has no heading to land on`;
}

/** Every broken relative link of the given Markdown files, as `file:line: target (reason)`. */
function brokenLinks(paths: readonly string[], files: Files): string[] {
  return paths.flatMap((file) =>
    relativeLinks(file, files.read(file)).flatMap((link) => {
      const reason = brokenBecause(link, files);
      return reason ? [`${link.file}:${link.line}: ${link.target} (${reason})`] : [];
    }),
  );
}

const DOCS = readdirSync(join(ROOT, "docs"))
  .filter((name) => name.endsWith(".md"))
  .sort()
  .map((name) => `docs/${name}`);
const CHECKED = ["README.md", ...DOCS];

describe("the README is a map", () => {
  it(`is at most ${README_MAX_LINES} lines`, () => {
    const text = repository.read("README.md");
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it("links every file of docs/", () => {
    const linked = new Set(
      relativeLinks("README.md", repository.read("README.md")).map((link) => posix.normalize(decode(link.target.split("#")[0]))),
    );
    expect(DOCS.filter((doc) => !linked.has(doc))).toEqual([]);
  });
});

describe("links in README.md and docs/*.md", () => {
  it("finds the links it checks (the guard is not vacuous)", () => {
    expect(DOCS.length).toBeGreaterThan(0);
    const withAnchors = CHECKED.flatMap((file) => relativeLinks(file, repository.read(file))).filter((l) => l.target.includes("#"));
    expect(withAnchors.length).toBeGreaterThan(10);
  });

  it("every relative link resolves to a file that exists and, with an #anchor, to one of its headings", () => {
    const broken = brokenLinks(CHECKED, repository);
    if (broken.length > 0) throw new Error(`Broken links:\n  ${broken.join("\n  ")}`);
  });
});

describe("the link checker", () => {
  it("slugs headings as GitHub does", () => {
    expect(slug("Services (`modules/ecs-service`, CMP-2/3/4, SEC-1)")).toBe("services-modulesecs-service-cmp-234-sec-1");
    expect(slug("The master password is the program's, not RDS's")).toBe("the-master-password-is-the-programs-not-rdss");
    expect(slug("Pull requests and `main`")).toBe("pull-requests-and-main");
    expect(slug("Known emulator races (FLAKES)")).toBe("known-emulator-races-flakes");
    expect(slug("What's new — 2024")).toBe("whats-new--2024");
    expect(slug("**Bold** and _emphasis_, `snake_case` and [a link](x.md)")).toBe("bold-and-emphasis-snake_case-and-a-link");
    expect(slug("Ünïcode Überschrift")).toBe("ünïcode-überschrift");
  });

  it("numbers repeated headings -1, -2 and ignores headings in code", () => {
    expect(anchors("# Notes\n## Notes\n```sh\n# not a heading\n```\n### Notes\n## Notes 1\n#### Other ##")).toEqual([
      "notes",
      "notes-1",
      "notes-2",
      "notes-1-1",
      "other",
    ]);
  });

  it("catches a broken sample: a missing file, a missing heading, a missing anchor in the same file, and a link out", () => {
    const sample: Record<string, string> = {
      "README.md": [
        "# Top heading",
        "[ok](docs/a.md) [ok anchor](docs/a.md#real-heading) [ok repeat](docs/a.md#real-heading-1) [ok dir](docs/)",
        "[missing file](docs/missing.md) [missing heading](docs/a.md#nope)",
        "[self ok](#top-heading) [self broken](#nowhere) [source line](main.ts#L3) [source anchor](main.ts#intro)",
        "[web](https://example.com/x.md#nope) `[in code](nope.md)` [up](../outside.md)",
        "```",
        "[fenced](nope.md)",
        "```",
        "[ref]: docs/gone.md",
      ].join("\n"),
      "docs/a.md": "# Real heading\n\ntext\n\n## Real heading\n\n[back](../README.md#top-heading) [back broken](../README.md#top)",
      "main.ts": "",
    };
    const files: Files = {
      kind: (path) => (path in sample ? "file" : path === "docs" ? "dir" : undefined),
      read: (path) => sample[path],
    };
    expect(brokenLinks(["README.md", "docs/a.md"], files)).toEqual([
      "README.md:3: docs/missing.md (docs/missing.md does not exist)",
      "README.md:3: docs/a.md#nope (docs/a.md has no heading #nope)",
      "README.md:4: #nowhere (README.md has no heading #nowhere)",
      "README.md:4: main.ts#intro (main.ts is not Markdown: #intro has no heading to land on)",
      "README.md:5: ../outside.md (leaves the repository)",
      "README.md:9: docs/gone.md (docs/gone.md does not exist)",
      "docs/a.md:7: ../README.md#top (README.md has no heading #top)",
    ]);
  });
});
