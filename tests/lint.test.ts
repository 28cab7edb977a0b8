import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const BIOME = join(ROOT, "node_modules", ".bin", "biome");
// Kept out of literal import lines, so no scan of the repository for root imports flags this file.
const AWS = ["@cdktf", "provider-aws"].join("/");
const RANDOM = ["@cdktf", "provider-random"].join("/");

/** Lints `files` (path → source) with the project's Biome configuration; returns the rules that fired, per file. */
function lint(files: Record<string, string>): Record<string, string[]> {
  const dir = mkdtempSync(join(tmpdir(), "ecg-lint-"));
  try {
    copyFileSync(join(ROOT, "biome.jsonc"), join(dir, "biome.jsonc"));
    for (const [file, source] of Object.entries(files)) {
      mkdirSync(join(dir, file, ".."), { recursive: true });
      writeFileSync(join(dir, file), source);
    }
    let output: string;
    try {
      output = execFileSync(BIOME, ["lint", "--vcs-enabled=false", "--reporter=github", "."], { cwd: dir, encoding: "utf8" });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? "");
    }
    const found: Record<string, string[]> = {};
    for (const [, rule, file] of output.matchAll(/^::error title=([^,]+),file=([^,]+),/gm)) {
      const name = file.slice(dir.length + 1);
      found[name] = [...(found[name] ?? []), rule];
    }
    return found;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npm test` lints the tree first (biome ci); these prove the rules it relies on fire.
describe("the lint step's guards (biome.jsonc)", () => {
  it("refuses an import cycle, also one closed by a type-only import (stacks must layer)", () => {
    const found = lint({
      "stacks/a.ts": 'import { b } from "./b";\nexport const a = () => b();\n',
      "stacks/b.ts": 'import type { A } from "./c";\nexport const b = (): A => 1;\n',
      "stacks/c.ts": 'import { a } from "./a";\nexport type A = number;\nexport const c = a;\n',
    });
    expect(found).toEqual({
      "stacks/a.ts": ["lint/suspicious/noImportCycles"],
      "stacks/b.ts": ["lint/suspicious/noImportCycles"],
      "stacks/c.ts": ["lint/suspicious/noImportCycles"],
    });
  });

  it("refuses the provider packages' roots, which load every resource class (seconds and gigabytes per run)", () => {
    const found = lint({
      "modules/root.ts": `import { Vpc } from "${AWS}";\nexport const v = Vpc;\n`,
      "modules/lib.ts": `import { vpc } from "${AWS}/lib";\nexport const v = vpc;\n`,
      "modules/random.ts": `import { Password } from "${RANDOM}";\nexport const p = Password;\n`,
    });
    expect(Object.keys(found).sort()).toEqual(["modules/lib.ts", "modules/random.ts", "modules/root.ts"]);
    expect(Object.values(found).flat()).toEqual(Array(3).fill("lint/style/noRestrictedImports"));
  });

  it("accepts deep provider imports and imports that only point one way", () => {
    const found = lint({
      "modules/vpc.ts": `import { Vpc } from "${AWS}/lib/vpc";\nexport const make = () => Vpc;\n`,
      "stacks/uses.ts": 'import { make } from "../modules/vpc";\nexport const built = make;\n',
    });
    expect(found).toEqual({});
  });
});
