/**
 * Not a test of its own: a lane to interrupt. interruption.test.ts runs this
 * file under jest, as the lane runs, and signals the jest process once the
 * emulator and a Terraform process are up; their process group ids are
 * printed as one JSON line.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMoto } from "./harness/moto";
import { startTerraform } from "./harness/terraform";

it("waits to be interrupted", async () => {
  const moto = await startMoto();
  // `terraform console` needs no configuration and runs until its input ends: input is held open.
  const dir = mkdtempSync(join(tmpdir(), "ecg-interrupted-"));
  const terraform = startTerraform(["console"], { cwd: dir, env: process.env, timeoutSeconds: 600, holdInput: true });
  await new Promise((r) => setTimeout(r, 500));
  process.stdout.write(`${JSON.stringify({ moto: moto.pid, terraform: terraform.pid })}\n`);
  await new Promise(() => {});
}, 600_000);
