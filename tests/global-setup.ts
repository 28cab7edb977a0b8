import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A folder for this run's shared synthesis of the shipped program, which the
 * first test file that needs it makes (tests/stacks/synth.ts). Named here, in
 * jest's parent process, so every worker sees the same one.
 */
export default function globalSetup(): void {
  process.env.ECG_TEST_SHARED_SYNTH = mkdtempSync(join(tmpdir(), "ecg-shared-synth-"));
}
