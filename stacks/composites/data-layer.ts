import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LAMBDA_CODE, MIGRATIONS_DIR, RDS_CA_DIR } from "../support/paths";
import type { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import type { EnvironmentConfig } from "../../environments/types";
import { RotatedSecrets } from "../../modules/app-secrets";
import { Cdn } from "../../modules/cdn";
import type { AwsAccount } from "../../modules/common/aws-account";
import { ComponentTags } from "../../modules/common/component-tags";
import { repositoryRef } from "../../modules/container-registry";
import { FargateTask } from "../../modules/ecs-service";
import { EncryptionKey } from "../../modules/kms";
import { IsolatedNetwork, type Network } from "../../modules/network";
import { suppress } from "../../modules/policy";
import { type CrossRegionReplica, PostgresDatabase } from "../../modules/postgres";
import { REDIS_KEY_PREFIXES, RedisCluster } from "../../modules/redis-cluster";
import { ReplicatedBucket } from "../../modules/replicated-bucket";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import type { SecureBucket } from "../../modules/secure-bucket";
import type { RoleProviders } from "../support/providers";
import {
  API_DATABASE_USER,
  API_SECRETS,
  cdnSigningKeySecretName,
  type DataEndpoints,
  replicaDataKeyAlias,
  videosBucketName,
  videosKeyAlias,
} from "../support/contracts";

/**
 * S3-1, S3-2, S3-5 (seed conflict 3): uploads go to Glacier Instant Retrieval at
 * 30 days and Deep Archive at 90; rendered videos stay instantly retrievable
 * (CloudFront serves them) and move to Glacier Instant Retrieval at 90 days;
 * analysis results tier by access (Intelligent-Tiering with archive tiers);
 * temp/ is scratch, deleted after a day and never replicated.
 */
const VIDEO_PREFIXES = {
  "uploads/": {
    transitions: [
      { days: 30, storageClass: "GLACIER_IR" },
      { days: 90, storageClass: "DEEP_ARCHIVE" },
    ],
  },
  "analyzed/": { intelligentTiering: true },
  "rendered/": { transitions: [{ days: 90, storageClass: "GLACIER_IR" }] },
  "temp/": { expireAfterDays: 1, replicate: false },
} as const;

/** The migration runner's image, pulled through ECR's cache of ECR Public (no internet egress). */
/**
 * PostgreSQL's client (psql), from ECR Public's copy of the Docker Official
 * Image, by the digest of `tag` (the index; a tag moves, a digest does not).
 * Upgrade both together: `crane digest public.ecr.aws/docker/library/postgres:<tag>`.
 */
const MIGRATION_IMAGE = {
  repository: "docker/library/postgres",
  tag: "15.19-alpine",
  digest: "sha256:f7d23353e1b15400d22ebe31189f4d314b87a4c129cc400c8c2d8d4ca127bf81",
} as const;

export interface DataLayerProps {
  readonly stackName: string;
  readonly config: EnvironmentConfig;
  readonly account: AwsAccount;
  readonly network: Network;
  /** The other regions' providers: failover (database replica, backup copies), replication (videos replica), global (CloudFront). */
  readonly providers: RoleProviders<TerraformProvider>;
  readonly hostedZoneId: string;
  /** The environment's log bucket: the videos bucket's access logs go there. */
  readonly logsBucket: SecureBucket;
  readonly logsKmsKeyArn: string;
  /** Prefix of the pull-through cache of ECR Public. */
  readonly pullThroughPrefix: string;
}

/**
 * The environment's data (RDS-1..5, RED-1..3, S3-1..6, SEC-2): PostgreSQL with
 * its replicas, clustered Redis, the replicated videos bucket behind
 * CloudFront, the application secrets with their rotation, and the one-off
 * migration task; `endpoints` is what the services get.
 */
export class DataLayer extends Construct {
  readonly dataKey: EncryptionKey;
  readonly database: PostgresDatabase;
  readonly cache: RedisCluster;
  readonly videos: ReplicatedBucket;
  /** The CDN signing key pair's private half (set by hand; the API reads it). */
  readonly cdnSigningKey: SecretsmanagerSecret;
  /** The videos bucket's key: the services use it through S3. */
  readonly videosKeyArn: string;
  readonly cdn: Cdn;
  readonly secrets: RotatedSecrets;
  readonly migrationTask: FargateTask;
  readonly endpoints: DataEndpoints;

  constructor(scope: Construct, id: string, props: DataLayerProps) {
    super(scope, id);
    const { stackName, config, account, network } = props;
    const { database: db } = config;
    const { providers } = props;

    // Production can restore a deleted secret for a week; elsewhere a teardown frees the names at once.
    const secretRecovery = secretRecoveryDays(config);

    this.dataKey = new EncryptionKey(this, "data-key", {
      alias: `${stackName}/data`,
      description: `${stackName}: encrypts the database, Redis and the application secrets`,
      account,
      preventDestroy: config.production,
    });
    ComponentTags.apply(this.dataKey, "encryption");

    const replicaRegion = db.crossRegionReplicaRegion;
    // With a standby, the replica lives in the standby's network and stack (stacks/standby-stack.ts);
    // this key stays here: the secrets' replicas need it before the standby exists.
    const standby = config.disasterRecovery.standby;
    const replicaKey = replicaRegion
      ? new EncryptionKey(this, "replica-data-key", {
          alias: replicaDataKeyAlias(stackName),
          description: `${stackName}: encrypts the database replica and backup copies in ${replicaRegion}`,
          account: { ...account, region: replicaRegion },
          // Also encrypts the replica's exported logs there.
          allowCloudWatchLogs: true,
          provider: providers.failover,
          preventDestroy: config.production,
        })
      : undefined;
    if (replicaKey) ComponentTags.apply(replicaKey, "encryption");

    this.database = new PostgresDatabase(this, "postgres", {
      name: stackName,
      account,
      engineVersion: db.engineVersion,
      instanceClass: db.instanceClass,
      allocatedStorageGiB: db.allocatedStorageGiB,
      iops: db.iops,
      storageThroughputMiBps: db.storageThroughputMiBps,
      multiAz: db.multiAz,
      backupRetentionDays: db.backupRetentionDays,
      subnetIds: network.subnetIds.private,
      securityGroupIds: [network.securityGroupIds.rds],
      kmsKeyArn: this.dataKey.keyArn,
      logsKmsKeyArn: props.logsKmsKeyArn,
      deletionProtection: db.deletionProtection,
      sameRegionReplicas: db.sameRegionReplicas,
      rotationCodePath: LAMBDA_CODE.secretRotation,
      secretRecoveryWindowDays: secretRecovery,
      // DR-1: a promoted replica in the standby's region is administered with these credentials.
      secretReplicas: standby && replicaRegion && replicaKey ? [{ region: replicaRegion, kmsKeyArn: replicaKey.keyArn }] : undefined,
      crossRegionReplica:
        replicaRegion && replicaKey && !standby
          ? replicaPlacement(this, { stackName, config, account, provider: providers.failover, key: replicaKey })
          : undefined,
    });

    this.cache = environmentCache(this, "redis", {
      stackName,
      config,
      network,
      kmsKeyArn: this.dataKey.keyArn,
      logsKmsKeyArn: props.logsKmsKeyArn,
    });

    this.secrets = new RotatedSecrets(this, "secrets", {
      name: stackName,
      account,
      secrets: {
        [API_SECRETS.JWT_SIGNING_KEY]: "Signs and verifies the API's JSON Web Tokens",
        [API_SECRETS.SERVICE_API_KEY]: "API key of the calls between the ECG services",
      },
      kmsKeyArn: this.dataKey.keyArn,
      rotationCodePath: LAMBDA_CODE.secretRotation,
      logsKmsKeyArn: props.logsKmsKeyArn,
      recoveryWindowDays: secretRecovery,
      // DR-1: a standby reads current values in its region while this one is down.
      replicas: standby && replicaRegion && replicaKey ? [{ region: replicaRegion, kmsKeyArn: replicaKey.keyArn }] : undefined,
    });

    // Health data (the ECG videos and their analysis): SSE-KMS under keys of their own on both sides of the
    // replication; CloudFront decrypts what it serves (its origin access), the services through S3.
    const videoKeys = videosKeys(this, stackName, account, config, providers.replication);
    this.videosKeyArn = videoKeys.primary.keyArn;
    const bucketName = videosBucketName(config, account.accountId);
    this.videos = new ReplicatedBucket(this, "videos", {
      bucketName,
      replicaBucketName: `${bucketName}-replica`,
      replicaProvider: providers.replication,
      account,
      prefixes: VIDEO_PREFIXES,
      kmsKeyArn: videoKeys.primary.keyArn,
      replicaKmsKeyArn: videoKeys.replica.keyArn,
      // A guard against mass deletion of the originals: every upload is kept 30 days, whoever deletes it.
      objectLock: { prefix: "uploads/", minimumRetentionDays: UPLOAD_RETENTION_DAYS },
      accessLogs: { target: props.logsBucket },
      preventDestroy: config.production,
    });
    suppress(
      this.videos.replica.bucket,
      "CKV_AWS_18",
      "The replica is written by S3 replication only and read in a regional failover; the primary's access is logged.",
    );

    this.cdn = new Cdn(this, "cdn", {
      name: stackName,
      account,
      origin: this.videos.primary,
      originPrefix: "rendered/",
      domainName: config.ingress.cdnDomainName,
      hostedZoneId: props.hostedZoneId,
      globalProvider: providers.global,
      allowedCountries: config.ingress.allowedCountries,
      rateLimitPer5Minutes: config.ingress.rateLimitPer5Minutes,
      logRetentionDays: config.ingress.logRetentionDays,
      preventDestroy: config.production,
      signingPublicKeys: config.ingress.cdnSigningPublicKeys,
    });
    // The signing key pair's private half: put there by hand (docs/operations.md), read by the API; never in the state.
    this.cdnSigningKey = new SecretsmanagerSecret(this, "cdn-signing-key", {
      name: cdnSigningKeySecretName(stackName),
      description: `${stackName}: the private key (PEM) the API signs the CDN's URLs with; CloudFront key pair ${config.ingress.cdnDomainName}`,
      kmsKeyId: this.dataKey.keyArn,
      recoveryWindowInDays: secretRecovery,
    });
    ComponentTags.apply(this.cdnSigningKey, "secrets");
    suppress(
      this.cdnSigningKey,
      "CKV2_AWS_57",
      "A CloudFront key pair is replaced by adding the new public key to the key group (config), then the private key here: no rotation function can do the first half.",
    );

    // RDS-5: `aws ecs run-task` of this definition applies database/migrations in order.
    const migrations = readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith(".sql"))
      .sort()
      .map((f) => readFileSync(join(MIGRATIONS_DIR, f), "utf8"))
      .join("\n");
    const migrationImage = repositoryRef(account, `${props.pullThroughPrefix}/${MIGRATION_IMAGE.repository}`);
    this.migrationTask = new FargateTask(this, "migrate", {
      name: `${stackName}-db-migrate`,
      account,
      cpu: 256,
      memoryMiB: 512,
      containers: [
        {
          name: "migrate",
          image: `${migrationImage.url}@${MIGRATION_IMAGE.digest}`,
          // The RDS CA bundle of the region first (the image has none), then the migrations.
          command: [
            "sh",
            "-c",
            'printf %s "$RDS_CA_BUNDLE_B64" | base64 -d > "$PGSSLROOTCERT" && printf %s "$MIGRATIONS_B64" | base64 -d | psql -v ON_ERROR_STOP=1 -X -q',
          ],
          environment: {
            PGHOST: this.database.address,
            PGPORT: String(this.database.port),
            PGDATABASE: this.database.databaseName,
            PGUSER: this.database.masterUsername,
            // TLS with the server's certificate and name checked against the region's RDS CA bundle.
            PGSSLMODE: "verify-full",
            PGSSLROOTCERT: "/tmp/rds-ca.pem",
            RDS_CA_BUNDLE_B64: Buffer.from(rdsCaBundle(config.account.region)).toString("base64"),
            MIGRATIONS_B64: Buffer.from(migrations).toString("base64"),
          },
          secrets: { PGPASSWORD: { secretArn: this.database.masterSecretArn, jsonKey: "password" } },
          logGroupName: `/ecs/${stackName}/db-migrate`,
        },
      ],
      pullFrom: [migrationImage.arn],
      pullThroughFrom: [migrationImage.arn],
      logsKmsKeyArn: props.logsKmsKeyArn,
      logRetentionDays: config.compute.logRetentionDays,
      secretsKmsKeyArns: [this.dataKey.keyArn],
    });

    this.endpoints = dataEndpoints({
      account,
      database: this.database,
      cache: this.cache,
      videosBucketName: bucketName,
      videosKmsKeyArn: this.videosKeyArn,
      cdnSigning: { keyPairId: this.cdn.keyPairId, privateKeySecretArn: this.cdnSigningKey.arn },
      apiSecretArns: this.secrets.secretArns,
      secretsKmsKeyArn: this.dataKey.keyArn,
    });
  }
}

