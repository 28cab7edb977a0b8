import { DataAwsKmsAlias } from "@cdktf/provider-aws/lib/data-aws-kms-alias";
import { DataAwsSecretsmanagerSecret } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { BackendKind, EnvironmentConfig, StandbyConfig } from "../environments/types";
import { appSecretName } from "../modules/app-secrets";
import { AwsAccountLookup } from "../modules/common/aws-account";
import { repositoryRef } from "../modules/container-registry";
import { DEFAULT_DATABASE_NAME, MonitoringRole, PostgresReplica } from "../modules/postgres";
import type { RedisCluster } from "../modules/redis-cluster";
import { configureBackend } from "./support/backend";
import { IsolatedStack } from "./isolated-stack";
import { environmentProviderSettings, regionalProvider } from "./support/providers";
import { dataEndpoints, environmentCache } from "./composites/data-layer";
import { ApiEntryPoint } from "./composites/entry-point";
import { Foundation } from "./composites/foundation";
import { GpuCompute } from "./composites/gpu-compute";
import { EcgServices } from "./composites/services";
import { environmentReleaseDigests } from "./composites/release";
import type { ReleaseDigests } from "../modules/container-registry/release-digests";
import {
  API_SECRETS,
  platformStackName,
  replicaDataKeyAlias,
  SERVICE_IMAGES,
  SERVICE_PORTS,
  videosBucketName,
  videosKeyAlias,
} from "./support/contracts";

export interface StandbyStackProps {
  /** An environment with `disasterRecovery.standby`. */
  readonly config: EnvironmentConfig;
  /** Backend of this run: the standby's `backend.kind` unless overridden. */
  readonly backend: BackendKind;
}

/**
 * The environment's standby in its failover region (DR-1, DR-3, SC-2), in its
 * own state outside the primary region. It reads nothing from the primary
 * region (literal ARNs, look-ups by name in its own region), so it plans and
 * applies while that region is down. `active: false` is the pilot light,
 * `active: true` the failed-over platform: docs/architecture.md ("The standby
 * in Tokyo") and the failover runbook in docs/operations.md.
 */
export class StandbyStack extends IsolatedStack {
  readonly foundation: Foundation;
  readonly gpu: GpuCompute;
  readonly entryPoint: ApiEntryPoint;
  readonly database: PostgresReplica;
  /** With `active: true` only. */
  readonly cache?: RedisCluster;
  /** With `active: true` only. */
  readonly services?: EcgServices;
  /** The digests the last release promoted, in this region (pilot light too, so a takeover starts from them). */
  readonly releaseDigests: ReleaseDigests;

