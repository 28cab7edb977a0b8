import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Runs buildspec commands as CodeBuild does (buildspec 0.2): one bash, each
 * command line judged by its last command's status, the first failure ends
 * the phase. `fakes` are executables (name → bash body) put first on the PATH;
 * each call they get is logged to calls.log with the program's name.
 */
export function runBuildspecCommands(
  commands: readonly string[],
  fakes: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string>>,
): { status: number | null; calls: string[]; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "buildspec-"));
  for (const [name, body] of Object.entries(fakes)) {
    writeFileSync(join(dir, name), `#!/bin/bash\necho "${name} $*" >> "$CALLS"\n${body}\n`, { mode: 0o755 });
  }
  const script = commands.map((c) => `${c}\n__status=$?; if [ "$__status" -ne 0 ]; then exit "$__status"; fi`).join("\n");
  const calls = join(dir, "calls.log");
  const result = spawnSync("bash", ["-c", script], {
    cwd: dir,
    env: { PATH: `${dir}:${process.env.PATH}`, CALLS: calls, ...env },
    encoding: "utf8",
  });
  return {
    status: result.status,
    calls: existsSync(calls) ? readFileSync(calls, "utf8").trim().split("\n") : [],
    out: `${result.stdout}${result.stderr}`,
  };
}
