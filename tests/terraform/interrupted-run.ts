/**
 * A lane run to interrupt (lane.test.ts, "an interrupted lane"): it starts an
 * emulator and a Terraform process the way the lane does, prints their
 * process ids as one JSON line, and waits to be signalled.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMoto } from "./harness/moto";
import { startTerraform } from "./harness/terraform";

async function main(): Promise<void> {
  const moto = await startMoto();
  // `terraform console` needs no configuration and runs until its input ends: input is held open.
  const dir = mkdtempSync(join(tmpdir(), "ecg-interrupted-"));
  const console_ = startTerraform(["console"], { cwd: dir, env: process.env, timeoutSeconds: 600, holdInput: true });
  await new Promise((r) => setTimeout(r, 500));
  process.stdout.write(`${JSON.stringify({ moto: moto.pid, terraform: console_.pid })}\n`);
  setInterval(() => {}, 60_000);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
