import type { EnvironmentConfig } from "../../environments/types";
import { roleArnParts } from "../../modules/common/iam-arn";
import { DEFAULT_SERVICE_PORTS } from "../../modules/network";

// What the program's stacks and composites agree on. Stacks are separate Terraform
// states, so they share names derived from the configuration, never tokens.

// --- Stacks ---

export const STATE_BACKEND_STACK = "ecg-state";
export const DELIVERY_STACK = "ecg-delivery";
/** The delivery pipeline's name: its roles are named after it (deliveryRoleNames), which other accounts trust. */
export const PIPELINE_NAME = "ecg-release";
/**
 * The name of one of the pipeline's resources of `region`: in the pipeline's
 * own region the name it always had, in another (the stores of its
 * cross-region actions) that name suffixed with the region.
 */
export const inPipelineRegion = (name: string, region: string, pipelineRegion: string) =>
  region === pipelineRegion ? name : `${name}-${region}`;
/** The delivery pipeline's artifact bucket in its account and `region` (inPipelineRegion). */
export const pipelineArtifactBucketName = (accountId: string, region: string, pipelineRegion: string) =>
  inPipelineRegion(`${DELIVERY_STACK}-artifacts-${accountId}`, region, pipelineRegion);
/** Name of an environment's platform stack (and its state key / workspace). */
export const platformStackName = (config: EnvironmentConfig) => `ecg-${config.name}`;
/** Name of an environment's standby stack in the failover region (DR-1, DR-3). */
export const standbyStackName = (config: EnvironmentConfig) => `${platformStackName(config)}-standby`;
/** Name of an environment's global stack: Global Accelerator in front of both regions (SC-2). */
export const globalStackName = (config: EnvironmentConfig) => `${platformStackName(config)}-global`;

// --- Access (ACC-3) ---

/** An account's access stack, named after the first environment of the account. */
export const accessStackName = (config: EnvironmentConfig) => `ecg-access-${config.name}`;
/** The IAM path of the access stacks' identities: the permissions boundary protects what lives there. */
export const ACCESS_PATH = "/ecg-access/";
/** Every IAM role the program creates is named with it (the permissions boundary lets no other role be passed). */
export const PROGRAM_ROLE_PREFIX = "ecg-";
/** The permissions boundary every role of an environment account carries. */
export const PERMISSIONS_BOUNDARY = "ecg-permissions-boundary";
/** The Terraform variable of the environment stacks naming the role their AWS providers assume: empty acts as the caller. */
export const ACCOUNT_ROLE_VARIABLE = "account_role_arn";

/** The permissions boundary's ARN in the account of an environment's `account.roleArn`. */
export function permissionsBoundaryArn(roleArn: string): string {
  const parts = roleArnParts(roleArn);
  if (!parts) throw new Error(`"${roleArn}" is not an IAM role ARN`);
  const { partition, account } = parts;
  return `arn:${partition}:iam::${account}:policy${ACCESS_PATH}${PERMISSIONS_BOUNDARY}`;
}

/** The roles GitHub Actions assume for an environment: pull-request plans, and deploys of its GitHub environment. */
export const githubRoleName = (config: EnvironmentConfig, purpose: "plan" | "deploy") => `${platformStackName(config)}-github-${purpose}`;
/**
 * The GitHub environment an environment's plans run in (plan.yml): its plan
 * role trusts that environment's jobs, not every pull request, so the
 * repository can require a reviewer before a pull request's Terraform runs
 * with the role (prod), and leave the others open (#17).
 */
/**
 * How long a deploy role's session may last (the access stacks' deploy roles
 * allow it, deploy.yml asks for it): deploys of prod create Multi-AZ
 * databases and their replicas, and an hour is not always enough.
 */
export const DEPLOY_SESSION_SECONDS = 4 * 3600;
export const planEnvironmentName = (config: EnvironmentConfig) => `${config.name}-plan`;
/** Every secret of an environment is named `<platform stack>/...` (the data layer names them after its stack). */
export const secretPrefix = (config: EnvironmentConfig) => `${platformStackName(config)}/`;
/** The roles a Terraform Cloud workspace's runs assume in each run phase (its name is the stack's). */
export const terraformCloudRoleName = (workspace: string, phase: "plan" | "apply") => `${workspace}-tfc-${phase}`;

/** The state account's roles of an environment: its plans read its stacks' state, its deploys read and write it (ACC-2). */
const STATE_ROLE_PATH = "/ecg-state/";
export const stateRoleArn = (stateAccountId: string, config: EnvironmentConfig, purpose: "plan" | "deploy") =>
  `arn:${partitionOf(config)}:iam::${stateAccountId}:role${STATE_ROLE_PATH}${config.name}-${purpose}`;
