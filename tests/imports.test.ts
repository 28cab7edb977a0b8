import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..");
const SKIP = new Set(["node_modules", "dist", "cdktf.out", ".git", "coverage"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

describe("provider imports", () => {
  // The package roots load every one of ~1,500 resource classes: seconds and
  // gigabytes at every synth and test run. Deep paths load only what is used.
  it("imports provider classes only from their deep paths (@cdktf/provider-*/lib/<resource>)", () => {
    const rootImport = /(from\s+|require\(\s*|import\(\s*)["']@cdktf\/provider-(aws|random)(\/lib)?["']/;
    const offenders = sourceFiles(ROOT)
      .filter((file) => file !== __filename)
      .filter((file) => rootImport.test(readFileSync(file, "utf8")))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  it("catches a root import (the guard itself works)", () => {
    const rootImport = /(from\s+|require\(\s*|import\(\s*)["']@cdktf\/provider-(aws|random)(\/lib)?["']/;
    expect(rootImport.test('import { Vpc } from "@cdktf/provider-aws";')).toBe(true);
    expect(rootImport.test('const { vpc } = require("@cdktf/provider-aws/lib");')).toBe(true);
    expect(rootImport.test('import { Vpc } from "@cdktf/provider-aws/lib/vpc";')).toBe(false);
  });
});
