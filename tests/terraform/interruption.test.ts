import { spawn } from "node:child_process";
import { join } from "node:path";

/**
 * An interrupted lane leaves nothing behind: a lane run (interrupted-run.ts,
 * under jest as `npm run test:terraform` runs it) is signalled once its
 * emulator and a Terraform process are up; a few seconds later neither of
 * their process groups has a live member.
 */
const ROOT = join(__dirname, "..", "..");
const JEST = join(ROOT, "node_modules", "jest", "bin", "jest.js");

/** Whether any process of the group is alive (a signal 0 to the group). */
const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};
const kill = (pgid: number) => {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // Gone.
  }
};

describe("offline Terraform lane: an interrupted lane", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`[#19] on ${signal} to jest, every emulator and Terraform process group the lane started is stopped`, async () => {
      const run = spawn(
        process.execPath,
        [JEST, "-c", "jest.terraform.config.js", "--testMatch", "**/tests/terraform/interrupted-run.ts"],
        {
          cwd: ROOT,
          stdio: ["ignore", "pipe", "ignore"],
        },
      );
      let started: { moto: number; terraform: number } | undefined;
      try {
        started = await new Promise<{ moto: number; terraform: number }>((resolve, reject) => {
          let out = "";
          run.stdout.on("data", (chunk) => {
            out += chunk;
            const line = out.split("\n").find((l) => l.startsWith('{"moto":'));
            if (line) resolve(JSON.parse(line));
          });
          run.on("exit", (code) => reject(new Error(`the run ended (${code}) before its processes were up`)));
        });
        expect([groupAlive(started.moto), groupAlive(started.terraform)]).toEqual([true, true]);
        const ended = new Promise((resolve) => run.on("exit", resolve));
        run.kill(signal);
        await ended;
        const deadline = Date.now() + 5_000;
        while ((groupAlive(started.moto) || groupAlive(started.terraform)) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 100));
        expect([groupAlive(started.moto), groupAlive(started.terraform)]).toEqual([false, false]);
      } finally {
        run.kill("SIGKILL");
        if (started) for (const pgid of [started.moto, started.terraform]) kill(pgid);
      }
    }, 120_000);
  }
});