  constructor(scope: Construct, id: string, props: StandbyStackProps) {
    super(scope, id);
    const { config } = props;
    const standby: StandbyConfig | undefined = config.disasterRecovery.standby;
    if (!standby) throw new Error(`StandbyStack "${id}": environment "${config.name}" has no disasterRecovery.standby`);
    const region = config.disasterRecovery.failoverRegion;
    const primary = platformStackName(config);
    const providerSettings = environmentProviderSettings(this, config, { Role: "standby" });
    new AwsProvider(this, "aws", { ...providerSettings, region });
    configureBackend(this, id, props.backend, standby.backend);
    const account = new AwsAccountLookup(this, "account");

    this.foundation = new Foundation(this, "foundation", {
      stackName: id,
      account,
      network: standby.network,
      production: config.production,
      // Failed over, the services use the videos' replica in the replication region (S3-6), beyond this VPC's S3 endpoint.
      httpsThroughNat: standby.active,
    });
    const { logsKey, network, cluster } = this.foundation;
    this.gpu = new GpuCompute(this, "gpu", { name: id, config, network, cluster, idle: !standby.active });
    this.entryPoint = new ApiEntryPoint(this, "entry", {
      stackName: id,
      config,
      account,
      region,
      network,
      ports: SERVICE_PORTS,
      logsKmsKeyArn: logsKey.keyArn,
      failoverRole: "SECONDARY",
    });

    // The primary stack's key in this region (it encrypts the secrets' replicas there before this stack exists).
    const dataKey = new DataAwsKmsAlias(this, "data-key", { name: `alias/${replicaDataKeyAlias(primary)}` });
    const { database: db } = config;
    this.database = new PostgresReplica(this, "database", {
      identifier: `${primary}-replica-remote`,
      // Built, not looked up: nothing here reads the primary region.
      sourceDbArn: `arn:${account.partition}:rds:${config.account.region}:${account.accountId}:db:${primary}`,
      promoted: standby.active,
      engineVersion: db.engineVersion,
      instanceClass: db.instanceClass,
      kmsKeyArn: dataKey.targetKeyArn,
      logsKmsKeyArn: dataKey.targetKeyArn,
      subnetIds: network.subnetIds.private,
      securityGroupIds: [network.securityGroupIds.rds],
      monitoringRoleArn: new MonitoringRole(this, "database-monitoring", {
        name: `${id}-rds-monitoring`,
        account,
        instances: `${primary}-replica-remote`,
      }).arn,
      deletionProtection: db.deletionProtection,
      backupRetentionDays: db.backupRetentionDays,
      multiAz: db.multiAz,
    });

    // The release writes the digests it promotes here too: taking over runs them, with the primary's region down.
    this.releaseDigests = environmentReleaseDigests(this, config);

    if (standby.active) {
      this.cache = environmentCache(this, "redis", {
        stackName: id,
        config,
        network,
        kmsKeyArn: dataKey.targetKeyArn,
        logsKmsKeyArn: logsKey.keyArn,
      });
      // The API's secrets: this region's replicas of the primary's (RotatedSecrets.replicas), found by name.
      const apiSecretArns = Object.fromEntries(
        Object.values(API_SECRETS).map((key) => [
          key,
          new DataAwsSecretsmanagerSecret(this, `secret-${key}`, { name: appSecretName(primary, key) }).arn,
        ]),
      );
      this.services = new EcgServices(this, "services", {
        stackName: id,
        config,
        account,
        network,
        ports: SERVICE_PORTS,
        cluster,
        // ECR's replicas of the primary's repositories (ContainerRegistry.replication), same names.
        repositories: Object.fromEntries(
          Object.values(SERVICE_IMAGES).map((image) => [image, repositoryRef(account, `${primary}/${image}`, region)]),
        ),
        mlAudioFleet: this.gpu.mlAudioFleet,
        renderFleet: this.gpu.renderFleet,
        data: dataEndpoints({
          account,
          database: {
            address: this.database.address,
            port: this.database.port,
            resourceId: this.database.resourceId,
            databaseName: DEFAULT_DATABASE_NAME,
          },
          cache: this.cache,
          // S3-6: the videos' replica (the primary's bucket is in the region that is down), and its key there.
          videosBucketName: `${videosBucketName(config, account.accountId)}-replica`,
          videosKmsKeyArn: new DataAwsKmsAlias(this, "videos-replica-key", {
            name: `alias/${videosKeyAlias(primary, "replica")}`,
            provider: regionalProvider(this, config.storage.replicationRegion, providerSettings),
          }).targetKeyArn,
          apiSecretArns,
          secretsKmsKeyArn: dataKey.targetKeyArn,
        }),
        logsKmsKeyArn: logsKey.keyArn,
        apiTarget: { targetGroupArn: this.entryPoint.ingress.targetGroup.arn, listener: this.entryPoint.ingress.listener },
        // No pipeline releases here: ECS rolls the service (with its circuit breaker).
        releaseDigests: this.releaseDigests,
        apiDeploymentController: "ECS",
      });
    }

    new TerraformOutput(this, "vpc_id", { value: network.vpcId });
    new TerraformOutput(this, "ecs_cluster_name", { value: cluster.clusterName });
    new TerraformOutput(this, "alb_dns_name", { value: this.entryPoint.ingress.loadBalancer.dnsName });
    new TerraformOutput(this, "regional_api_url", { value: this.entryPoint.ingress.regionalUrl });
    const failover = this.entryPoint.failover;
    if (!failover) throw new Error(`StandbyStack "${id}": its entry point has no SECONDARY failover record`);
    new TerraformOutput(this, "health_check_id", { value: failover.healthCheckId });
    new TerraformOutput(this, "database_address", { value: this.database.address });
    new TerraformOutput(this, "mode", { value: standby.active ? "active (failed over)" : "pilot light" });
  }
}