/** Days an upload (the original ECG video) survives a deletion: its GOVERNANCE retention (the API sets it on upload). */
export const UPLOAD_RETENTION_DAYS = 30;

/** The videos buckets' keys: the primary's, which CloudFront may use for what it serves, and the replica's in its region. */
function videosKeys(
  scope: Construct,
  stackName: string,
  account: AwsAccount,
  config: EnvironmentConfig,
  replicaProvider: TerraformProvider,
) {
  const { partition, accountId } = account;
  const primary = new EncryptionKey(scope, "videos-key", {
    alias: videosKeyAlias(stackName),
    description: `${stackName}: encrypts the videos bucket (uploads, analysis, rendered videos)`,
    account,
    preventDestroy: config.production,
    grants: [
      {
        // CloudFront Developer Guide, "Restrict access to an Amazon S3 origin": SSE-KMS objects need the key policy's grant.
        sid: "CloudFrontDecryptsForThisAccountsDistributions",
        principals: [{ type: "Service", identifiers: ["cloudfront.amazonaws.com"] }],
        actions: ["kms:Decrypt"],
        resources: ["*"],
        condition: [{ test: "ArnLike", variable: "aws:SourceArn", values: [`arn:${partition}:cloudfront::${accountId}:distribution/*`] }],
      },
    ],
  });
  const replica = new EncryptionKey(scope, "videos-replica-key", {
    alias: videosKeyAlias(stackName, "replica"),
    description: `${stackName}: encrypts the videos bucket's replica (S3-6) in ${config.storage.replicationRegion}`,
    account: { ...account, region: config.storage.replicationRegion },
    preventDestroy: config.production,
    provider: replicaProvider,
  });
  for (const key of [primary, replica]) ComponentTags.apply(key, "encryption");
  return { primary, replica };
}