/** An access stack's GitHub role, by ARN (the state account trusts it before it exists). */
export const githubRoleArn = (config: EnvironmentConfig, purpose: "plan" | "deploy") =>
  `arn:${partitionOf(config)}:iam::${config.account.id}:role${ACCESS_PATH}${githubRoleName(config, purpose)}`;
/** The partition of an environment's account (its role's), `aws` without one. */
const partitionOf = (config: EnvironmentConfig) => (config.account.roleArn && roleArnParts(config.account.roleArn)?.partition) || "aws";

// --- Services ---

/** The service ports the security groups, the ALB and the tasks agree on (NET-4, CMP-2..4). */
export const SERVICE_PORTS = DEFAULT_SERVICE_PORTS;
/** Port of the ALB's blue/green test listener (CI-3): CodeDeploy's replacement tasks answer there before they take traffic. */
export const TEST_LISTENER_PORT = 8443;
/** The services' names within a stack, and their Cloud Map names (`<stack>-<name>`). */
export const SERVICE_NAMES = { api: "backend-api", mlAudio: "ml-audio", render: "gpu-render" } as const;
export const serviceName = (stackName: string, service: keyof typeof SERVICE_NAMES) => `${stackName}-${SERVICE_NAMES[service]}`;
/** The Backend API's main container (what CodeDeploy swaps the image of). */
export const API_CONTAINER = "backend-api";
/** The three images (CMP-7) and the tags the design deploys (CMP-2..4). */
export const SERVICE_IMAGES = { api: "ecg-backend-api", mlAudio: "ecg-ml-audio", render: "ecg-gpu-render" } as const;
export const IMAGE_TAGS = { api: "latest", mlAudio: "latest", render: "phase2" } as const;
/**
 * The X-Ray daemon, pulled through ECR's cache of ECR Public (tasks have no
 * internet egress), by the digest of its `tag` (the multi-architecture index):
 * a tag can be moved to other content, a digest cannot (#17). Upgrade both
 * together: `crane digest public.ecr.aws/xray/aws-xray-daemon:<tag>`.
 */
export const XRAY_PULL_THROUGH = {
  prefix: "ecr-public",
  upstream: "public.ecr.aws",
  repository: "xray/aws-xray-daemon",
  tag: "3.7.0",
  digest: "sha256:b67576293f4d3a0a155f807244957ed0aa4bc945df1573d62d81380a1d548071",
} as const;
/** Log groups of MON-3, per environment (ENV-3: environments never share names). */
export const LOG_GROUPS = ["backend-api", "ml-audio-server", "gpu-render-server", "celery-workers"] as const;
export const logGroupName = (stackName: string, group: (typeof LOG_GROUPS)[number]) => `/ecs/${stackName}/${group}`;
/** The X-Ray service names the containers report (AWS_XRAY_TRACING_NAME) and the sampling rules select. */
export const tracingNames = (stackName: string) =>
  ({ api: `${stackName}-backend-api`, celery: `${stackName}-celery-workers`, render: `${stackName}-gpu-render-server` }) as const;
/** The API's ALB in a regional stack (the global stack finds it by this name). */
export const albName = (stackName: string) => `${stackName}-api`;

// --- Render workers: the render image's Celery entry point ---

/** The render workers' Celery app, queue and node name prefix (`render@<container hostname>`). */
const RENDER_CELERY = { app: "ecg_render.worker", queue: "render", node: "render" } as const;
/** Container of the render task that runs the workers (and holds its GPU). */
export const RENDER_WORKER_CONTAINER = "celery-workers";

/**
 * Four worker processes per task (CMP-4), one GPU shared by the task,
 * consuming the `render` queue as node `render@<hostname>`. Tasks must be
 * declared with `acks_late=True, reject_on_worker_lost=True`: a job whose host
 * is lost (a Spot interruption gives two minutes) goes back to the queue.
 */
export const RENDER_WORKER_COMMAND = [
  "celery",
  "--app",
  RENDER_CELERY.app,
  "worker",
  "--queues",
  RENDER_CELERY.queue,
  "--hostname",
  `${RENDER_CELERY.node}@%h`,
  "--concurrency",
  "4",
  "--loglevel",
  "INFO",
];

/**
 * How a render host finishes its jobs before it is terminated (GpuFleet
 * `drainOnTermination`): Celery stops consuming the queue
 * (`control cancel_consumer`), then the host waits until `inspect active`
 * lists no running job. Both run with `docker exec` in the workers'
 * container, which gives them its broker settings.
 */
