import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Fn, TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { BackendKind, DeliverySettings, EnvironmentConfig } from "../environments/types";
import { AwsAccountLookup } from "../modules/common/aws-account";
import { roleArn } from "../modules/common/iam-arn";
import { ComponentTags } from "../modules/common/component-tags";
import { ContainerRegistry } from "../modules/container-registry";
import type { ReleaseDigests } from "../modules/container-registry/release-digests";
import type { ComputeCluster } from "../modules/ecs-cluster";
import type { GpuFleet } from "../modules/gpu-fleet";
import { BlueGreenDeployment, ReleaseRole } from "../modules/delivery";
import { EncryptionKey } from "../modules/kms";
import type { Ingress } from "../modules/ingress";
import type { Network } from "../modules/network";
import { REDIS_KEY_PREFIXES } from "../modules/redis-cluster";
import type { SecureBucket } from "../modules/secure-bucket";
import { configureBackend } from "./support/backend";
import { IsolatedStack } from "./isolated-stack";
import { environmentProviderSettings, roleProviders } from "./support/providers";
import { DataLayer } from "./composites/data-layer";
import { Foundation } from "./composites/foundation";
import { ApiEntryPoint } from "./composites/entry-point";
import { GpuCompute } from "./composites/gpu-compute";
import { PlatformMonitoring } from "./composites/monitoring";
import { LAMBDA_CODE } from "./support/paths";
import { apiRelease, crossAccountRelease, environmentReleaseDigests, pipelineRoles, releaseDigestsOf } from "./composites/release";
import { EcgServices } from "./composites/services";
import { SERVICE_IMAGES, SERVICE_PORTS, TEST_LISTENER_PORT, videosBucketName, XRAY_PULL_THROUGH } from "./support/contracts";

export interface PlatformStackProps {
  readonly config: EnvironmentConfig;
  /** Backend of this run: the environment's `backend.kind` unless overridden. */
  readonly backend: BackendKind;
  /**
   * The delivery pipeline's account and region (`DeliverySettings`): when its
   * account is another than the environment's, the stack creates the release
   * role the pipeline deploys through, reading the pipeline's artifact store
   * of the environment's region. Either way its repositories admit only the
   * pipeline's promotion role of its stage to push.
   */
  readonly delivery: Pick<DeliverySettings, "account" | "region">;
}

/** Everything one environment runs in its primary region (PLT-2). */
export class PlatformStack extends IsolatedStack {
  readonly network: Network;
  /** Encrypts the environment's CloudWatch log groups and ECS Exec sessions. */
  readonly logsKey: EncryptionKey;
  /** Encrypts the container images. */
  readonly imagesKey: EncryptionKey;
  readonly registry: ContainerRegistry;
  /** The digests the last release promoted: the services' task definitions run them. */
  readonly releaseDigests: ReleaseDigests;
  readonly cluster: ComputeCluster;
  readonly mlAudioFleet: GpuFleet;
  readonly renderFleet: GpuFleet;
  readonly logsBucket: SecureBucket;
  readonly ingress: Ingress;
  /** Log bucket, ALB and the API's public name (with a standby: the PRIMARY failover record). */
  readonly entryPoint: ApiEntryPoint;
  readonly services: EcgServices;
  readonly data: DataLayer;
  readonly monitoring: PlatformMonitoring;
  /** Blue/green releases of the Backend API by CodeDeploy (CI-3, CI-5). */
  readonly apiRelease: BlueGreenDeployment;
  /** The role a delivery pipeline of another account releases through. @default - none (same-account delivery) */
  readonly releaseRole?: ReleaseRole;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const { config } = props;
    const providerSettings = environmentProviderSettings(this, config);
    new AwsProvider(this, "aws", { ...providerSettings, region: config.account.region });
    const providers = roleProviders(this, config, providerSettings);
    configureBackend(this, id, props.backend, config.backend);
    const account = new AwsAccountLookup(this, "account");
    const release = apiRelease(config);
    const crossRelease = crossAccountRelease(config, props.delivery, account.partition);

