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
  /** Of its process group, too. */
  readonly pid: number | undefined;
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
  trackGroup(child.pid);
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
      untrackGroup(child.pid);
      resolve({ code: code ?? 1, output, seconds: (Date.now() - started) / 1000 });
    });
  });
  return {
    pid: child.pid,
    done,
    answer: (text) => child.stdin.end(text),
    output: () => output,
  };
}

export function runTerraform(args: readonly string[], options: RunOptions): Promise<RunResult> {
  return startTerraform(args, options).done;
}

/**
 * The process groups the lane started and has not seen end: every Terraform
 * run and every moto_server is detached into a group of its own (so a
 * timeout kills its provider plugins too), which also means that nothing
 * stops them when the lane itself is stopped. They are killed when the lane
 * process exits, is interrupted (Ctrl-C, SIGINT) or terminated (a CI
 * timeout, a killed jest: SIGTERM), and at the end of the lane's tests.
 */
const groups = new Set<number>();
let handlersInstalled = false;

/** Kills a detached child and everything it started (provider plugins included). */
export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  groups.delete(pid);
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Kills every process group the lane started that is still tracked. */
export function stopEveryGroup(): void {
  for (const pid of [...groups]) killGroup(pid);
}

export function trackGroup(pid: number | undefined): void {
  if (!pid) return;
  groups.add(pid);
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.once("exit", stopEveryGroup);
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.once(signal, () => {
      stopEveryGroup();
      process.exit(code);
    });
  }
}

const untrackGroup = (pid: number | undefined) => pid && groups.delete(pid);
