/**
 * The one typed shape every environment file fills in. Data only: the values
 * are checked by `validate.ts` before any construct is created.
 *
 * Values are the seed's production values unless an environment says otherwise
 * (ENV-2).
 */
import type { NatGatewayPolicy } from "../modules/network";

/** Where Terraform keeps the state of the environment's stacks. */
export type BackendKind = "s3" | "cloud";

interface AccountConfig {
  /**
   * The AWS account the environment must be deployed to. When set, every AWS
   * provider of its stacks refuses to run against any other account
   * (`allowed_account_ids`).
   * @default - not pinned
   */
  readonly id?: string;
  /** Primary region (ENV-1), e.g. `ap-northeast-2`. */
  readonly region: string;
  /**
   * The role every AWS provider of the environment's stacks assumes in `id`
   * (one account per environment): `arn:aws:iam::<id>:role/<name>`. The
   * session is named after the stack, so CloudTrail says which stack acted.
   * @default - the caller's credentials act directly (single-account layout)
   */
  readonly roleArn?: string;
  /** The external ID the role's trust policy requires (`sts:ExternalId`). @default - none */
  readonly externalId?: string;
  /**
   * Environments that share this account on purpose. Environments get an
   * account each; two that share one list each other here. Never a
   * production environment.
   * @default - none: the account is this environment's alone
   */
  readonly sharedAccountWith?: readonly string[];
}

/** Per-tier subnet CIDRs, index-aligned with `NetworkConfig.availabilityZones`. */
interface SubnetTiersConfig {
  /** Public subnets: ALB and NAT gateways. */
  readonly public: readonly string[];
  /** Private subnets: the Backend API (Fargate) and interface endpoints. */
  readonly private: readonly string[];
  /** GPU compute subnets: ML Audio and GPU Render hosts. */
  readonly gpu: readonly string[];
}

export interface NetworkConfig {
  /** VPC CIDR (NET-1). Environments never overlap (ENV-3). */
  readonly vpcCidr: string;
  /** Full AZ names in the primary region, e.g. `ap-northeast-2a`. */
  readonly availabilityZones: readonly string[];
  readonly subnets: SubnetTiersConfig;
  /** `one-per-az` (prod, staging) or `single` (dev: cheaper, not AZ-resilient). */
  readonly natGateways: NatGatewayPolicy;
  /** Retention of the VPC flow-log group, in days (NET-6). */
  readonly flowLogRetentionDays: number;
}

/** A scaling range; `min <= desired <= max`. */
export interface CapacityRange {
  readonly min: number;
  readonly max: number;
}

interface ApiServiceConfig {
  /** Fargate CPU units (2048 = 2 vCPU, CMP-2). */
  readonly cpu: number;
  /** Fargate memory in MiB (4096 = 4 GB, CMP-2). */
  readonly memoryMiB: number;
  readonly tasks: CapacityRange;
  /** Target CPU utilization for service auto scaling, percent. */
  readonly targetCpuPercent: number;
  /** Fargate capacity: `FARGATE_SPOT` is cheaper and may be interrupted (dev). */
  readonly capacityProvider: "FARGATE" | "FARGATE_SPOT";
}

/** CPU and memory one task reserves on a GPU host; it must fit the fleet's smallest type. */
interface TaskSizeConfig {
  /** CPU units (1024 per vCPU). */
  readonly cpu: number;
  readonly memoryMiB: number;
}

export interface GpuFleetConfig {
  /** Instance types of the mixed-instances policy; the first is the primary type. */
  readonly instanceTypes: readonly string[];
  readonly instances: CapacityRange;
  /** On-Demand instances kept below the Spot capacity (COST-1). */
  readonly onDemandBaseCapacity: number;
  /** Percent of capacity above the base that is On-Demand (0 = all Spot). */
  readonly onDemandPercentAboveBase: number;
  /** Recurring minimums in Asia/Seoul time (COST-2). @default none */
  readonly scheduledMinimums?: readonly { readonly name: string; readonly recurrence: string; readonly minSize: number }[];
  /** Predictive scaling (COST-3). */
  readonly predictiveScaling: boolean;
  /** The service's task on each host (one task, one GPU per host). */
  readonly task: TaskSizeConfig;
  /**
   * The longest a host waits for its running jobs before the group terminates
   * it (scale-in, refresh): the render fleet's termination hook, 1-1440.
   * @default 60
   */
  readonly drainMinutes?: number;
}

