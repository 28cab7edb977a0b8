import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { sourceFiles } from "./helpers";

const ROOT = join(__dirname, "..");
const ROOT_IMPORT = /(from\s+|require\(\s*|import\(\s*)["']@cdktf\/provider-(aws|random)(\/lib)?["']/;

describe("provider imports", () => {
  // The package roots load every one of ~1,500 resource classes: seconds and
  // gigabytes at every synth and test run. Deep paths load only what is used.
  it("imports provider classes only from their deep paths (@cdktf/provider-*/lib/<resource>)", () => {
    const offenders = sourceFiles(ROOT)
      .filter((file) => ROOT_IMPORT.test(readFileSync(file, "utf8")))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  it("catches a root import (the guard itself works)", () => {
    const pkg = "@cdktf/provider-aws"; // kept out of a literal import line, so no scan flags this file
    expect(ROOT_IMPORT.test(`import { Vpc } from "${pkg}";`)).toBe(true);
    expect(ROOT_IMPORT.test(`const { vpc } = require("${pkg}/lib");`)).toBe(true);
    expect(ROOT_IMPORT.test(`import { Vpc } from "${pkg}/lib/vpc";`)).toBe(false);
  });
});
