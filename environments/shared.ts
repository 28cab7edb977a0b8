import { deliveryAccount, stateRoleArn } from "./organization";
import type { BackendConfig, S3StateConfig } from "./types";

/**
 * The state bucket that the bootstrap stack (`ecg-state`) creates and every
 * environment stack keeps its state in, each under its own key (PLT-4).
 * Bucket names are global: change it before the first bootstrap.
 */
export const stateBucket: S3StateConfig = {
  bucket: "ecg-render-terraform-state",
  region: "ap-northeast-2",
};

/**
 * The second state bucket of the bootstrap stack, in the failover region: the
 * standby and global stacks keep their state there, so a regional outage in
 * Seoul, which takes `stateBucket` with it, does not lock the failover (DR-3).
 */
export const failoverStateBucket: S3StateConfig = {
  bucket: "ecg-render-terraform-state-ap-northeast-1",
  region: "ap-northeast-1",
};

/** Terraform Cloud, when a run sets `ECG_TF_BACKEND=cloud`: a workspace per stack, in one project (ACC-3 trusts its runs). */
const terraformCloud = { organization: "ecg-render", hostname: "app.terraform.io", project: "ecg-render" };

/** The delivery stack's backend: it runs in the tooling account, the state bucket's own. */
const toolingBackend: BackendConfig = { kind: "s3", s3: stateBucket, cloud: terraformCloud };

/**
 * An environment's backend (one key per stack): its stacks reach the state
 * bucket in the tooling account through the environment's state role (ACC-2).
 * The standby and global stacks pass `failoverStateBucket`: they must work
 * while the primary region, and its bucket, is down.
 */
export const environmentBackend = (environment: string, bucket: S3StateConfig = stateBucket): BackendConfig => ({
  kind: "s3",
  s3: { ...bucket, roleArn: stateRoleArn(environment) },
  cloud: terraformCloud,
});

/** Project-wide tags; each environment adds `Environment` (ENV-4). */
export const projectTags = {
  Project: "ecg-render",
  ManagedBy: "cdktf",
} as const;

/**
 * COST-2, in Asia/Seoul time: weekdays 09:00-18:00 at least 4 render hosts,
 * off-peak at least 2, weekends at least 1.
 */
export const renderWorkingHours = [
  { name: "weekday-peak", recurrence: "0 9 * * MON-FRI", minSize: 4 },
  { name: "weekday-off-peak", recurrence: "0 18 * * MON-FRI", minSize: 2 },
  { name: "weekend", recurrence: "0 0 * * SAT", minSize: 1 },
  { name: "weekend-end", recurrence: "0 0 * * MON", minSize: 2 },
] as const;

/**
 * The public Route 53 zone the API names live in (CMP-6), in prod's account.
 * Dev's and staging's accounts each hold a subzone of it (`dev.<zone>`,
 * `staging.<zone>`), delegated by NS records in it: a zone answers from one
 * account only. The zones and the delegation are made outside this program,
 * like the accounts; change the name to yours.
 */
export const publicZoneName = "ecg-render.com";

/**
 * CI-4: what staging runs after each deployment, in the application
 * repository (its Makefile owns the tools: k6 for load, the render benchmark).
 */
export const stagingValidations = [
  { name: "load-test", commands: ["make load-test TARGET_URL=https://api.staging.ecg-render.com"] },
  { name: "performance-validation", commands: ["make performance-validation TARGET_URL=https://api.staging.ecg-render.com"] },
] as const;

/**
 * The delivery pipeline (CI-1..5): the application repository it builds
 * (GitHub `owner/name`, the branch whose pushes release, each service image's
 * Docker context in it) and the region it runs in (the environments' today;
 * one of another region is released across regions).
 * Change the repository to yours.
 */
export const deliverySettings = {
  region: "ap-northeast-2",
  source: { owner: "ecg-render", name: "ecg-render-system", branch: "main" },
  imageContexts: { api: "backend-api", mlAudio: "ml-audio", render: "gpu-render" },
  backend: toolingBackend,
  account: deliveryAccount,
} as const;
