/**
 * Runs `fn` (building and synthesizing the app) without cdktf's per-token
 * stack traces. cdktf records a complete stack trace for every token it
 * creates (`cdktf/lib/tokens/private/stack-trace.js`: `Error.captureStackTrace`
 * with no depth limit, then formatted; no switch to turn it off): ~0.25 s, a
 * quarter of this program's synth. Those traces only decorate the message of
 * a token that fails to resolve. While `fn` runs, explicit
 * `Error.captureStackTrace` calls do nothing (cdktf's trace stays empty) and
 * traces are not formatted. Errors thrown inside keep their stacks: the Error
 * constructor records its own, and V8 formats it when `.stack` is first read,
 * after this returns. `ECG_TOKEN_TRACES=1` keeps cdktf's traces.
 */
export function withoutTokenTraces<T>(fn: () => T, env: NodeJS.ProcessEnv = process.env): T {
  if (env.ECG_TOKEN_TRACES) return fn();
  const previous = { prepare: Error.prepareStackTrace, capture: Error.captureStackTrace };
  Error.prepareStackTrace = () => "";
  Error.captureStackTrace = () => undefined;
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = previous.prepare;
    Error.captureStackTrace = previous.capture;
  }
}
