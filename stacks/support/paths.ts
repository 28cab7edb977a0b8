import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** The project's root: the nearest folder up with a package.json (from stacks/support/ in ts and from the dist/ bundle alike). */
const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}: run the program from inside the project`);
    dir = parent;
  }
  return dir;
})();
export const MIGRATIONS_DIR = join(PROJECT_ROOT, "database", "migrations");
/** The RDS certificate authorities' bundles, one per region (`<region>-bundle.pem`, database/rds-ca/README.md). */
export const RDS_CA_DIR = join(PROJECT_ROOT, "database", "rds-ca");
/**
 * The committed lock of the one provider the program uses (hashicorp/aws,
 * checksums included), copied into every stack folder at synthesis:
 * `terraform init` then installs that provider, verified, and nothing else,
 * and `-lockfile=readonly` (the workflows', the lane's) refuses a
 * configuration that needs another.
 */
export const PROVIDER_LOCK_FILE = join(PROJECT_ROOT, ".terraform.lock.hcl");
/** Code of the Lambda functions the program ships (zipped at synth). */
export const LAMBDA_CODE = {
  secretRotation: join(PROJECT_ROOT, "lambda", "secret-rotation"),
  canaryShift: join(PROJECT_ROOT, "lambda", "canary-shift"),
} as const;
