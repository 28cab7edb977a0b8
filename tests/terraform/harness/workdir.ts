import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type Json = Record<string, any>;

/** Where the stack keeps state in the emulator. */
export type LaneBackend =
  /** A local state file in the working copy. */
  | { readonly kind: "local" }
  /** The stack's own S3 backend, with the S3 endpoint pointed at the emulator (PLT-4 proof). */
  | { readonly kind: "s3-emulator"; readonly endpoint: string };

export interface WorkingCopy {
  readonly dir: string;
  /** The stack as the working copy holds it (the synthesized JSON, unchanged). */
  readonly stack: Json;
}

export const OVERRIDE_FILE = "lane_override.tf.json";

export function readSynthesizedStack(synthDir: string, stackName: string): Json {
  return JSON.parse(readFileSync(join(synthDir, stackName, "cdk.tf.json"), "utf8"));
}

/** Terraform's dependency lock file, beside each synthesized stack. */
const LOCK_FILE = ".terraform.lock.hcl";

/** The files a stack references beside its JSON (cdktf assets: the rotation function's zip). */
const ASSETS_DIR = "assets";

/**
 * A fresh working copy of a synthesized stack for the lane. Only the lane's
 * copy changes, and only in one reviewed way: for emulator runs, an override
 * file (Terraform's own *_override.tf.json mechanism) sets provider settings
 * that have no environment variable and the backend to use.
 */
export function prepareWorkingCopy(stack: Json, dir: string, backend?: LaneBackend, sourceDir?: string): WorkingCopy {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (sourceDir && existsSync(join(sourceDir, ASSETS_DIR))) cpSync(join(sourceDir, ASSETS_DIR), join(dir, ASSETS_DIR), { recursive: true });
  // The program's provider lock, as synthesized: every init of the lane is -lockfile=readonly against it.
  if (sourceDir && existsSync(join(sourceDir, LOCK_FILE))) cpSync(join(sourceDir, LOCK_FILE), join(dir, LOCK_FILE));
  writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(stack, null, 2));
  if (backend) writeFileSync(join(dir, OVERRIDE_FILE), JSON.stringify(emulatorOverride(stack, backend), null, 2));
  return { dir, stack };
}

/**
 * Provider settings for the emulator, for every aws provider block (aliases
 * included): path-style S3 (no wildcard DNS for bucket hosts on loopback), no
 * EC2 metadata lookups, at most 3 retries (moto answers unimplemented calls
 * with HTTP 500). Nothing here changes what the program asks AWS to build.
 */
export function emulatorOverride(stack: Json, backend: LaneBackend): Json {
  const providers = (stack.provider?.aws ?? [{}]) as Json[];
  const settings = { s3_use_path_style: true, skip_metadata_api_check: true, max_retries: 3 };
  const original = stack.terraform?.backend?.s3;
  let backendBlock: Json;
  if (backend.kind === "local") {
    backendBlock = { local: { path: "terraform.tfstate" } };
  } else {
    if (!original) throw new Error("s3-emulator backend: the stack has no S3 backend to point at the emulator");
    // An override replaces the whole backend block: restate the stack's own
    // settings (bucket, key, encrypt, use_lockfile, assume_role) and add only the endpoints (STS's for the role).
    const endpoints = original.assume_role ? { s3: backend.endpoint, sts: backend.endpoint } : { s3: backend.endpoint };
    backendBlock = { s3: { ...original, endpoints, use_path_style: true, skip_metadata_api_check: true } };
  }
  return {
    "//": "Written by the offline Terraform lane (tests/terraform) for the emulator run; never part of the program's output.",
    terraform: { backend: backendBlock },
    provider: { aws: providers.map((p) => (p.alias ? { alias: p.alias, ...settings } : settings)) },
  };
}
