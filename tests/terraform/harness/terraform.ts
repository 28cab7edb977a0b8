import { spawn } from "node:child_process";

export interface RunResult {
  readonly code: number;
  readonly output: string;
  readonly seconds: number;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  /** The step is killed (whole process group) after this many seconds. */
  readonly timeoutSeconds: number;
  /** Text written to standard input; the stream stays open while `holdInput` is set. */
  readonly input?: string;
  readonly holdInput?: boolean;
}

/** A running process whose standard input can be answered later. */
export interface RunningProcess {
  readonly done: Promise<RunResult>;
  answer(text: string): void;
  readonly output: () => string;
}

/** Starts `terraform <args>`; output (stdout and stderr interleaved) is collected. */
export function startTerraform(args: readonly string[], options: RunOptions): RunningProcess {
  const started = Date.now();
  const child = spawn("terraform", args, {
    cwd: options.cwd,
    env: { ...options.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" } as NodeJS.ProcessEnv,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  if (options.input !== undefined) child.stdin.write(options.input);
  if (!options.holdInput) child.stdin.end();
  const done = new Promise<RunResult>((resolve) => {
    const timer = setTimeout(() => {
      output += `\n[lane] terraform ${args[0]} timed out after ${options.timeoutSeconds}s: killed\n`;
      killGroup(child.pid);
    }, options.timeoutSeconds * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output, seconds: (Date.now() - started) / 1000 });
    });
  });
  return {
    done,
    answer: (text) => child.stdin.end(text),
    output: () => output,
  };
}

export function runTerraform(args: readonly string[], options: RunOptions): Promise<RunResult> {
  return startTerraform(args, options).done;
}

/** Kills a detached child and everything it started (provider plugins included). */
export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
