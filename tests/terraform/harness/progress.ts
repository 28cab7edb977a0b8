/**
 * The lane's progress: one plain line per phase of a stack as it starts and
 * as it ends, with what it did and how long it took, on standard error
 * (jest prints console output only at the end of the run; stderr reaches the
 * terminal and the CI log at once). No spinners, no colours.
 */
const started = Date.now();
const clock = () => `${Math.round((Date.now() - started) / 1000)} s`;

/** Where the lines go. @default process.stderr */
export type ProgressSink = (line: string) => void;
let sink: ProgressSink = (line) => process.stderr.write(`${line}\n`);

/** Sends the lines elsewhere (tests); returns the previous sink. */
export function setProgressSink(next: ProgressSink): ProgressSink {
  const previous = sink;
  sink = next;
  return previous;
}

/**
 * Runs one phase of a stack, with a line when it starts and one when it ends:
 * `[lane 312 s] ecg-dev apply: done in 241 s (287/301 resources)`.
 * A failed phase says so and rethrows.
 */
export async function phase<T>(stack: string, name: string, run: () => Promise<T>, outcome?: (result: T) => string): Promise<T> {
  const begun = Date.now();
  sink(`[lane ${clock()}] ${stack} ${name}: started`);
  const took = () => `${((Date.now() - begun) / 1000).toFixed(0)} s`;
  try {
    const result = await run();
    const detail = outcome?.(result);
    sink(`[lane ${clock()}] ${stack} ${name}: done in ${took()}${detail ? ` (${detail})` : ""}`);
    return result;
  } catch (error) {
    sink(`[lane ${clock()}] ${stack} ${name}: failed after ${took()}`);
    throw error;
  }
}