    const foundation = new Foundation(this, "foundation", {
      stackName: id,
      account,
      network: config.network,
      production: config.production,
      albTestListenerPort: TEST_LISTENER_PORT,
    });
    ({ logsKey: this.logsKey, network: this.network, cluster: this.cluster } = foundation);

    this.imagesKey = new EncryptionKey(this, "images-key", {
      alias: `${id}/images`,
      description: `${id}: encrypts the ECR repositories`,
      account,
      preventDestroy: config.production,
    });
    ComponentTags.apply(this.imagesKey, "encryption");
    this.registry = new ContainerRegistry(this, "registry", {
      prefix: id,
      images: Object.values(SERVICE_IMAGES),
      kmsKeyArn: this.imagesKey.keyArn,
      // DR: the images wait in the failover region for a standby there.
      replication: config.disasterRecovery.replicateImages
        ? { regions: [config.disasterRecovery.failoverRegion], registryId: account.accountId }
        : undefined,
      accountId: config.account.id ?? account.accountId,
      // Only the release's promotion writes here, after the scan gate and the stage's approval.
      pushedBy: [pipelineRoles(config, props.delivery.account?.id ?? account.accountId, account.partition).promote],
    });
    this.releaseDigests = environmentReleaseDigests(this, config);
    const gpu = new GpuCompute(this, "gpu", { name: id, config, network: this.network, cluster: this.cluster });
    this.mlAudioFleet = gpu.mlAudioFleet;
    this.renderFleet = gpu.renderFleet;

    const standby = config.disasterRecovery.standby;
    this.entryPoint = new ApiEntryPoint(this, "entry", {
      stackName: id,
      config,
      account,
      region: config.account.region,
      network: this.network,
      ports: SERVICE_PORTS,
      logsKmsKeyArn: this.logsKey.keyArn,
      logSourceBuckets: [videosBucketName(config, account.accountId)],
      testListenerPort: TEST_LISTENER_PORT,
      // DR-3: with a standby, Route 53 answers with this region while it is healthy.
      failoverRole: standby ? "PRIMARY" : undefined,
    });
    this.logsBucket = this.entryPoint.logsBucket;
    this.ingress = this.entryPoint.ingress;
    const zone = this.entryPoint.zone;

    this.data = new DataLayer(this, "data", {
      stackName: id,
      config,
      account,
      network: this.network,
      providers,
      hostedZoneId: zone.zoneId,
      logsBucket: this.logsBucket,
      logsKmsKeyArn: this.logsKey.keyArn,
      pullThroughPrefix: XRAY_PULL_THROUGH.prefix,
    });

    this.services = new EcgServices(this, "services", {
      stackName: id,
      config,
      account,
      network: this.network,
      ports: SERVICE_PORTS,
      cluster: this.cluster,
      repositories: this.registry.repositoryRefs,
      releaseDigests: this.releaseDigests,
      mlAudioFleet: this.mlAudioFleet,
      renderFleet: this.renderFleet,
      data: this.data.endpoints,
      logsKmsKeyArn: this.logsKey.keyArn,
      apiTarget: { targetGroupArn: this.ingress.targetGroup.arn, listener: this.ingress.listener },
    });

    this.monitoring = new PlatformMonitoring(this, "monitoring", {
      stackName: id,
      config,
      account,
      clusterName: this.cluster.clusterName,
      fleets: { mlAudio: this.mlAudioFleet, render: this.renderFleet },
      ingress: this.ingress,
      data: this.data,
      services: this.services,
    });

