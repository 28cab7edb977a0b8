import { program } from "./environments";
import { buildApp, synthesize } from "./stacks/app";

try {
  const app = buildApp(program, { backendOverride: process.env.ECG_TF_BACKEND });
  synthesize(app);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