interface ComputeConfig {
  readonly api: ApiServiceConfig;
  /** ML Audio fleet (CMP-3). */
  readonly mlAudio: GpuFleetConfig;
  /** GPU Render fleet (CMP-4); `instances.max` may be raised to 20 (SC-1). */
  readonly render: GpuFleetConfig;
  /** Retention of the services' log groups (MON-3), days. */
  readonly logRetentionDays: number;
}

/** The public entry point: ALB, certificate and WAF (CMP-6, SEC-3). */
interface IngressConfig {
  /** Public name of the API, e.g. `api.ecg-render.com`; the ACM certificate is issued for it. */
  readonly domainName: string;
  /**
   * Public Route 53 hosted zone that holds `domainName`. It must exist before
   * the first deploy (like the account): the stack looks it up by name.
   */
  readonly hostedZoneName: string;
  /** WAF: requests per IP per 5 minutes (SEC-3). */
  readonly rateLimitPer5Minutes: number;
  /** WAF: ISO country codes allowed to reach the API (SEC-3). */
  readonly allowedCountries: readonly string[];
  /** Public name of the CDN in front of the rendered videos (S3-4), e.g. `cdn.ecg-render.com`. */
  readonly cdnDomainName: string;
  /**
   * The public halves (PEM, RSA 2048) of the key pairs CloudFront accepts
   * signed URLs of; the API signs with the first, whose private half is in the
   * secret `<stack>/cdn/signing-key` (docs/operations.md). Two during a key
   * replacement (the new one first), one otherwise.
   */
  readonly cdnSigningPublicKeys: readonly string[];
  /** Days ALB access logs and WAF logs are kept. */
  readonly logRetentionDays: number;
}

interface DatabaseConfig {
  readonly engineVersion: string;
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  /** gp3 IOPS, settable from 400 GiB (RDS-1: 12000). @default - the gp3 baseline (3000) */
  readonly iops?: number;
  /** gp3 throughput, MiB/s, settable from 400 GiB (RDS-1: 500). @default - the gp3 baseline (125) */
  readonly storageThroughputMiBps?: number;
  readonly multiAz: boolean;
  readonly backupRetentionDays: number;
  /** Read replicas in the primary region (RDS-3). */
  readonly sameRegionReplicas: number;
  /** Region of the cross-region read replica and of the backup copies, or none (RDS-3, RDS-4); the failover region. */
  readonly crossRegionReplicaRegion?: string;
  /**
   * The replica's own network in that region, for an environment without a
   * standby there (with one, the replica lives in the standby's private
   * subnets). A VPC of private subnets only, no route out: RDS replicates
   * over its own network. Required then: a landing-zone account often has no
   * default VPC to fall back on.
   * @default - none (only valid with a standby)
   */
  readonly crossRegionReplicaNetwork?: ReplicaNetworkConfig;
  /** Deletion protection, `prevent_destroy` and a final snapshot. */
  readonly deletionProtection: boolean;
}

/** A private-only VPC in another region (DatabaseConfig `crossRegionReplicaNetwork`). */
interface ReplicaNetworkConfig {
  /** Never overlaps another VPC of the program (ENV-3). */
  readonly vpcCidr: string;
  /** Full AZ names of that region, at least two (a DB subnet group needs two). */
  readonly availabilityZones: readonly string[];
  /** One private subnet CIDR per AZ, in AZ order. */
  readonly subnets: readonly string[];
  readonly flowLogRetentionDays: number;
}

interface CacheConfig {
  readonly engineVersion: string;
  readonly nodeType: string;
  /** Node groups (shards) of the cluster-mode replication group (RED-1). */
  readonly shards: number;
  readonly replicasPerShard: number;
  readonly snapshotRetentionDays: number;
}

interface StorageConfig {
  /** Prefix of the videos bucket name; account and environment are appended (S3-1). */
  readonly videosBucketPrefix: string;
  /** Region of the replica bucket (S3-6). */
  readonly replicationRegion: string;
}

