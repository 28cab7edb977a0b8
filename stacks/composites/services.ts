import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { EnvironmentConfig } from "../../environments/types";
import type { AwsAccount } from "../../modules/common/aws-account";
import { type RepositoryRef, repositoryRef } from "../../modules/container-registry";
import type { ComputeCluster } from "../../modules/ecs-cluster";
import { type ContainerSpec, ContainerService, type PolicyStatement, type TracingSidecar } from "../../modules/ecs-service";
import type { GpuFleet } from "../../modules/gpu-fleet";
import type { Network, ServicePorts } from "../../modules/network";
import { API_NAMESPACE, RENDER_NAMESPACE } from "../../modules/observability";
import { tracingNames } from "./monitoring";

/** The three images and the tags the seed deploys (CMP-2..4, CMP-7). */
/** The Backend API's main container (what CodeDeploy swaps the image of). */
export const API_CONTAINER = "backend-api";

export const SERVICE_IMAGES = { api: "ecg-backend-api", mlAudio: "ecg-ml-audio", render: "ecg-gpu-render" } as const;
const IMAGE_TAGS = { api: "latest", mlAudio: "latest", render: "phase2" } as const;

/** Log groups of MON-3, per environment (ENV-3: environments never share names). */
export const LOG_GROUPS = ["backend-api", "ml-audio-server", "gpu-render-server", "celery-workers"] as const;
export const logGroupName = (stack: string, group: (typeof LOG_GROUPS)[number]) => `/ecs/${stack}/${group}`;

/** The render workers' Celery app, queue and node name prefix (`render@<container hostname>`). */
const RENDER_CELERY = { app: "ecg_render.worker", queue: "render", node: "render" } as const;
/** Container of the render task that runs the workers (and holds its GPU). */
export const RENDER_WORKER_CONTAINER = "celery-workers";

/**
 * The render image's Celery entry point (its contract with this program): four
 * worker processes per task (CMP-4), one GPU shared by the task, consuming the
 * `render` queue as node `render@<hostname>`. Tasks must be declared with
 * `acks_late=True, reject_on_worker_lost=True`: a job whose host is lost (a
 * Spot interruption gives two minutes) goes back to the queue for another host.
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
 * `drainOnTermination`): in the workers' container, Celery stops consuming
 * the queue (`control cancel_consumer`), then the host waits until
 * `inspect active` lists no running job. Both run on the host with
 * `docker exec`, which gives them the container's broker settings.
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

/** The X-Ray daemon, pulled through ECR's cache of ECR Public (tasks have no internet egress). */
export const XRAY_PULL_THROUGH = {
  prefix: "ecr-public",
  upstream: "public.ecr.aws",
  repository: "xray/aws-xray-daemon",
  tag: "3.x",
} as const;

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * What the services need from the data layer (CMP-2, SEC-1, RED-3): no value
 * here is a password. The API logs in to PostgreSQL with IAM tokens; other
 * credentials travel as Secrets Manager references the ECS agent injects.
 */
export interface DataEndpoints {
  /** `postgresql://<api user>@<host>:5432/<db>?sslmode=verify-full` (DATABASE_URL; IAM authentication, no password). */
  readonly databaseUrl: string;
  /** `rds-db:connect` resource of the API's database user. */
  readonly databaseConnectArn: string;
  /** `rediss://<configuration endpoint>:6379` (REDIS_URL, TLS). */
  readonly redisUrl: string;
  /** Secret holding the Redis AUTH token (REDIS_AUTH_TOKEN). */
  readonly redisAuthTokenSecretArn: string;
  /** Key prefixes that replace the seed's Redis DB numbers (RED-3), as environment variables. */
  readonly redisKeyPrefixes: Readonly<Record<string, string>>;
  /** The videos bucket (S3_BUCKET). */
  readonly videosBucketName: string;
  /** The API's own secrets (JWT signing key, API keys): variable name to JSON secret with key `value`. */
  readonly apiSecrets: Readonly<Record<string, string>>;
  /** KMS key of the secrets, for the agents that inject them. */
  readonly secretsKmsKeyArn: string;
}

export interface EcgServicesProps {
  readonly stackName: string;
  readonly config: EnvironmentConfig;
  readonly account: AwsAccount;
  readonly network: Network;
  readonly ports: ServicePorts;
  readonly cluster: ComputeCluster;
  /** The service images' repositories: URL and ARN per image name (SERVICE_IMAGES). */
  readonly repositories: Readonly<Record<string, RepositoryRef>>;
  /**
   * Who rolls out the API: CodeDeploy blue/green (CI-3) where the pipeline
   * releases, ECS rolling updates elsewhere (a failed-over standby).
   * @default "CODE_DEPLOY"
   */
  readonly apiDeploymentController?: "CODE_DEPLOY" | "ECS";
  readonly mlAudioFleet: GpuFleet;
  readonly renderFleet: GpuFleet;
  readonly data: DataEndpoints;
  readonly logsKmsKeyArn: string;
  /** The API's ALB target group, and the listener that attaches it. */
  readonly apiTarget: { readonly targetGroupArn: string; readonly listener: ITerraformDependable };
}

