import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { EcrPullThroughCacheRule } from "@cdktf/provider-aws/lib/ecr-pull-through-cache-rule";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import { program } from "../environments";
import { ProgramCheckError } from "../modules/policy/program-checks";
import { buildApp, synthesize } from "../stacks/app";
import { withoutTokenTraces } from "../stacks/support/cdktf-internals";
import { sourceFiles } from "./helpers";
import { ACCOUNTS } from "./stacks/layouts";

const ROOT = join(__dirname, "..");
const readJson = (file: string) => JSON.parse(readFileSync(join(ROOT, file), "utf8"));

describe("program shape", () => {
  it("[PLT-1] has the design card's top level", () => {
    for (const entry of [
      "main.ts",
      "stacks",
      "modules",
      "environments",
      "tests",
      "cdktf.json",
      "package.json",
      "package-lock.json",
      "tsconfig.json",
    ]) {
      expect({ entry, exists: existsSync(join(ROOT, entry)) }).toEqual({ entry, exists: true });
    }
    expect(readFileSync(join(ROOT, ".terraform-version"), "utf8").trim()).toBe("1.11.4");
  });

  it("[PLT-1] pins cdktf 0.21.0, the AWS provider bindings for aws 5.100.0 and constructs 10.x, and no random provider bindings", () => {
    const { dependencies, devDependencies } = readJson("package.json");
    expect(dependencies).toMatchObject({ cdktf: "0.21.0", "cdktf-cli": "0.21.0", "@cdktf/provider-aws": "20.1.0" });
    expect(Object.keys(dependencies).filter((name) => name.startsWith("@cdktf/provider-"))).toEqual(["@cdktf/provider-aws"]);
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

/** Every file below `dir`, relative to it. */
const filesBelow = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(dir, join(e.parentPath, e.name)))
    : [];

describe("program stacks", () => {
  const stackNames = (app: ReturnType<typeof buildApp>) => app.node.children.filter(TerraformStack.isStack).map((s) => s.node.id);

  it("[PLT-2] [CI-1] builds the bootstrap stack, the account stacks, each environment's stacks and the delivery stack; CI checks only stacks the program writes", () => {
    const names = withoutTokenTraces(() =>
      stackNames(buildApp(program, { outdir: join(mkdtempSync(join(tmpdir(), "ecg-program-")), "out") })),
    );
    // In construction order: an access stack per environment account, then an account stack per account and region
    // (Seoul for each environment, Tokyo for prod's standby), named with the account id.
    expect(names).toEqual([
      "ecg-state",
      "ecg-access-dev",
      "ecg-access-staging",
      "ecg-access-prod",
      `ecg-account-${ACCOUNTS.dev.id}-ap-northeast-2`,
      `ecg-account-${ACCOUNTS.staging.id}-ap-northeast-2`,
      `ecg-account-${ACCOUNTS.prod.id}-ap-northeast-2`,
      `ecg-account-${ACCOUNTS.prod.id}-ap-northeast-1`,
      "ecg-dev",
      "ecg-staging",
      "ecg-prod",
      "ecg-prod-standby",
      "ecg-prod-global",
      "ecg-delivery",
    ]);
    const ci = /for stack in ([^;]+); do\n\s+test -s "cdktf\.out\/stacks\/\$stack\/cdk\.tf\.json"/.exec(
      readFileSync(join(ROOT, ".ci/run"), "utf8"),
    );
    const checked = ci![1].trim().split(/\s+/);
    expect(checked.filter((name) => !names.includes(name))).toEqual([]);
    expect(checked).toEqual(expect.arrayContaining(["ecg-state", "ecg-access-dev", "ecg-dev", "ecg-staging", "ecg-prod", "ecg-delivery"]));
  });

  it("[ECR User Guide: one pull through cache rule per prefix per registry] synthesis refuses a second stack creating the ecr-public rule in one account and region, and leaves no stack written", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "ecg-program-")), "out");
    const error = withoutTokenTraces(() => {
      // Two stacks of one (unpinned) account that both put the registry singleton into ap-northeast-2.
      const app = new App({ outdir });
      for (const name of ["ecg-account-ap-northeast-2", "ecg-rogue"]) {
        const stack = new TerraformStack(app, name);
        new AwsProvider(stack, "aws", { region: "ap-northeast-2" });
        new EcrPullThroughCacheRule(stack, "cache", { ecrRepositoryPrefix: "ecr-public", upstreamRegistryUrl: "public.ecr.aws" });
      }
      try {
        synthesize(app);
      } catch (e) {
        return e;
      }
      return undefined;
    });
    expect(error).toBeInstanceOf(ProgramCheckError);
    const message = (error as Error).message;
    expect(message).toContain("ecg-account-ap-northeast-2 aws_ecr_pull_through_cache_rule.cache");
    expect(message).toContain(
      'ecg-rogue aws_ecr_pull_through_cache_rule.cache (unpinned account, ap-northeast-2) both create the pull through cache rule for ECR repository prefix "ecr-public"',
    );
    // Nothing to plan or deploy by mistake: no stack's cdk.tf.json, no manifest.
    expect(filesBelow(outdir).filter((f) => f.endsWith("cdk.tf.json") || f === "manifest.json")).toEqual([]);
  });

  it("removes the folder of a stack an earlier synthesis wrote and this one no longer has (a renamed stack), and keeps the others", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "ecg-program-")), "out");
    mkdirSync(join(outdir, "stacks", "ecg-account-ap-northeast-2", ".terraform"), { recursive: true });
    writeFileSync(join(outdir, "stacks", "ecg-account-ap-northeast-2", "cdk.tf.json"), "{}");
    withoutTokenTraces(() => {
      const app = new App({ outdir });
      new AwsProvider(new TerraformStack(app, "ecg-account-111111111111-ap-northeast-2"), "aws", { region: "ap-northeast-2" });
      synthesize(app);
    });
    expect(readdirSync(join(outdir, "stacks"))).toEqual(["ecg-account-111111111111-ap-northeast-2"]);
  });
});