    const blueGreen = this.ingress.blueGreen;
    if (!blueGreen)
      throw new Error(`PlatformStack "${id}": the ALB has no blue/green test listener for CodeDeploy (ApiEntryPoint testListenerPort)`);
    this.apiRelease = new BlueGreenDeployment(this, "api-release", {
      name: release.deploymentName,
      account,
      clusterName: this.cluster.clusterName,
      serviceName: this.services.api.service.name,
      productionListenerArn: this.ingress.listener.arn,
      testListenerArn: blueGreen.testListener.arn,
      targetGroupNames: [this.ingress.targetGroup.name, blueGreen.greenTargetGroup.name],
      // CI-5: 5xx, unhealthy hosts and response time stop and roll back a release.
      alarmNames: this.monitoring.alarms.deploymentAlarmNames,
      trafficShift: release.trafficShift,
      hook: Object.keys(release.hooks).length
        ? { codePath: LAMBDA_CODE.canaryShift, logsKmsKeyArn: this.logsKey.keyArn, logRetentionDays: config.compute.logRetentionDays }
        : undefined,
    });

    if (crossRelease) {
      const { partition, region } = account;
      this.releaseRole = new ReleaseRole(this, "release-role", {
        roleName: crossRelease.releaseRoleName,
        account,
        // The promotion pushes with its own role (the repositories admit it); these act in this account.
        trustedRoles: [crossRelease.pipelineRoles.pipeline, crossRelease.pipelineRoles.render, crossRelease.pipelineRoles.record],
        deployment: {
          applicationName: release.deploymentName,
          deploymentGroupName: release.deploymentName,
          taskDefinitionFamily: release.taskDefinitionFamily,
        },
        passRoleArns: release.taskRoleNames.map((role) => roleArn(partition, account.accountId, role)),
        artifacts: {
          bucketArn: `arn:${partition}:s3:::${crossRelease.artifactBucketName}`,
          keyArns: [`arn:${partition}:kms:${region}:${crossRelease.deliveryAccountId}:key/*`],
        },
        releaseDigests: releaseDigestsOf(config),
      });
      ComponentTags.apply(this.releaseRole, "delivery");
      new TerraformOutput(this, "release_role_arn", { value: this.releaseRole.arn });
    }

    new TerraformOutput(this, "vpc_id", { value: this.network.vpcId });
    new TerraformOutput(this, "ecs_cluster_name", { value: this.cluster.clusterName });
    new TerraformOutput(this, "api_url", { value: this.ingress.url });
    new TerraformOutput(this, "alb_dns_name", { value: this.ingress.loadBalancer.dnsName });
    new TerraformOutput(this, "service_names", {
      value: {
        api: this.services.api.service.name,
        mlAudio: this.services.mlAudio.service.name,
        render: this.services.render.service.name,
      },
    });
    new TerraformOutput(this, "repository_urls", { value: this.registry.repositoryUrls });
    new TerraformOutput(this, "cdn_url", { value: this.data.cdn.url });
    new TerraformOutput(this, "videos_bucket", { value: this.data.videos.bucketName });
    new TerraformOutput(this, "database_address", { value: this.data.database.address });
    new TerraformOutput(this, "redis_configuration_endpoint", { value: this.data.cache.configurationEndpoint });
    // RED-3: the key prefixes that replace the seed's Redis DB numbers (also in the services' environment).
    new TerraformOutput(this, "redis_key_prefixes", { value: REDIS_KEY_PREFIXES });
    // RDS-5: apply database/migrations (run once per release, before the services roll).
    new TerraformOutput(this, "db_migrate_command", {
      value: [
        `aws ecs run-task --cluster ${this.cluster.clusterName} --launch-type FARGATE`,
        `--task-definition ${this.data.migrationTask.taskDefinition.family}`,
        `--network-configuration 'awsvpcConfiguration={subnets=[${Fn.join(",", this.network.subnetIds.private)}],securityGroups=[${this.network.securityGroupIds.backend}],assignPublicIp=DISABLED}'`,
      ].join(" "),
    });
    for (const [tier, ids] of Object.entries(this.network.subnetIds)) {
      new TerraformOutput(this, `${tier}_subnet_ids`, { value: ids });
    }
    new TerraformOutput(this, "security_group_ids", { value: this.network.securityGroupIds });
    new TerraformOutput(this, "alarm_topic_arns", { value: this.monitoring.topics.topicArns });
  }
}