/**
 * The ECG services on the cluster: the Backend API on Fargate behind the ALB
 * (CMP-2), ML Audio (CMP-3) and GPU Render with its Celery workers (CMP-4) as
 * one task per GPU host. Each has its own roles with the seed's least
 * privilege (SEC-1), its log groups (MON-3) and an X-Ray sidecar (MON-4).
 */
export class EcgServices extends Construct {
  readonly api: ContainerService;
  readonly mlAudio: ContainerService;
  readonly render: ContainerService;

  constructor(scope: Construct, id: string, props: EcgServicesProps) {
    super(scope, id);
    const { stackName, config, account, network, ports, cluster, repositories, data } = props;
    const namespace = cluster.namespace;
    if (!namespace) throw new Error(`EcgServices "${id}": the cluster needs a service namespace for the calls between services`);

    const image = (key: keyof typeof SERVICE_IMAGES) => `${repositories[SERVICE_IMAGES[key]].url}:${IMAGE_TAGS[key]}`;
    const repository = (key: keyof typeof SERVICE_IMAGES) => repositories[SERVICE_IMAGES[key]].arn;
    const xray = repositoryRef(account, `${XRAY_PULL_THROUGH.prefix}/${XRAY_PULL_THROUGH.repository}`);
    const xrayRepository = xray.arn;
    const tracing: TracingSidecar = { image: `${xray.url}:${XRAY_PULL_THROUGH.tag}` };
    const common = {
      cluster: { name: cluster.clusterName, arn: cluster.clusterArn, capacityProviders: cluster.capacityProviders },
      secretsKmsKeyArns: [data.secretsKmsKeyArn],
      account,
      tracing,
      logsKmsKeyArn: props.logsKmsKeyArn,
      logRetentionDays: config.compute.logRetentionDays,
      // Audited ECS Exec into every task (sessions encrypted and logged by the cluster).
      execCommand: cluster.execCommand,
    };

    const bucketArn = `arn:${account.partition}:s3:::${data.videosBucketName}`;
    const objects = (actions: string[], prefix: string): PolicyStatement => ({
      sid: `${actions.includes("s3:PutObject") ? "ReadWrite" : "Read"}${capitalized(prefix.replace(/[^A-Za-z]/g, "")) || "All"}Videos`,
      actions,
      resources: [`${bucketArn}/${prefix}*`],
    });
    const list = (prefixes: string[]): PolicyStatement => ({
      sid: "ListVideos",
      actions: ["s3:ListBucket"],
      resources: [bucketArn],
      ...(prefixes.length ? { condition: [{ test: "StringLike", variable: "s3:prefix", values: prefixes.map((p) => `${p}*`) }] } : {}),
    });
    const readSecrets = (arns: string[]): PolicyStatement => ({
      // Re-read after a rotation without a restart (SEC-2 rotates every 30 days).
      sid: "ReadOwnSecrets",
      actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      resources: arns,
    });
    const redisAuth = { REDIS_AUTH_TOKEN: { secretArn: data.redisAuthTokenSecretArn } };
    // PutMetricData has no resource ARN; the namespace condition is its only scope.
    const publishMetrics = (sid: string, metricsNamespace: string): PolicyStatement => ({
      sid,
      actions: ["cloudwatch:PutMetricData"],
      resources: ["*"],
      condition: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: [metricsNamespace] }],
    });
    const traced = tracingNames(stackName);
    const apiSecrets = Object.fromEntries(
      Object.entries(data.apiSecrets).map(([name, secretArn]) => [name, { secretArn, jsonKey: "value" }]),
    );

    // --- Backend API (CMP-2) ---
    this.api = new ContainerService(this, "backend-api", {
      ...common,
      name: `${stackName}-backend-api`,
      subnetIds: network.subnetIds.private,
      securityGroupIds: [network.securityGroupIds.backend],
      cpu: config.compute.api.cpu,
      memoryMiB: config.compute.api.memoryMiB,
      scheduling: {
        kind: "fargate",
        capacityProvider: config.compute.api.capacityProvider,
        desiredCount: config.compute.api.tasks.min,
        autoScaling: { maxCount: config.compute.api.tasks.max, targetCpuPercent: config.compute.api.targetCpuPercent },
      },
      containers: [
        {
          name: API_CONTAINER,
          image: image("api"),
          port: ports.api,
          environment: {
            DATABASE_URL: data.databaseUrl,
            DATABASE_IAM_AUTH: "true",
            REDIS_URL: data.redisUrl,
            ...data.redisKeyPrefixes,
            S3_BUCKET: data.videosBucketName,
            ML_AUDIO_URL: `http://ml-audio.${namespace.name}:${ports.mlAudio}`,
            GPU_RENDER_URL: `http://gpu-render.${namespace.name}:${ports.gpuRender}`,
            // MON-2: the database pool metrics (modules/observability/metrics.ts); MON-4: its X-Ray name.
            METRICS_NAMESPACE: API_NAMESPACE,
            METRICS_ENVIRONMENT: config.name,
            AWS_XRAY_TRACING_NAME: traced.api,
          },
          secrets: { ...apiSecrets, ...redisAuth },
          logGroupName: logGroupName(stackName, "backend-api"),
        },
      ],
      pullFrom: [repository("api"), xrayRepository],
      pullThroughFrom: [xrayRepository],
      // SEC-1: read/write on the videos bucket, its own secrets, connecting as its database user.
      taskStatements: [
        list([]),
        objects(["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], ""),
        readSecrets([...Object.values(data.apiSecrets), data.redisAuthTokenSecretArn]),
        { sid: "ConnectAsApiDatabaseUser", actions: ["rds-db:connect"], resources: [data.databaseConnectArn] },
        publishMetrics("PublishApiMetrics", API_NAMESPACE),
      ],
      loadBalancer: { targetGroupArn: props.apiTarget.targetGroupArn, listener: props.apiTarget.listener },
      // CI-3: releases are blue/green deployments by CodeDeploy (stacks/release.ts).
      deploymentController: props.apiDeploymentController ?? "CODE_DEPLOY",
    });

    // GPU services: one task (and one GPU) on every host of their fleet, found through Cloud Map.
    const gpuService = (
      key: "mlAudio" | "render",
      discoveryName: string,
      securityGroupId: string,
      containers: ContainerSpec[],
      taskStatements: PolicyStatement[],
    ) =>
      new ContainerService(this, discoveryName, {
        ...common,
        name: `${stackName}-${discoveryName}`,
        subnetIds: network.subnetIds.gpu,
        securityGroupIds: [securityGroupId],
        cpu: config.compute[key].task.cpu,
        memoryMiB: config.compute[key].task.memoryMiB,
        scheduling: {
          kind: "ec2-daemon",
          placementConstraint: (key === "mlAudio" ? props.mlAudioFleet : props.renderFleet).placementConstraint,
        },
        containers,
        pullFrom: [repository(key), xrayRepository],
        pullThroughFrom: [xrayRepository],
        taskStatements,
        discovery: { namespaceId: namespace.id, name: discoveryName },
      });

    // --- ML Audio (CMP-3): reads uploaded videos and writes its analysis; nothing else ---
    this.mlAudio = gpuService(
      "mlAudio",
      "ml-audio",
      network.securityGroupIds.mlAudio,
      [
        {
          name: "ml-audio-server",
          image: image("mlAudio"),
          port: ports.mlAudio,
          gpus: 1,
          environment: { S3_BUCKET: data.videosBucketName, SCRATCH_DIR: "/scratch" },
          logGroupName: logGroupName(stackName, "ml-audio-server"),
        },
      ],
      [list(["uploads/", "analyzed/"]), objects(["s3:GetObject"], "uploads/"), objects(["s3:GetObject", "s3:PutObject"], "analyzed/")],
    );

    // --- GPU Render (CMP-4): the render server and its 4 Celery workers, one task per host ---
    const renderEnvironment = {
      REDIS_URL: data.redisUrl,
      ...data.redisKeyPrefixes,
      S3_BUCKET: data.videosBucketName,
      METRICS_NAMESPACE: RENDER_NAMESPACE,
      // MON-1/2: the one dimension of the application metrics (modules/observability/metrics.ts).
      METRICS_ENVIRONMENT: config.name,
      SCRATCH_DIR: "/scratch",
    };
    this.render = gpuService(
      "render",
      "gpu-render",
      network.securityGroupIds.gpuRender,
      [
        {
          name: "gpu-render-server",
          image: image("render"),
          port: ports.gpuRender,
          environment: { ...renderEnvironment, AWS_XRAY_TRACING_NAME: traced.render },
          secrets: redisAuth,
          logGroupName: logGroupName(stackName, "gpu-render-server"),
        },
        {
          // The workers render: the task's one GPU is theirs (ECS gives a GPU to one container).
          name: RENDER_WORKER_CONTAINER,
          image: image("render"),
          command: RENDER_WORKER_COMMAND,
          gpus: 1,
          environment: { ...renderEnvironment, AWS_XRAY_TRACING_NAME: traced.celery },
          secrets: redisAuth,
          logGroupName: logGroupName(stackName, "celery-workers"),
        },
      ],
      // SEC-1: rendered/* read/write, its Redis secret, its own metrics.
      [
        list(["rendered/"]),
        objects(["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], "rendered/"),
        readSecrets([data.redisAuthTokenSecretArn]),
        publishMetrics("PublishRenderMetrics", RENDER_NAMESPACE),
      ],
    );
  }
}
