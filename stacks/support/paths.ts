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
/** Code of the Lambda functions the program ships (zipped at synth). */
export const LAMBDA_CODE = {
  secretRotation: join(PROJECT_ROOT, "lambda", "secret-rotation"),
  canaryShift: join(PROJECT_ROOT, "lambda", "canary-shift"),
} as const;
