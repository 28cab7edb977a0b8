import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { EnvironmentConfig } from "../../environments/types";
import type { AwsAccount } from "../../modules/common/aws-account";
import { type RepositoryRef, repositoryRef } from "../../modules/container-registry";
import type { ReleaseDigests } from "../../modules/container-registry/release-digests";
import type { ComputeCluster } from "../../modules/ecs-cluster";
import { type ContainerSpec, ContainerService, type PolicyStatement, type TracingSidecar } from "../../modules/ecs-service";
import { forObjectsOf } from "../../modules/common/s3-kms";
import { type GpuFleet, SCRATCH_PATH } from "../../modules/gpu-fleet";
import type { Network, ServicePorts } from "../../modules/network";
import { API_NAMESPACE, RENDER_NAMESPACE } from "../../modules/observability";
import {
  API_CONTAINER,
  type DataEndpoints,
  IMAGE_TAGS,
  logGroupName,
  RENDER_WORKER_COMMAND,
  RENDER_WORKER_CONTAINER,
  SERVICE_IMAGES,
  SERVICE_NAMES,
  serviceName,
  tracingNames,
  XRAY_PULL_THROUGH,
} from "../support/contracts";

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export interface EcgServicesProps {
  readonly stackName: string;
  readonly config: EnvironmentConfig;
  readonly account: AwsAccount;
  readonly network: Network;
  readonly ports: ServicePorts;
  readonly cluster: ComputeCluster;
  /** The service images' repositories: URL and ARN per image name (SERVICE_IMAGES). */
  readonly repositories: Readonly<Record<string, RepositoryRef>>;
  /** The digests the last release promoted, per image name: the task definitions name their images by them. */
  readonly releaseDigests: ReleaseDigests;
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

    // By the promoted digest; before the first release, by the seed's tag.
    const image = (key: keyof typeof SERVICE_IMAGES) =>
      props.releaseDigests.imageReference(SERVICE_IMAGES[key], repositories[SERVICE_IMAGES[key]].url, IMAGE_TAGS[key]);
    const repository = (key: keyof typeof SERVICE_IMAGES) => repositories[SERVICE_IMAGES[key]].arn;
    const xray = repositoryRef(account, `${XRAY_PULL_THROUGH.prefix}/${XRAY_PULL_THROUGH.repository}`);
    const xrayRepository = xray.arn;
    const tracing: TracingSidecar = { image: `${xray.url}@${XRAY_PULL_THROUGH.digest}` };
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
    const deletes = (prefixes: string[]): PolicyStatement => ({
      sid: "DeleteOwnVideos",
      actions: ["s3:DeleteObject"],
      resources: prefixes.map((prefix) => `${bucketArn}/${prefix}*`),
    });
    const list = (prefixes: string[]): PolicyStatement => ({
      sid: "ListVideos",
      actions: ["s3:ListBucket"],
      resources: [bucketArn],
      ...(prefixes.length ? { condition: [{ test: "StringLike", variable: "s3:prefix", values: prefixes.map((p) => `${p}*`) }] } : {}),
    });
    // SSE-KMS of the videos bucket: S3 decrypts and generates data keys as the caller, for that bucket's objects only.
    const videosKey: PolicyStatement = {
      sid: "UseTheVideosKeyThroughS3",
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: [data.videosKmsKeyArn],
      condition: [forObjectsOf([bucketArn])],
    };
    const readSecrets = (arns: string[]): PolicyStatement => ({
      // Re-read after a rotation without a restart (SEC-2 rotates every 30 days).
      sid: "ReadOwnSecrets",
      actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      resources: arns,
    });
    // IAM authentication (no AUTH token): the task role signs a token for the services' Redis user.
    const redisClient = { REDIS_URL: data.redisUrl, REDIS_USER: data.redisUser, REDIS_IAM_AUTH: "true", ...data.redisKeyPrefixes };
    const connectToRedis: PolicyStatement = {
      sid: "ConnectToRedis",
      actions: ["elasticache:Connect"],
      resources: [...data.redisConnectArns],
    };
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
      name: serviceName(stackName, "api"),
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
            ...redisClient,
            S3_BUCKET: data.videosBucketName,
            ML_AUDIO_URL: `http://ml-audio.${namespace.name}:${ports.mlAudio}`,
            GPU_RENDER_URL: `http://gpu-render.${namespace.name}:${ports.gpuRender}`,
            // MON-2: the database pool metrics (modules/observability/metrics.ts); MON-4: its X-Ray name.
            METRICS_NAMESPACE: API_NAMESPACE,
            METRICS_ENVIRONMENT: config.name,
            AWS_XRAY_TRACING_NAME: traced.api,
            // The CDN serves signed URLs only (#17): the key pair's id, and where its private half is.
            ...(data.cdnSigning
              ? { CDN_KEY_PAIR_ID: data.cdnSigning.keyPairId, CDN_SIGNING_KEY_ARN: data.cdnSigning.privateKeySecretArn }
              : {}),
          },
          secrets: apiSecrets,
          logGroupName: logGroupName(stackName, "backend-api"),
        },
      ],
      pullFrom: [repository("api"), xrayRepository],
      pullThroughFrom: [xrayRepository],
      // SEC-1: read/write on the videos bucket, its own secrets, connecting as its database and Redis users.
      taskStatements: [
        list([]),
        objects(["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], ""),
        // #17: deletes only what it owns (the uploads, its scratch); analysis and renders belong to their services.
        deletes(["uploads/", "temp/"]),
        // The uploads are written with the GOVERNANCE retention the bucket requires (UPLOAD_RETENTION_DAYS).
        { sid: "LockTheUploads", actions: ["s3:PutObjectRetention"], resources: [`${bucketArn}/uploads/*`] },
        videosKey,
        readSecrets([...Object.values(data.apiSecrets), ...(data.cdnSigning ? [data.cdnSigning.privateKeySecretArn] : [])]),
        connectToRedis,
        { sid: "ConnectAsApiDatabaseUser", actions: ["rds-db:connect"], resources: [data.databaseConnectArn] },
        publishMetrics("PublishApiMetrics", API_NAMESPACE),
      ],
      loadBalancer: { targetGroupArn: props.apiTarget.targetGroupArn, listener: props.apiTarget.listener },
      // CI-3: releases are blue/green deployments by CodeDeploy (stacks/composites/release.ts).
      deploymentController: props.apiDeploymentController ?? "CODE_DEPLOY",
    });

    // GPU services: one task (and one GPU) on every host of their fleet, found through Cloud Map.
    const gpuService = (gpu: {
      readonly key: "mlAudio" | "render";
      readonly fleet: GpuFleet;
      readonly securityGroupId: string;
      readonly containers: ContainerSpec[];
      readonly taskStatements: PolicyStatement[];
    }) =>
      new ContainerService(this, SERVICE_NAMES[gpu.key], {
        ...common,
        name: serviceName(stackName, gpu.key),
        subnetIds: network.subnetIds.gpu,
        securityGroupIds: [gpu.securityGroupId],
        cpu: config.compute[gpu.key].task.cpu,
        memoryMiB: config.compute[gpu.key].task.memoryMiB,
        scheduling: { kind: "ec2-daemon", placementConstraint: gpu.fleet.placementConstraint },
        containers: gpu.containers,
        pullFrom: [repository(gpu.key), xrayRepository],
        pullThroughFrom: [xrayRepository],
        taskStatements: gpu.taskStatements,
        // The host's NVMe store: render frames and audio chunks, not the read-only image.
        scratchHostPath: SCRATCH_PATH,
        discovery: { namespaceId: namespace.id, name: SERVICE_NAMES[gpu.key] },
      });

    // --- ML Audio (CMP-3): reads uploaded videos and writes its analysis; nothing else ---
    this.mlAudio = gpuService({
      key: "mlAudio",
      fleet: props.mlAudioFleet,
      securityGroupId: network.securityGroupIds.mlAudio,
      containers: [
        {
          name: "ml-audio-server",
          image: image("mlAudio"),
          port: ports.mlAudio,
          gpus: 1,
          environment: { S3_BUCKET: data.videosBucketName, SCRATCH_DIR: SCRATCH_PATH },
          logGroupName: logGroupName(stackName, "ml-audio-server"),
        },
      ],
      taskStatements: [
        list(["uploads/", "analyzed/"]),
        objects(["s3:GetObject"], "uploads/"),
        objects(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "analyzed/"),
        videosKey,
      ],
    });

    // --- GPU Render (CMP-4): the render server and its 4 Celery workers, one task per host ---
    const renderEnvironment = {
      ...redisClient,
      S3_BUCKET: data.videosBucketName,
      METRICS_NAMESPACE: RENDER_NAMESPACE,
      // MON-1/2: the one dimension of the application metrics (modules/observability/metrics.ts).
      METRICS_ENVIRONMENT: config.name,
      SCRATCH_DIR: SCRATCH_PATH,
    };
    this.render = gpuService({
      key: "render",
      fleet: props.renderFleet,
      securityGroupId: network.securityGroupIds.gpuRender,
      containers: [
        {
          name: "gpu-render-server",
          image: image("render"),
          port: ports.gpuRender,
          environment: { ...renderEnvironment, AWS_XRAY_TRACING_NAME: traced.render },
          logGroupName: logGroupName(stackName, "gpu-render-server"),
        },
        {
          // The workers render: the task's one GPU is theirs (ECS gives a GPU to one container).
          name: RENDER_WORKER_CONTAINER,
          image: image("render"),
          command: RENDER_WORKER_COMMAND,
          gpus: 1,
          environment: { ...renderEnvironment, AWS_XRAY_TRACING_NAME: traced.celery },
          logGroupName: logGroupName(stackName, "celery-workers"),
        },
      ],
      // SEC-1: rendered/* read/write, its Redis user, its own metrics.
      taskStatements: [
        list(["rendered/"]),
        objects(["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], "rendered/"),
        videosKey,
        connectToRedis,
        publishMetrics("PublishRenderMetrics", RENDER_NAMESPACE),
      ],
    });
  }
}
