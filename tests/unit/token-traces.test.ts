import { Lazy } from "cdktf";
import { withoutTokenTraces } from "../../stacks/support/token-traces";

describe("withoutTokenTraces", () => {
  const lazy = () => Lazy.anyValue({ produce: () => "x" }) as unknown as { creationStack: string[] };

  it("leaves cdktf's per-token traces empty while the app is built, and restores stack traces afterwards", () => {
    const before = { prepare: Error.prepareStackTrace, capture: Error.captureStackTrace };
    expect(withoutTokenTraces(lazy, {}).creationStack).toEqual([]);
    expect({ prepare: Error.prepareStackTrace, capture: Error.captureStackTrace }).toEqual(before);
    expect(lazy().creationStack.length).toBeGreaterThan(0);
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

  it("restores the trace functions when the app throws", () => {
    const before = { prepare: Error.prepareStackTrace, capture: Error.captureStackTrace };
    expect(() => withoutTokenTraces(() => lazy() && JSON.parse("{"), {})).toThrow(SyntaxError);
    expect({ prepare: Error.prepareStackTrace, capture: Error.captureStackTrace }).toEqual(before);
  });

  it("keeps cdktf's traces with ECG_TOKEN_TRACES=1, for debugging a token that does not resolve", () => {
    expect(withoutTokenTraces(lazy, { ECG_TOKEN_TRACES: "1" }).creationStack.length).toBeGreaterThan(0);
  });
});
