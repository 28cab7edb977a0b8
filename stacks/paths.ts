import { join } from "node:path";

/** The project's root, from `stacks/` (ts) and from `dist/` (the bundle) alike. */
export const PROJECT_ROOT = join(__dirname, "..");
export const MIGRATIONS_DIR = join(PROJECT_ROOT, "database", "migrations");
/** Code of the Lambda functions the program ships (zipped at synth). */
export const LAMBDA_CODE = {
  secretRotation: join(PROJECT_ROOT, "lambda", "secret-rotation"),
  canaryShift: join(PROJECT_ROOT, "lambda", "canary-shift"),
} as const;