/** A region's RDS CA bundle (database/rds-ca): what `verify-full` checks the server's certificate against. */
function rdsCaBundle(region: string): string {
  const file = join(RDS_CA_DIR, `${region}-bundle.pem`);
  if (!existsSync(file))
    throw new Error(
      `database/rds-ca/${region}-bundle.pem is missing: add https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem (database/rds-ca/README.md)`,
    );
  return readFileSync(file, "utf8");
}

/** The cross-region replica without a standby: in a private-only VPC of its own there. */
function replicaPlacement(
  scope: Construct,
  placement: {
    readonly stackName: string;
    readonly config: EnvironmentConfig;
    readonly account: AwsAccount;
    readonly provider: TerraformProvider;
    readonly key: EncryptionKey;
  },
): CrossRegionReplica {
  const { stackName, config, account, provider, key } = placement;
  const network = config.database.crossRegionReplicaNetwork;
  const region = config.database.crossRegionReplicaRegion;
  if (!network || !region)
    throw new Error(`DataLayer: environment "${config.name}" has a cross-region replica without database.crossRegionReplicaNetwork`);
  const isolated = new IsolatedNetwork(scope, "replica-network", {
    name: `${stackName}-replica`,
    account: { ...account, region },
    vpcCidr: network.vpcCidr,
    availabilityZones: network.availabilityZones,
    subnets: network.subnets,
    flowLogRetentionDays: network.flowLogRetentionDays,
    logsKmsKeyArn: key.keyArn,
    provider,
  });
  return { provider, kmsKeyArn: key.keyArn, subnetIds: isolated.subnetIds, securityGroupIds: [isolated.securityGroupId] };
}

