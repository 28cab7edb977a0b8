// A throwaway PostgreSQL server for database tests: initdb into a temp
// directory, start on a free loopback port, stop and delete afterwards.
//
// Needs the PostgreSQL server binaries (Debian: `apt-get install postgresql-15`,
// which also creates the `postgres` system user). As root, initdb refuses to
// run, so the server runs as `postgres` via runuser.
import { execFile, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PostgresServer {
  readonly port: number;
  /** Server major version of the binaries in use, e.g. 15. */
  readonly majorVersion: number;
  /**
   * Runs SQL (a string, fed on stdin) or a file through psql with
   * ON_ERROR_STOP; resolves to psql's unaligned, tuples-only output without the
   * trailing newline, rejects with psql's stderr.
   */
  psql(input: string | { file: string }): Promise<string>;
  /** Stops the server (immediate mode) and deletes its directory. Safe to call twice. */
  stop(): void;
}

const PG_ROOT = "/usr/lib/postgresql";
const PREFERRED_MAJOR = "15";
const SERVER_BINARIES = ["initdb", "pg_ctl", "postgres"];

const INITDB_TIMEOUT_MS = 30_000;
const START_TIMEOUT_S = 30;
const STOP_TIMEOUT_MS = 15_000;
const PSQL_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 3;

const INSTALL_HINT =
  "Install the PostgreSQL 15 server: on Debian/Ubuntu `apt-get install -y postgresql-15` " +
  "(provides initdb, pg_ctl, postgres, psql under /usr/lib/postgresql/15/bin and creates the `postgres` user), " +
  "or set ECG_PG_BIN to a directory that holds initdb, pg_ctl, postgres and psql.";

function hasServerBinaries(dir: string): boolean {
  return SERVER_BINARIES.every((name) => existsSync(join(dir, name)));
}

/** $ECG_PG_BIN if set, else /usr/lib/postgresql/15/bin, else the newest /usr/lib/postgresql/<n>/bin. */
function findPostgresBin(): string {
  const override = process.env.ECG_PG_BIN;
  if (override) {
    if (hasServerBinaries(override)) return override;
    throw new Error(`ECG_PG_BIN=${override} does not hold ${SERVER_BINARIES.join(", ")}. ${INSTALL_HINT}`);
  }
  const preferred = join(PG_ROOT, PREFERRED_MAJOR, "bin");
  if (hasServerBinaries(preferred)) return preferred;
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((name) => /^\d+$/.test(name) && hasServerBinaries(join(PG_ROOT, name, "bin")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return join(PG_ROOT, versions[0], "bin");
  throw new Error(`PostgreSQL server binaries not found in ${preferred} or ${PG_ROOT}/*/bin. ${INSTALL_HINT}`);
}

function majorVersionOf(bin: string): number {
  const out = execFileSync(join(bin, "postgres"), ["--version"], { encoding: "utf8", timeout: 10_000 });
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(out);
  if (!match) throw new Error(`cannot read the version from: ${out.trim()}`);
  return Number(match[1]);
}

/** uid/gid of the `postgres` system user, which the Debian package creates. */
function postgresUser(): { uid: number; gid: number } {
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", timeout: 5_000 }).trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error(
      `Running as root, but there is no \`postgres\` system user to run the server as (initdb refuses root). ${INSTALL_HINT}`,
    );
  }
}

/** A port free on 127.0.0.1 right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** The environment without PG* variables (PGHOST, PGDATABASE, PGOPTIONS... would override our flags). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("PG")) env[key] = value;
  return { ...env, LC_ALL: "C", PGCLIENTENCODING: "UTF8" };
}

function run(command: string, args: string[], options: { cwd: string; timeout: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { ...options, env: cleanEnv(), encoding: "utf8", killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      if (error) {
        const why = error.killed ? `timed out after ${options.timeout} ms` : `exit ${error.code}`;
        reject(new Error(`${command} ${args.join(" ")}: ${why}\n${stderr}${stdout}`.trim()));
      } else resolve(stdout);
    });
  });
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  const majorVersion = majorVersionOf(bin);
  const asRoot = process.getuid?.() === 0;
  // initdb refuses to run as root: run the server tools as `postgres` then.
  const owner = asRoot ? postgresUser() : undefined;
  const serverCommand = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]] : [join(bin, tool), args];

  const dir = mkdtempSync(join(tmpdir(), "ecg-pg-"));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const dataDir = join(dir, "data");
  const logFile = join(dir, "server.log");
  let started = false;

  const stop = () => {
    if (started) {
      started = false;
      const [command, args] = serverCommand("pg_ctl", ["stop", "-D", dataDir, "-m", "immediate", "-w", "-t", "10"]);
      try {
        execFileSync(command, args, { cwd: dir, env: cleanEnv(), stdio: "ignore", timeout: STOP_TIMEOUT_MS });
      } catch {
        // Already gone, or stuck: the directory goes anyway; nothing else to do in a test teardown.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    {
      const [command, args] = serverCommand("initdb", [
        "-D",
        dataDir,
        "--auth=trust",
        "-U",
        "postgres",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
      ]);
      await run(command, args, { cwd: dir, timeout: INITDB_TIMEOUT_MS });
    }

    // The free port can be taken between probing and binding: retry on a new one.
    let port = 0;
    for (let attempt = 1; !started; attempt++) {
      port = await freePort();
      const options = [
        "-c listen_addresses=127.0.0.1",
        `-c port=${port}`,
        `-c unix_socket_directories=${quote(dir)}`,
        "-c fsync=off",
        "-c full_page_writes=off",
        "-c synchronous_commit=off",
      ].join(" ");
      const [command, args] = serverCommand("pg_ctl", [
        "start",
        "-D",
        dataDir,
        "-l",
        logFile,
        "-w",
        "-t",
        String(START_TIMEOUT_S),
        "-o",
        options,
      ]);
      try {
        await run(command, args, { cwd: dir, timeout: (START_TIMEOUT_S + 5) * 1000 });
        started = true;
      } catch (error) {
        const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
        if (attempt < START_ATTEMPTS && /could not bind|address already in use/i.test(log)) continue;
        // pg_ctl may have left a postmaster behind on a timeout: have stop() try to stop it.
        started = true;
        throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n--- server log ---\n${log}`);
      }
    }

    const psqlPath = existsSync(join(bin, "psql")) ? join(bin, "psql") : "psql";
    const psql = (input: string | { file: string }): Promise<string> =>
      new Promise((resolve, reject) => {
        const args = [
          "-h",
          "127.0.0.1",
          "-p",
          String(port),
          "-U",
          "postgres",
          "-d",
          "postgres",
          "-v",
          "ON_ERROR_STOP=1",
          "-X",
          "-q",
          "-A",
          "-t",
          "-f",
          typeof input === "string" ? "-" : input.file,
        ];
        const child = spawn(psqlPath, args, { env: cleanEnv(), stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        const timer = setTimeout(() => {
          stderr += `\npsql timed out after ${PSQL_TIMEOUT_MS} ms`;
          child.kill("SIGKILL");
        }, PSQL_TIMEOUT_MS);
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        child.on("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
        child.on("close", (code) => {
          clearTimeout(timer);
          if (code === 0) resolve(stdout.replace(/\n$/, ""));
          else reject(new Error(stderr.trim() || `psql exited with ${code}`));
        });
        // psql may exit before reading all of stdin (ON_ERROR_STOP): ignore EPIPE, the exit code tells.
        child.stdin.on("error", () => undefined);
        child.stdin.end(typeof input === "string" ? input : "");
      });

    return { port, majorVersion, psql, stop };
  } catch (error) {
    stop();
    throw error;
  }
}