/**
 * The standby in the failover region (DR-1, DR-3, SC-2): the same modules as
 * the primary, in its own stack (`ecg-<env>-standby`) and its own state.
 */
export interface StandbyConfig {
  /**
   * Its VPC in the failover region: a CIDR of its own (never overlapping any
   * other VPC, ENV-3, so the regions could ever be peered) and AZs of that region.
   */
  readonly network: NetworkConfig;
  /**
   * `false`, pilot light: network, ALB with certificate and WAF, the ECS
   * cluster with both GPU fleets at zero hosts, the database's read replica
   * and the copied backups; nothing serves. `true`, failed over (after the
   * replica is promoted, see the failover runbook in docs/operations.md): Redis, the three services
   * on the promoted database, the fleets at the environment's minimums.
   */
  readonly active: boolean;
  /**
   * Where the standby and global stacks keep their state: a bucket outside the
   * primary region, so an outage there does not lock the failover's own state.
   */
  readonly backend: BackendConfig;
}

interface DisasterRecoveryConfig {
  /** Secondary region for failover (DR-3). */
  readonly failoverRegion: string;
  /**
   * A standby in `failoverRegion`, with DNS failover and Global Accelerator in
   * front of both regions. It requires the cross-region replica
   * (`database.crossRegionReplicaRegion` = `failoverRegion`) and
   * `replicateImages`: the standby owns the replica, and pulls the images there.
   * @default - no standby: the environment lives in its primary region only
   */
  readonly standby?: StandbyConfig;
  /**
   * Copy the environment's container images to the failover region (ECR
   * replication), so a standby there pulls them while this region is down.
   * ECR holds one replication configuration per account and region: at most
   * one environment per account and region may set it.
   */
  readonly replicateImages: boolean;
}

/** A build action run against the environment after each deployment (CI-4). */
interface ValidationStep {
  /** Lower-case letters, digits and dashes, e.g. `load-test`. */
  readonly name: string;
  /** Shell commands, run in the application repository's checkout. */
  readonly commands: readonly string[];
}

/** How a release of the Backend API reaches the environment (CI-3..5). */
interface DeliveryConfig {
  /**
   * Percent of production traffic on the new version at each step, ending at
   * 100: `[100]` all at once, `[10, 50, 100]` the seed's canary (CI-5).
   */
  readonly trafficShift: readonly number[];
  /** Minutes each step below 100% runs while the alarms watch it. */
  readonly bakeMinutes: number;
  /** A person approves the release before it deploys here (CI-4, CI-5). */
  readonly approval: boolean;
  /** Build actions after the deployment (staging: load test, performance validation). */
  readonly validations: readonly ValidationStep[];
}

/** Who hears the alarms (MON-2). */
interface MonitoringConfig {
  /** E-mail subscribers per severity; each confirms by mail once. @default none */
  readonly alarmEmails: { readonly critical: readonly string[]; readonly warning: readonly string[] };
  /**
   * The environment's monthly cost budget, USD: an AWS Budgets budget alerts
   * the warning topic at 80 % and 100 % of it (and when the month is forecast
   * above it), and `npm run cost` flags an estimate above it (docs/cost.md).
   */
  readonly monthlyBudgetUsd: number;
}

/** The shared delivery pipeline (CI-1..5). */
export interface DeliverySettings {
  /**
   * Region of the pipeline and of its CodeBuild steps. An environment of
   * another region is deployed by a cross-region action, from an artifact
   * store the delivery stack creates in that region.
   */
  readonly region: string;
  /** GitHub repository and branch of the application (CI-1). */
  readonly source: { readonly owner: string; readonly name: string; readonly branch: string };
  /** Docker build context, in that repository, of each service image: the pipeline builds, gates and promotes all three. */
  readonly imageContexts: { readonly api: string; readonly mlAudio: string; readonly render: string };
  readonly backend: BackendConfig;
  /**
   * The account the pipeline runs in (the tooling account), when the
   * environments live in accounts of their own: it releases into each through
   * a release role that the environment's stack creates and that trusts only
   * the pipeline's roles, and promotes the images into the environment's
   * registry, whose repository policy admits only that stage's promotion role.
   * @default - the caller's account, the environments' own (single-account layout)
   */
  readonly account?: DeliveryAccountConfig;
}