const secretRecoveryDays = (config: EnvironmentConfig) => (config.production ? 7 : 0);

/** Clustered Redis of one region of the environment (RED-1..3), its AUTH token in Secrets Manager. */
export function environmentCache(
  scope: Construct,
  id: string,
  props: {
    readonly stackName: string;
    readonly config: EnvironmentConfig;
    readonly network: Network;
    readonly kmsKeyArn: string;
    readonly logsKmsKeyArn: string;
  },
): RedisCluster {
  const { cache, production } = props.config;
  return new RedisCluster(scope, id, {
    name: props.stackName,
    engineVersion: cache.engineVersion,
    nodeType: cache.nodeType,
    shards: cache.shards,
    replicasPerShard: cache.replicasPerShard,
    subnetIds: props.network.subnetIds.private,
    securityGroupIds: [props.network.securityGroupIds.redis],
    kmsKeyArn: props.kmsKeyArn,
    snapshotRetentionDays: cache.snapshotRetentionDays,
    logsKmsKeyArn: props.logsKmsKeyArn,
    preventDestroy: production,
  });
}

/** What the services get from one region's data (CMP-2, SEC-1, RED-3): no value is a password. */
export function dataEndpoints(props: {
  readonly account: AwsAccount;
  /** The database the API writes: the primary, or a promoted replica. */
  readonly database: { readonly address: string; readonly port: number; readonly resourceId: string; readonly databaseName: string };
  readonly cache: RedisCluster;
  readonly videosBucketName: string;
  readonly videosKmsKeyArn: string;
  /** @default - no CDN (a standby) */
  readonly cdnSigning?: DataEndpoints["cdnSigning"];
  /** The API's secrets by short name (API_SECRETS values). */
  readonly apiSecretArns: Readonly<Record<string, string>>;
  readonly secretsKmsKeyArn: string;
}): DataEndpoints {
  const { account, database } = props;
  return {
    databaseUrl: `postgresql://${API_DATABASE_USER}@${database.address}:${database.port}/${database.databaseName}?sslmode=verify-full`,
    databaseConnectArn: `arn:${account.partition}:rds-db:${account.region}:${account.accountId}:dbuser:${database.resourceId}/${API_DATABASE_USER}`,
    redisUrl: props.cache.url,
    redisUser: props.cache.clientUser.userName,
    redisConnectArns: props.cache.connectArns,
    redisKeyPrefixes: REDIS_KEY_PREFIXES,
    videosBucketName: props.videosBucketName,
    videosKmsKeyArn: props.videosKmsKeyArn,
    cdnSigning: props.cdnSigning,
    apiSecrets: Object.fromEntries(Object.entries(API_SECRETS).map(([variable, key]) => [variable, props.apiSecretArns[key]])),
    secretsKmsKeyArn: props.secretsKmsKeyArn,
  };
}
