import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { killGroup, trackGroup } from "./terraform";

/** A moto_server on 127.0.0.1, one per environment so environments run in parallel. */
export interface MotoServer {
  readonly url: string;
  readonly pid: number;
  /** Everything the server printed, for failure reports. */
  log(): string;
  stop(): void;
}

/** A free loopback port: bind port 0, read the port, release it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${url}/moto-api/`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto_server did not answer on ${url} within ${timeoutSeconds}s`);
}

/**
 * Starts moto_server on a free loopback port and configures it for the lane:
 * AWS managed IAM policies loaded (else they do not exist in the emulator),
 * ACM certificates validated at once instead of after 60 s (see WORKAROUNDS)
 * and Lambda without Docker (none runs here). Stopped by PID, also on failure.
 */
export async function startMoto(timeoutSeconds = 60): Promise<MotoServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true", MOTO_ACM_VALIDATION_WAIT: "0" },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  trackGroup(child);
  let log = "";
  child.stdout!.on("data", (chunk) => (log = (log + chunk).slice(-20_000)));
  child.stderr!.on("data", (chunk) => (log = (log + chunk).slice(-20_000)));
  const server: MotoServer = { url, pid: child.pid!, log: () => log, stop: () => killGroup(child.pid) };
  try {
    await waitUntilUp(url, child, timeoutSeconds);
    const configured = await fetch(`${url}/moto-api/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ lambda: { use_docker: false } }),
    });
    if (!configured.ok) throw new Error(`moto /moto-api/config answered ${configured.status}`);
  } catch (error) {
    server.stop();
    throw error;
  }
  return server;
}

/** Environment that points the AWS provider (and the S3 backend) at the emulator. */
export function emulatorEnv(moto: MotoServer): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: moto.url,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    // Unimplemented calls answer HTTP 500, which the SDK would retry for minutes.
    AWS_MAX_ATTEMPTS: "3",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}
