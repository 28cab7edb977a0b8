import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { sourceFiles } from "./helpers";

const ROOT = join(__dirname, "..");
const readJson = (file: string) => JSON.parse(readFileSync(join(ROOT, file), "utf8"));

describe("program shape", () => {
  it("[PLT-1] has the design card's top level", () => {
    for (const entry of ["main.ts", "stacks", "modules", "environments", "tests", "cdktf.json", "package.json", "package-lock.json", "tsconfig.json"]) {
      expect({ entry, exists: existsSync(join(ROOT, entry)) }).toEqual({ entry, exists: true });
    }
    expect(readFileSync(join(ROOT, ".terraform-version"), "utf8").trim()).toBe("1.11.4");
  });

  it("[PLT-1] pins cdktf 0.21.0, the AWS provider bindings for aws 5.100.0, random 12.x and constructs 10.x", () => {
    const { dependencies, devDependencies } = readJson("package.json");
    expect(dependencies).toMatchObject({ cdktf: "0.21.0", "cdktf-cli": "0.21.0", "@cdktf/provider-aws": "20.1.0" });
    expect(dependencies["@cdktf/provider-random"]).toMatch(/^\^?12\./);
    expect(dependencies.constructs).toMatch(/^\^?10\./);
    expect(Object.keys(devDependencies)).toEqual(expect.arrayContaining(["jest", "@swc/jest", "typescript"]));
    const lock = readJson("package-lock.json");
    expect(lock.packages["node_modules/@cdktf/provider-aws"].version).toBe("20.1.0");
    expect(lock.packages["node_modules/cdktf"].version).toBe("0.21.0");
  });

  it("[PLT-7] lets the cdktf CLI run the same compiled program as npm run synth", () => {
    const { app } = readJson("cdktf.json");
    const { scripts } = readJson("package.json");
    expect(app).toBe(scripts.synth);
    expect(app).toBe("npm run --silent build && node dist/main.js");
  });

  it("[PLT-3] keeps modules unaware of environments: no module imports environments/ or stacks/", () => {
    const offenders = sourceFiles(join(ROOT, "modules"))
      .filter((file) => /from\s+["'](\.\.\/)+(environments|stacks)\b/.test(readFileSync(file, "utf8")))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });
});
