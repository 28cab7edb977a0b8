import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lazy } from "cdktf";
import { ValidateBinaryVersion } from "cdktf/lib/validations/validate-binary-version";
import {
  CDKTF_VERSION_WRITTEN_FOR,
  checkCdktfVersion,
  recordTokenTraces,
  shareVersionChecks,
  withoutTokenTraces,
} from "../../stacks/support/cdktf-internals";

describe("withoutTokenTraces", () => {
  const lazy = () => Lazy.anyValue({ produce: () => "x" }) as unknown as { creationStack: string[] };
  // The test run has the traces off (tests/setup.ts): these tests start with them on.
  let wereOn = false;
  beforeAll(() => {
    wereOn = recordTokenTraces(true);
  });
  afterAll(() => recordTokenTraces(wereOn));

  it("leaves cdktf's per-token traces empty while the app is built, and records them again afterwards", () => {
    const before = { prepare: Error.prepareStackTrace, capture: Error.captureStackTrace };
    expect(withoutTokenTraces(lazy, {}).creationStack).toEqual([]);
    expect({ prepare: Error.prepareStackTrace, capture: Error.captureStackTrace }).toEqual(before);
    expect(lazy().creationStack.length).toBeGreaterThan(0);
  });

  it("leaves them off afterwards when they were off", () => {
    recordTokenTraces(false);
    try {
      withoutTokenTraces(lazy, {});
      expect(lazy().creationStack).toEqual([]);
      expect(recordTokenTraces(true)).toBe(false);
    } finally {
      recordTokenTraces(true);
    }
  });

  it("keeps the full stack of an error thrown inside", () => {
    let thrown: Error | undefined;
    try {
      withoutTokenTraces(() => {
        throw new Error("bad config");
      }, {});
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.stack).toMatch(/^Error: bad config\n\s+at /);
  });

  it("records the traces again when the app throws", () => {
    expect(() => withoutTokenTraces(() => lazy() && JSON.parse("{"), {})).toThrow(SyntaxError);
    expect(lazy().creationStack.length).toBeGreaterThan(0);
  });

  it("keeps cdktf's traces with ECG_TOKEN_TRACES=1, for debugging a token that does not resolve", () => {
    expect(withoutTokenTraces(lazy, { ECG_TOKEN_TRACES: "1" }).creationStack.length).toBeGreaterThan(0);
  });
});

describe("checkCdktfVersion (the internals are pinned to the cdktf release they were written for)", () => {
  it("passes for the installed cdktf, the release the internals were written for", () => {
    expect(require("cdktf/package.json").version).toBe(CDKTF_VERSION_WRITTEN_FOR);
    expect(() => checkCdktfVersion()).not.toThrow();
  });

  it("fails on another release, naming the file to revisit and both versions", () => {
    expect(() => checkCdktfVersion("0.22.0")).toThrow(
      /^stacks\/support\/cdktf-internals\.ts relies on internals of cdktf 0\.21\.0 .* but cdktf 0\.22\.0 is installed: re-check/,
    );
  });
});

describe("shareVersionChecks (cdktf runs a binary's version command once per check)", () => {
  const dir = mkdtempSync(join(tmpdir(), "ecg-version-checks-"));
  const runs = join(dir, "runs");
  // A version command that counts its runs.
  const check = (constraint: string) => new ValidateBinaryVersion("tool", constraint, `echo run >> ${runs}; echo tool 1.4.2`);
  const runCount = () => readFileSync(runs, "utf8").trim().split("\n").length;

  it("answers every check of one command and constraint from the first run, and runs again for another constraint", () => {
    shareVersionChecks();
    expect(check(">=1.1").validate()).toEqual([]);
    expect(check(">=1.1").validate()).toEqual([]);
    expect(runCount()).toBe(1);
    expect(check(">=1.5").validate()).toEqual([expect.stringMatching(/^tool version 1\.4\.2 is lower than the required version >=1\.5/)]);
    expect(check(">=1.5").validate()).toHaveLength(1);
    expect(runCount()).toBe(2);
  });

  it("hands each check its own copy of the answer", () => {
    shareVersionChecks();
    check(">=2").validate().push("changed by a caller");
    expect(check(">=2").validate()).toHaveLength(1);
  });
});
