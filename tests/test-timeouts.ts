/**
 * jest's per-test timeout for the unit tests (jest.config.js): jest-light-runner
 * runs a test for as long as it takes, so a test that hangs would hold the
 * whole run. Each test races its timeout (the third argument of it/test, or
 * jest's default) as it does under jest's own runner.
 */
const DEFAULT_TIMEOUT_MS = 5_000;

type TestFn = (...args: any[]) => unknown;

const withTimeout = (name: string, fn: TestFn, ms: number) => async () => {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Exceeded timeout of ${ms} ms for a test: ${name}`)), ms);
  });
  try {
    // A test that takes a `done` callback finishes when it calls it.
    const run =
      fn.length > 0
        ? new Promise<void>((resolve, reject) => fn((error?: unknown) => (error ? reject(error) : resolve())))
        : Promise.resolve().then(() => fn());
    await Promise.race([run, expired]);
  } finally {
    clearTimeout(timer);
  }
};

for (const key of ["it", "test"] as const) {
  const original = globalThis[key];
  const timed = (name: string, fn?: TestFn, timeout?: number) =>
    fn ? original(name, withTimeout(name, fn, timeout ?? DEFAULT_TIMEOUT_MS)) : original(name);
  globalThis[key] = Object.assign(timed, original) as typeof original;
}
