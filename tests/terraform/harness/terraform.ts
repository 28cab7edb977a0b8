import { type ChildProcess, spawn } from "node:child_process";

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
  trackGroup(child);
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
 * The process groups the lane started and has not seen end. Every Terraform
 * run and every moto_server is detached into a group of its own (so a
 * timeout kills its provider plugins too), which also means that nothing
 * stops them when the lane itself is stopped. A reaper does: a small child
 * process, not detached, that the lane tells of each group it starts and
 * ends. When the lane goes, however it goes (Ctrl-C, a CI timeout's SIGTERM,
 * a killed jest, a crash), the reaper's input closes and it kills every group
 * still listed. It is a process of its own because no handler inside a jest
 * test sees the signals: jest gives a test a copy of `process`.
 */
const REAPER = `
const groups = new Set();
let pending = "";
process.stdin.on("data", (chunk) => {
  pending += chunk;
  for (let at; (at = pending.indexOf("\\n")) >= 0; pending = pending.slice(at + 1)) {
    const [op, pid] = pending.slice(0, at).split(" ");
    if (op === "+") groups.add(Number(pid)); else groups.delete(Number(pid));
  }
});
process.stdin.on("end", () => {
  for (const pid of groups) try { process.kill(-pid, "SIGKILL"); } catch {}
  process.exit(0);
});
// Ctrl-C reaches the whole foreground group, the reaper too: it outlives the lane to clean up after it.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});
`;

const groups = new Set<number>();
let reaper: ChildProcess | undefined;

function tellReaper(line: string): void {
  if (!reaper) {
    reaper = spawn(process.execPath, ["-e", REAPER], { stdio: ["pipe", "ignore", "ignore"] });
    // Neither the reaper nor its pipe keeps the lane alive.
    reaper.unref();
    (reaper.stdin as unknown as { unref(): void }).unref();
  }
  reaper.stdin?.write(`${line}\n`);
}

/** Kills a detached child and everything it started (provider plugins included). */
export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  untrackGroup(pid);
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Kills every process group the lane started that is still running (the end of the lane's tests, also after a failure). */
export function stopEveryGroup(): void {
  for (const pid of [...groups]) killGroup(pid);
}

/** Lists a detached child's group with the reaper, until it ends. */
export function trackGroup(child: ChildProcess): void {
  const pid = child.pid;
  if (!pid) return;
  groups.add(pid);
  tellReaper(`+ ${pid}`);
  // A group is killed when its leader ends: a crashed Terraform's plugins go with it.
  child.once("exit", () => killGroup(pid));
}

function untrackGroup(pid: number): void {
  if (groups.delete(pid)) tellReaper(`- ${pid}`);
}
