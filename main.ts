import { environments, stateBucket } from "./environments";
import { projectTags } from "./environments/shared";
import { buildApp, synthesize } from "./stacks/app";

try {
  const app = buildApp(
    { environments, stateBucket, sharedTags: { ...projectTags, Environment: "shared" } },
    { backendOverride: process.env.ECG_TF_BACKEND },
  );
  synthesize(app);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
