import { environments, stateBucket } from "./environments";
import { projectTags } from "./environments/shared";
import { buildApp } from "./stacks/app";

try {
  buildApp(
    { environments, stateBucket, sharedTags: { ...projectTags, Environment: "shared" } },
    { backendOverride: process.env.ECG_TF_BACKEND },
  ).synth();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