/** Where the delivery pipeline runs, and how its stack's providers get there. */
export interface DeliveryAccountConfig {
  /** 12 digits: the delivery stack's providers refuse any other account. */
  readonly id: string;
  /** The role the delivery stack's providers assume in `id`. @default - the caller's credentials act */
  readonly roleArn?: string;
  /** The external ID that role's trust requires. @default - none */
  readonly externalId?: string;
}

/**
 * Who reaches the environments' accounts from outside (ACC-3): the access
 * stacks create the identities GitHub Actions and Terraform Cloud runs assume,
 * trusting exactly these.
 */
export interface AccessConfig {
  /** This program's GitHub repository: its workflows plan (pull requests) and deploy (environments). */
  readonly github: {
    readonly owner: string;
    readonly repository: string;
    /** The branch scheduled workflows run on (the drift check plans from it): the repository's default branch. @default "main" */
    readonly defaultBranch?: string;
  };
  /**
   * Terraform Cloud dynamic provider credentials: a plan and an apply role per
   * workspace (organization and project: each environment's `backend.cloud`).
   * @default false
   */
  readonly terraformCloud?: boolean;
  /**
   * IAM role ARNs of the administrators: they apply the access stacks and may
   * assume the program's role (break-glass). At least one.
   */
  readonly administrators: readonly string[];
  /**
   * The role an access stack's providers assume in its environment's account,
   * which must exist before it (the access stack creates the program's role):
   * the administrators' sessions reach the account through it, while its
   * state goes through the environment's state role, which trusts them.
   * @default "OrganizationAccountAccessRole" (what AWS Organizations creates in a new member account)
   */
  readonly bootstrapRoleName?: string;
}

/**
 * The account the state buckets live in, apart from the environments' (ACC-2).
 * With it, the bootstrap stack creates each environment's state roles, and the
 * environments' S3 backends assume them.
 */
export interface StateAccountConfig {
  /** 12 digits: the bootstrap stack's provider refuses any other account. */
  readonly id: string;
}

/** S3 state backend settings (PLT-4). */
export interface S3StateConfig {
  /** Bucket created by the bootstrap stack. */
  readonly bucket: string;
  /** Region of the state bucket. */
  readonly region: string;
  /**
   * The role the stacks' S3 backend assumes to reach the bucket, when the state
   * lives in an account of its own (`assume_role` of the S3 backend, Terraform
   * >= 1.6); the session is named after the stack.
   * @default - the caller's credentials reach the bucket directly
   */
  readonly roleArn?: string;
  /** The external ID that role's trust requires. @default - none */
  readonly externalId?: string;
}

/** Terraform Cloud / Enterprise settings (PLT-5). */
interface CloudStateConfig {
  readonly organization: string;
  /** @default "app.terraform.io" */
  readonly hostname?: string;
  /** Terraform Cloud project that holds the workspaces. @default - the organization's default project */
  readonly project?: string;
}

export interface BackendConfig {
  /**
   * Which backend the environment's stacks use. The `ECG_TF_BACKEND`
   * environment variable overrides it for a run (`s3` or `cloud`).
   */
  readonly kind: BackendKind;
  readonly s3: S3StateConfig;
  readonly cloud: CloudStateConfig;
}

export interface EnvironmentConfig {
  /** Short name: lower-case letters and digits; stack name is `ecg-<name>`. */
  readonly name: string;
  readonly account: AccountConfig;
  /**
   * A production environment: the policy pack's production rules apply
   * (deletion protection, Multi-AZ, `prevent_destroy` on stateful resources).
   */
  readonly production: boolean;
  /**
   * Tags on every taggable resource (ENV-4), through the provider's
   * `default_tags`. `Project`, `Environment` and `ManagedBy` are required.
   */
  readonly tags: Readonly<Record<string, string>>;
  readonly network: NetworkConfig;
  readonly compute: ComputeConfig;
  readonly ingress: IngressConfig;
  readonly database: DatabaseConfig;
  readonly cache: CacheConfig;
  readonly storage: StorageConfig;
  readonly disasterRecovery: DisasterRecoveryConfig;
  readonly delivery: DeliveryConfig;
  readonly monitoring: MonitoringConfig;
  readonly backend: BackendConfig;
}
