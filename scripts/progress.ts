/**
 * Progress for the commands a person waits for (`npm run plan:<env>`,
 * `npm run policy`, `npm run cost`): after a step that took longer than a
 * second, one plain line on standard error saying what it did and how long it
 * took; nothing after a quick one. No spinners, no colours: the same lines in
 * a terminal and in a CI log, and standard output stays the command's own.
 */
export interface SlowStepOptions {
  /** @default one line on process.stderr */
  readonly write?: (line: string) => void;
  /** @default 1000 */
  readonly thresholdMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export function reportSlow<T>(label: string, run: () => T, options: SlowStepOptions = {}): T {
  const now = options.now ?? Date.now;
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = now();
  const result = run();
  const elapsed = now() - started;
  if (elapsed > (options.thresholdMs ?? 1000)) write(`${label}: took ${(elapsed / 1000).toFixed(1)} s`);
  return result;
}
