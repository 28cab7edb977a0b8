/**
 * Runs `fn` (building and synthesizing the app) without formatting stack
 * traces. cdktf records a complete, formatted stack trace for every token it
 * creates (`cdktf/lib/tokens/private/stack-trace.js`, with no switch to turn
 * it off): ~0.2 s, a fifth of this program's synth. Those traces only decorate
 * the message of a token that fails to resolve. V8 formats a trace when
 * `.stack` is first read, so errors thrown inside `fn` and read afterwards
 * keep their full stack. `ECG_TOKEN_TRACES=1` keeps cdktf's traces.
 */
export function withoutTokenTraces<T>(fn: () => T, env: NodeJS.ProcessEnv = process.env): T {
  if (env.ECG_TOKEN_TRACES) return fn();
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = () => "";
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = previous;
  }
}