export const RENDER_WORKER_DRAIN = (() => {
  const container = `c=$(docker ps -q --filter label=com.amazonaws.ecs.container-name=${RENDER_WORKER_CONTAINER} | head -n1)`;
  const node = `--destination "${RENDER_CELERY.node}@$(docker exec "$c" hostname)"`;
  const celery = `docker exec "$c" celery --app ${RENDER_CELERY.app}`;
  return {
    stopTakingWork: `${container}; [[ -z "$c" ]] || ${celery} control cancel_consumer ${RENDER_CELERY.queue} ${node}`,
    isIdle: `${container}; [[ -z "$c" ]] || ${celery} inspect active ${node} --json | python3 -c 'import json, sys; sys.exit(1 if any(json.load(sys.stdin).values()) else 0)'`,
  };
})();

// --- Data ---

/** The API's database user, created by 002_app_role.sql; it logs in with IAM tokens. */
export const API_DATABASE_USER = "ecg_app";
/** The application secrets the API reads (SEC-2): environment variable → secret short name. */
export const API_SECRETS = { JWT_SIGNING_KEY: "jwt-signing-key", SERVICE_API_KEY: "service-api-key" } as const;
/** Alias (without `alias/`) of the environment's data key in the failover region: the standby finds it by this name. */
export const replicaDataKeyAlias = (stackName: string) => `${stackName}/data-replica`;
/** The secret holding the CDN signing key pair's private half (PEM), set by hand. */
export const cdnSigningKeySecretName = (stackName: string) => `${stackName}/cdn/signing-key`;
/** Alias (without `alias/`) of the videos bucket's key, or of its replica's (in the replication region: a failed-over standby finds it by name). */
export const videosKeyAlias = (stackName: string, which: "primary" | "replica" = "primary") =>
  which === "primary" ? `${stackName}/videos` : `${stackName}/videos-replica`;
/** What every videos bucket of an environment's name starts with (its replica's too). */
export const videosBucketPrefix = (config: EnvironmentConfig) => `${config.storage.videosBucketPrefix}-${config.name}-`;
export const videosBucketName = (config: EnvironmentConfig, accountId: string) => `${videosBucketPrefix(config)}${accountId}`;
/** The multi-region CloudTrail trail of each environment account (its home account stack). */
export const AUDIT_TRAIL_NAME = "ecg-audit";
/** The audit archive of every account's trail and Config history, in the state account (the bootstrap stack). */
export const auditBucketName = (state: { readonly bucket: string }) => `${state.bucket}-audit`.slice(0, 63);

/**
 * What the services need from the data layer (CMP-2, SEC-1, RED-3): no value
 * here is a password. The API logs in to PostgreSQL, and every service to
 * Redis, with IAM tokens; the API's own keys travel as Secrets Manager
 * references the ECS agent injects.
 */
export interface DataEndpoints {
  /** `postgresql://<api user>@<host>:5432/<db>?sslmode=verify-full` (DATABASE_URL; IAM authentication, no password). */
  readonly databaseUrl: string;
  /** `rds-db:connect` resource of the API's database user. */
  readonly databaseConnectArn: string;
  /** `rediss://<configuration endpoint>:6379` (REDIS_URL, TLS). */
  readonly redisUrl: string;
  /** RBAC user the services sign IAM authentication tokens for (REDIS_USER; no password). */
  readonly redisUser: string;
  /** `elasticache:Connect` resources of `redisUser`: the replication group and the user. */
  readonly redisConnectArns: readonly string[];
  /** Key prefixes that replace the design's Redis DB numbers (RED-3), as environment variables. */
  readonly redisKeyPrefixes: Readonly<Record<string, string>>;
  /** The videos bucket (S3_BUCKET). */
  readonly videosBucketName: string;
  /**
   * The videos bucket's KMS key (SSE-KMS), which the services use through S3;
   * a key ARN, or the replica's alias ARN where the standby finds it by name.
   */
  readonly videosKmsKeyArn: string;
  /**
   * How the API signs the CDN's URLs (CDN_KEY_PAIR_ID, CDN_SIGNING_KEY_ARN: a secret with the PEM private key).
   * @default - none: no CDN signs here (a standby serves the API only)
   */
  readonly cdnSigning?: { readonly keyPairId: string; readonly privateKeySecretArn: string };
  /** The API's own secrets (JWT signing key, API keys): variable name to JSON secret with key `value`. */
  readonly apiSecrets: Readonly<Record<string, string>>;
  /** KMS key of the secrets, for the agents that inject them. */
  readonly secretsKmsKeyArn: string;
}
