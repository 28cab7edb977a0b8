import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { environments, program } from "../../environments";
import { dev } from "../../environments/dev";
import { prod } from "../../environments/prod";
import { staging } from "../../environments/staging";
import type { EnvironmentConfig } from "../../environments/types";
import { buildApp } from "../../stacks/app";
import { validateEnvironments } from "../../environments/validate";
import { problemsOf } from "./problems";

type Mutable<T> = { -readonly [K in keyof T]: NonNullable<T[K]> extends object ? Mutable<NonNullable<T[K]>> : T[K] };

/** A deep copy of prod to break one field of. */
const prodCopy = (): Mutable<EnvironmentConfig> => structuredClone(prod) as Mutable<EnvironmentConfig>;
/** A deep copy of staging (a cross-region replica without a standby). */
const stagingCopy = (): Mutable<EnvironmentConfig> => structuredClone(staging) as Mutable<EnvironmentConfig>;

describe("environment validation", () => {
  it("[PLT-2] accepts the three shipped environments", () => {
    expect(environments.map((e) => e.name)).toEqual(["dev", "staging", "prod"]);
    expect(problemsOf(environments)).toEqual([]);
  });

  it.each<[string, (env: Mutable<EnvironmentConfig>) => void, string]>([
    [
      "a malformed VPC CIDR",
      (e) => (e.network.vpcCidr = "10.0.0.0/33"),
      'prod: network.vpcCidr: "10.0.0.0/33" has a prefix length above 32',
    ],
    [
      "a CIDR with host bits",
      (e) => (e.network.subnets.private[0] = "10.0.2.7/24"),
      'prod: network.subnets.private[0]: "10.0.2.7/24" has host bits set',
    ],
    [
      "a subnet outside the VPC",
      (e) => (e.network.subnets.gpu[1] = "10.5.30.0/24"),
      "prod: network.subnets.gpu[1]: 10.5.30.0/24 is outside the VPC CIDR 10.0.0.0/16",
    ],
    [
      "overlapping subnets",
      (e) => (e.network.subnets.gpu[0] = "10.0.2.0/24"),
      "prod: network.subnets.gpu[0]: 10.0.2.0/24 overlaps network.subnets.private[0]",
    ],
    [
      "an AZ of another region",
      (e) => (e.network.availabilityZones[1] = "ap-northeast-1c"),
      'prod: network.availabilityZones[1]: "ap-northeast-1c" is not an AZ of region ap-northeast-2',
    ],
    [
      "an AZ the region does not have",
      (e) => (e.network.availabilityZones[0] = "ap-northeast-2e"),
      'prod: network.availabilityZones[0]: "ap-northeast-2e" is not an AZ of region ap-northeast-2',
    ],
    ["an unknown region", (e) => (e.account.region = "ap-northeast2"), 'prod: account.region: "ap-northeast2" is not a known region'],
    [
      "a duplicated AZ",
      (e) => (e.network.availabilityZones[1] = "ap-northeast-2a"),
      'prod: network.availabilityZones[1]: "ap-northeast-2a" is listed twice',
    ],
    ["a tier missing a subnet", (e) => e.network.subnets.public.pop(), "prod: network.subnets.public: has 1 CIDR(s) but there are 2 AZs"],
    [
      "min > max for the API",
      (e) => (e.compute.api.tasks = { min: 12, max: 10 }),
      "prod: compute.api.tasks: min 12 is greater than max 10",
    ],
    [
      "min > max for a GPU fleet",
      (e) => (e.compute.render.instances = { min: 9, max: 8 }),
      "prod: compute.render.instances: min 9 is greater than max 8",
    ],
    [
      "[SC-1] a GPU fleet above 20",
      (e) => (e.compute.render.instances.max = 21),
      "prod: compute.render.instances.max: 21 exceeds the limit of 20",
    ],
    [
      "an empty instance type list",
      (e) => (e.compute.mlAudio.instanceTypes = []),
      "prod: compute.mlAudio.instanceTypes: must list at least one instance type",
    ],
    [
      "a duplicated instance type",
      (e) => (e.compute.mlAudio.instanceTypes = ["g4dn.xlarge", "g4dn.xlarge"]),
      'prod: compute.mlAudio.instanceTypes[1]: "g4dn.xlarge" is listed twice',
    ],
    [
      "an empty required tag",
      (e) => (e.tags = { ...e.tags, Project: " " }),
      "prod: tags.Project: is required and must not be empty (ENV-4)",
    ],
    [
      "an Environment tag that is not the name",
      (e) => (e.tags = { ...e.tags, Environment: "production" }),
      'prod: tags.Environment: "production" must equal the environment name "prod"',
    ],
    ["an empty database class", (e) => (e.database.instanceClass = ""), "prod: database.instanceClass: is required and must not be empty"],
    [
      "a replica in the primary region",
      (e) => (e.database.crossRegionReplicaRegion = "ap-northeast-2"),
      'prod: database.crossRegionReplicaRegion: "ap-northeast-2" must differ from the primary region',
    ],
    ["a bad account id", (e) => (e.account.id = "1234"), 'prod: account.id: "1234" is not a 12-digit AWS account id'],
    [
      "a bad state bucket name",
      (e) => (e.backend.s3.bucket = "Bad_Bucket"),
      'prod: backend.s3.bucket: "Bad_Bucket" is not a valid S3 bucket name (3-63',
    ],
    [
      "an empty Terraform Cloud organization",
      (e) => (e.backend.cloud.organization = ""),
      "prod: backend.cloud.organization: is required and must not be empty",
    ],
    [
      "an unknown NAT policy",
      (e) => (e.network.natGateways = "none" as never),
      'prod: network.natGateways: "none" must be "one-per-az" or "single"',
    ],
    [
      // The config and RedisCluster share one rule (modules/redis-cluster/rules.ts): no config passes here to fail at construction.
      "a shard without a replica",
      (e) => (e.cache.replicasPerShard = 0),
      "prod: cache.replicasPerShard: 0 must be 1-5: automatic failover and Multi-AZ need a replica in every shard",
    ],
    [
      "no automated backups",
      (e) => (e.database.backupRetentionDays = 0),
      "prod: database.backupRetentionDays: 0 must be 1-35: replicas and point-in-time recovery need automated backups",
    ],
    [
      "a flow-log retention CloudWatch refuses",
      (e) => (e.network.flowLogRetentionDays = 45),
      "prod: network.flowLogRetentionDays: 45 is not a CloudWatch Logs retention value",
    ],
    [
      "a Fargate CPU value that does not exist",
      (e) => (e.compute.api.cpu = 3000),
      "prod: compute.api.cpu: 3000 is not a Fargate CPU value",
    ],
    [
      "an unknown Fargate capacity provider",
      (e) => (e.compute.api.capacityProvider = "EC2" as never),
      'prod: compute.api.capacityProvider: "EC2" must be "FARGATE" or "FARGATE_SPOT"',
    ],
    [
      "a service log retention CloudWatch refuses",
      (e) => (e.compute.logRetentionDays = 100),
      "prod: compute.logRetentionDays: 100 is not a CloudWatch Logs retention value",
    ],
    [
      "a GPU type outside the fleet class",
      (e) => (e.compute.mlAudio.instanceTypes = ["g4dn.xlarge", "p3.2xlarge"]),
      "prod: compute.mlAudio.instanceTypes: p3.2xlarge: not one-GPU types of the fleet class",
    ],
    [
      "[CMP-3] a GPU task larger than the fleet's smallest host",
      (e) => (e.compute.mlAudio.task = { cpu: 4096, memoryMiB: 16384 }),
      "prod: compute.mlAudio.task: 4096 CPU / 16384 MiB does not fit the smallest instance type of the fleet (4096 CPU / 15564 MiB)",
    ],
    [
      "a GPU task with too little memory",
      (e) => (e.compute.render.task = { cpu: 1024, memoryMiB: 100 }),
      "prod: compute.render.task.memoryMiB: 100 must be a whole number >= 512",
    ],
    [
      "[CMP-6] an API name outside its hosted zone",
      (e) => (e.ingress.domainName = "api.example.org"),
      'prod: ingress.domainName: "api.example.org" is not inside the hosted zone "ecg-render.com"',
    ],
    [
      "a domain that is not a DNS name",
      (e) => (e.ingress.domainName = "API_ecg"),
      'prod: ingress.domainName: "API_ecg" is not a lower-case DNS name',
    ],
    [
      "[SEC-3] a WAF rate limit below WAF's minimum",
      (e) => (e.ingress.rateLimitPer5Minutes = 5),
      "prod: ingress.rateLimitPer5Minutes: 5 must be a whole number >= 10",
    ],
    [
      "[SEC-3] an empty country allow-list",
      (e) => (e.ingress.allowedCountries = []),
      "prod: ingress.allowedCountries: must list at least one country",
    ],
    [
      "[SEC-3] a country that is not an ISO code",
      (e) => (e.ingress.allowedCountries = ["KR", "Korea"]),
      'prod: ingress.allowedCountries[1]: "Korea" is not an ISO 3166 alpha-2 country code',
    ],
    [
      "an access-log retention CloudWatch refuses",
      (e) => (e.ingress.logRetentionDays = 2),
      "prod: ingress.logRetentionDays: 2 is not a CloudWatch Logs retention value",
    ],
    [
      "[CI-5] a traffic shift that does not end at 100%",
      (e) => (e.delivery.trafficShift = [10, 50]),
      "prod: delivery.trafficShift: [10, 50] must be 1-3 increasing percentages ending at 100",
    ],
    [
      "[CI-5] a traffic shift that goes back",
      (e) => (e.delivery.trafficShift = [50, 10, 100]),
      "prod: delivery.trafficShift: [50, 10, 100] must be 1-3 increasing",
    ],
    [
      "[CI-5] four traffic steps",
      (e) => (e.delivery.trafficShift = [10, 25, 50, 100]),
      "prod: delivery.trafficShift: [10, 25, 50, 100] must be 1-3",
    ],
    [
      "[CI-5] a bake longer than the hook Lambda can hold",
      (e) => (e.delivery.bakeMinutes = 13),
      "prod: delivery.bakeMinutes: 13 must be a whole number from 1 to 12",
    ],
    [
      "[CI-4] a validation step without commands",
      (e) => (e.delivery.validations = [{ name: "load-test", commands: [] }]),
      "prod: delivery.validations[0].commands: must hold at least one command",
    ],
    [
      "[CI-4] a validation step with a bad name",
      (e) => (e.delivery.validations = [{ name: "Load Test", commands: ["make"] }]),
      'prod: delivery.validations[0].name: "Load Test" must be 1-40',
    ],
    [
      "[MON-2] an alarm subscriber that is not an e-mail address",
      (e) => (e.monitoring.alarmEmails.critical = ["oncall"]),
      'prod: monitoring.alarmEmails.critical[0]: "oncall" is not an e-mail address',
    ],
    [
      "[#17] a CDN signing key that is not a PEM public key",
      (e) => (e.ingress.cdnSigningPublicKeys = ["not a key"]),
      "prod: ingress.cdnSigningPublicKeys[0]: is not a PEM public key (-----BEGIN PUBLIC KEY-----)",
    ],
    [
      "[#17] no CDN signing key (CloudFront would accept no signature)",
      (e) => (e.ingress.cdnSigningPublicKeys = []),
      "prod: ingress.cdnSigningPublicKeys: lists 0 keys: one, or two while a key pair is replaced",
    ],
    [
      "[#17] the same CDN signing key twice",
      (e) => (e.ingress.cdnSigningPublicKeys = [e.ingress.cdnSigningPublicKeys[0], e.ingress.cdnSigningPublicKeys[0]]),
      "prod: ingress.cdnSigningPublicKeys[1]: is listed twice",
    ],
    [
      "[COST-6] a monthly budget of 0 dollars",
      (e) => ((e.monitoring as { monthlyBudgetUsd: number }).monthlyBudgetUsd = 0),
      "prod: monitoring.monthlyBudgetUsd: 0 must be a number of US dollars above 0 (the environment's monthly cost budget)",
    ],
    [
      "[#17] production without a critical alarm subscriber (its alarms and security findings would reach no one)",
      (e) => (e.monitoring.alarmEmails.critical = []),
      "prod: monitoring.alarmEmails.critical: is empty: production needs at least one subscriber for its critical alarms and security findings",
    ],
    [
      "[DR-3] a standby AZ outside the failover region",
      (e) => (e.disasterRecovery.standby!.network.availabilityZones[0] = "ap-northeast-2a"),
      'prod: disasterRecovery.standby.network.availabilityZones[0]: "ap-northeast-2a" is not an AZ of region ap-northeast-1',
    ],
    [
      "[DR-3] a standby subnet outside its VPC",
      (e) => (e.disasterRecovery.standby!.network.subnets.gpu[1] = "10.0.30.0/24"),
      "prod: disasterRecovery.standby.network.subnets.gpu[1]: 10.0.30.0/24 is outside the VPC CIDR 10.10.0.0/16",
    ],
    [
      "[ENV-3] a standby VPC overlapping the primary's",
      (e) => (e.disasterRecovery.standby!.network.vpcCidr = "10.0.0.0/16"),
      'prod: disasterRecovery.standby.network.vpcCidr: 10.0.0.0/16 overlaps the VPC of environment "prod" (10.0.0.0/16)',
    ],
    [
      "[DR-1] a standby without the cross-region replica",
      (e) => delete e.database.crossRegionReplicaRegion,
      'prod: database.crossRegionReplicaRegion: must be the failover region "ap-northeast-1" with a standby',
    ],
    [
      "[DR-1] a standby without its images",
      (e) => (e.disasterRecovery.replicateImages = false),
      "prod: disasterRecovery.replicateImages: must be true with a standby",
    ],
    [
      "[DR-3] standby state in the primary region",
      (e) => (e.disasterRecovery.standby!.backend.s3.region = "ap-northeast-2"),
      'prod: disasterRecovery.standby.backend.s3.region: "ap-northeast-2" is the primary region: the standby\'s state must survive an outage there',
    ],
    [
      "[DR-3] a standby whose WAF turns away Route 53's health checkers",
      (e) => (e.ingress.allowedCountries = ["KR", "US"]),
      "prod: ingress.allowedCountries: must admit JP with a standby: the WAF would answer Route 53's health checkers there with 403",
    ],
    [
      "[DR-1] a standby mode that is not a boolean",
      (e) => (e.disasterRecovery.standby!.active = "yes" as never),
      "prod: disasterRecovery.standby.active: yes must be true (failed over) or false (pilot light)",
    ],
  ])("refuses %s, naming the environment, the field and the reason", (_, breakIt, expected) => {
    const env = prodCopy();
    breakIt(env);
    expect(problemsOf([env]).join("\n")).toContain(expected);
  });

  it("[DR-1] refuses two environments replicating images from one account and region (ECR holds one replication configuration there)", () => {
    const oneAccount = { id: "123456789012", roleArn: "arn:aws:iam::123456789012:role/ecg-terraform", region: "ap-northeast-2" };
    const staging = {
      ...environments.find((e) => e.name === "staging")!,
      account: { ...oneAccount, sharedAccountWith: ["prod"] },
      disasterRecovery: { failoverRegion: "ap-northeast-1", replicateImages: true },
    };
    expect(problemsOf([staging, { ...prod, account: { ...oneAccount, sharedAccountWith: ["staging"] } }])).toContain(
      'prod: disasterRecovery.replicateImages: environment "staging" already replicates the images of this account and region: ECR holds one replication configuration per account and region',
    );
    const elsewhere = { ...staging, account: { id: "210987654321", region: "ap-northeast-2" } };
    expect(problemsOf([elsewhere, { ...prod, account: { id: "123456789012", region: "ap-northeast-2" } }])).toEqual([]);
  });

  it("[DR-3] refuses a standby whose state bucket the bootstrap stack does not create, before building anything", () => {
    const env = prodCopy();
    env.disasterRecovery.standby!.backend.s3 = { bucket: "somewhere-else", region: "ap-northeast-1" };
    const outdir = join(mkdtempSync(join(tmpdir(), "ecg-standby-state-")), "out");
    expect(() => buildApp({ ...program, environments: [env] }, { outdir })).toThrow(
      "prod: disasterRecovery.standby.backend.s3: s3://somewhere-else (ap-northeast-1) is not the failover state bucket the bootstrap stack creates, s3://ecg-render-terraform-state-ap-northeast-1 (ap-northeast-1)",
    );
    expect(() => buildApp({ ...program, environments: [prod], failoverStateBucket: undefined }, { outdir })).toThrow(
      "the program has no failoverStateBucket",
    );
    expect(existsSync(outdir)).toBe(false);
  });

  it("[ENV-3] refuses two environments with the same name", () => {
    expect(problemsOf([prod, prodCopy()])).toContain('prod: name: "prod" is used by another environment (ENV-3)');
  });

  it("[ENV-3] refuses environments whose VPC ranges overlap", () => {
    const other = prodCopy();
    other.name = "qa";
    other.tags = { ...other.tags, Environment: "qa" };
    expect(problemsOf([prod, other])).toContain(
      'qa: network.vpcCidr: 10.0.0.0/16 overlaps the VPC of environment "prod" (10.0.0.0/16); VPCs never share CIDR ranges (ENV-3)',
    );
  });

  it("refuses a malformed environment name", () => {
    const env = prodCopy();
    env.name = "Prod!";
    expect(problemsOf([env]).join("\n")).toContain('name: "Prod!" must be 2-16 lower-case letters or digits');
  });

  it("lists every problem at once in one message", () => {
    const env = prodCopy();
    env.network.vpcCidr = "bogus";
    env.compute.api.tasks = { min: 3, max: 1 };
    expect(() => validateEnvironments([env])).toThrow(
      /Invalid environment configuration \(2 problems\):\n {2}- prod: network\.vpcCidr: "bogus" is not an IPv4 CIDR.*\n {2}- prod: compute\.api\.tasks: min 3 is greater than max 1/,
    );
  });
});

/**
 * Issue #13's configuration rules, each as the environments it breaks: the
 * shipped three with one changed (ENV-3 is checked across environments).
 */
const ISSUE_13_CASES: [string, () => EnvironmentConfig[], string][] = [
  [
    "[RDS-3] [RDS API Reference, CreateDBInstanceReadReplica: no default VPC is assumed] a cross-region replica without a standby and without crossRegionReplicaNetwork",
    () => {
      const s = stagingCopy();
      delete (s.database as Partial<typeof s.database>).crossRegionReplicaNetwork;
      return [dev, s, prod];
    },
    "staging: database.crossRegionReplicaNetwork: is required: the replica needs subnets in ap-northeast-1",
  ],
  [
    "[DR-1] a crossRegionReplicaNetwork with a standby (the replica lives in the standby's private subnets)",
    () => {
      const p = prodCopy();
      p.database.crossRegionReplicaNetwork = {
        vpcCidr: "10.12.0.0/16",
        availabilityZones: ["ap-northeast-1a", "ap-northeast-1c"],
        subnets: ["10.12.1.0/24", "10.12.2.0/24"],
        flowLogRetentionDays: 365,
      };
      return [dev, staging, p];
    },
    "prod: database.crossRegionReplicaNetwork: must be unset with a standby: the replica lives in the standby's private subnets",
  ],
  [
    "a crossRegionReplicaNetwork without crossRegionReplicaRegion",
    () => {
      const s = stagingCopy();
      delete s.database.crossRegionReplicaRegion;
      return [dev, s, prod];
    },
    "staging: database.crossRegionReplicaNetwork: is set without database.crossRegionReplicaRegion: there is no replica to place in it",
  ],
  [
    "[RDS User Guide: a DB subnet group needs subnets in at least two AZs] a replica network with one subnet for two AZs",
    () => {
      const s = stagingCopy();
      s.database.crossRegionReplicaNetwork!.subnets = ["10.11.1.0/24"];
      return [dev, s, prod];
    },
    "staging: database.crossRegionReplicaNetwork.subnets: has 1 CIDR(s) but there are 2 AZs",
  ],
  [
    "a replica subnet outside the replica VPC",
    () => {
      const s = stagingCopy();
      s.database.crossRegionReplicaNetwork!.subnets = ["10.11.1.0/24", "10.99.2.0/24"];
      return [dev, s, prod];
    },
    "staging: database.crossRegionReplicaNetwork.subnets[1]: 10.99.2.0/24 is outside the VPC CIDR 10.11.0.0/16",
  ],
  [
    "a replica AZ outside the replica region",
    () => {
      const s = stagingCopy();
      s.database.crossRegionReplicaNetwork!.availabilityZones = ["ap-northeast-2a", "ap-northeast-1c"];
      return [dev, s, prod];
    },
    'staging: database.crossRegionReplicaNetwork.availabilityZones[0]: "ap-northeast-2a" is not an AZ of region ap-northeast-1',
  ],
  [
    "[CloudWatch Logs API Reference, PutRetentionPolicy: retentionInDays is one of a fixed list] a replica flow-log retention CloudWatch refuses",
    () => {
      const s = stagingCopy();
      s.database.crossRegionReplicaNetwork!.flowLogRetentionDays = 45;
      return [dev, s, prod];
    },
    "staging: database.crossRegionReplicaNetwork.flowLogRetentionDays: 45 is not a CloudWatch Logs retention value",
  ],
  [
    "[ENV-3] a replica VPC overlapping its environment's",
    () => {
      const s = stagingCopy();
      s.database.crossRegionReplicaNetwork = {
        ...s.database.crossRegionReplicaNetwork!,
        vpcCidr: "10.1.0.0/16",
        subnets: ["10.1.101.0/24", "10.1.102.0/24"],
      };
      return [dev, s, prod];
    },
    'staging: database.crossRegionReplicaNetwork.vpcCidr: 10.1.0.0/16 overlaps the VPC of environment "staging" (10.1.0.0/16); VPCs never share CIDR ranges (ENV-3)',
  ],
  [
    "[ENV-3] a replica VPC overlapping another environment's standby",
    () => {
      const s = stagingCopy();
      s.database.crossRegionReplicaNetwork = {
        ...s.database.crossRegionReplicaNetwork!,
        vpcCidr: "10.10.0.0/16",
        subnets: ["10.10.101.0/24", "10.10.102.0/24"],
      };
      return [dev, s, prod];
    },
    'prod: disasterRecovery.standby.network.vpcCidr: 10.10.0.0/16 overlaps the VPC of the database replica of "staging" (10.10.0.0/16)',
  ],
  [
    "[CMP-3] [EC2 Auto Scaling User Guide, target tracking: no metric data, no scaling] an ML Audio fleet that may shrink to no host, whose only scaling signal comes from its hosts",
    () => {
      const p = prodCopy();
      p.compute.mlAudio.instances.min = 0;
      p.compute.mlAudio.onDemandBaseCapacity = 0;
      return [dev, staging, p];
    },
    "prod: compute.mlAudio.instances.min: must be at least 1: ML Audio scales on its own hosts' GPU utilization, which does not exist while it has no host",
  ],
  [
    "[EC2 Auto Scaling API Reference, LifecycleHook: a host waits at most 48 hours] a render drain of 0 minutes",
    () => {
      const p = prodCopy();
      p.compute.render.drainMinutes = 0;
      return [dev, staging, p];
    },
    "prod: compute.render.drainMinutes: 0 minutes: a host may wait 1-1440 minutes for its work",
  ],
  [
    "[EC2 Auto Scaling API Reference, LifecycleHook: a host waits at most 48 hours] a render drain above a day",
    () => {
      const p = prodCopy();
      p.compute.render.drainMinutes = 1441;
      return [dev, staging, p];
    },
    "prod: compute.render.drainMinutes: 1441 minutes: a host may wait 1-1440 minutes for its work",
  ],
  [
    "[COST-2] [EC2 Auto Scaling User Guide: a scheduled action sets the group's minimum] a base minimum that is none of the scheduled minimums",
    () => {
      const p = prodCopy();
      p.compute.render.instances.min = 3;
      return [dev, staging, p];
    },
    "prod: compute.render.instances.min: 3 is none of the scheduled minimums (4, 2, 1, 2); the schedules own the minimum, so the base must be one of them",
  ],
  [
    "[RDS-1] [RDS for PostgreSQL: no new 15.4 instances from 2024-12-09] engineVersion 15.4",
    () => {
      const p = prodCopy();
      p.database.engineVersion = "15.4";
      return [dev, staging, p];
    },
    'prod: database.engineVersion: RDS for PostgreSQL "15.4" can no longer be created since 2024-12-09; use 15 (auto minor version upgrade)',
  ],
];

describe("issue #13 configuration rules", () => {
  it.each(ISSUE_13_CASES)("refuses %s, naming the environment and the field path, and writes nothing", (_, environmentsOf, expected) => {
    const envs = environmentsOf();
    const problems = problemsOf(envs);
    expect(problems.join("\n")).toContain(expected);
    // That one problem for that field: `<environment>: <path>`.
    const field = expected.split(": ").slice(0, 2).join(": ");
    expect(problems.filter((p) => p.startsWith(`${field}: `))).toHaveLength(1);
    const outdir = join(mkdtempSync(join(tmpdir(), "ecg-issue-13-")), "out");
    expect(() => buildApp({ ...program, environments: envs }, { outdir })).toThrow(expected);
    expect(existsSync(outdir)).toBe(false);
  });

  it("[COST-2] accepts a fleet without schedules at any minimum, and the drain's bounds of 1 and 1440 minutes", () => {
    const p = prodCopy();
    p.compute.mlAudio.instances.min = 3;
    p.compute.render.drainMinutes = 1440;
    expect(problemsOf([dev, staging, p])).toEqual([]);
    p.compute.render.drainMinutes = 1;
    expect(problemsOf([dev, staging, p])).toEqual([]);
  });

  it("[RDS-1] the deprecation calendar judges the configuration on ECG_TODAY's day: 15 is refused in every environment once RDS ends its standard support", () => {
    const saved = process.env.ECG_TODAY;
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      // The day before: accepted, with a warning per environment.
      process.env.ECG_TODAY = "2028-02-28";
      expect(problemsOf(environments)).toEqual([]);
      const warnings = stderr.mock.calls.map(([line]) => String(line)).filter((line) => line.includes("database.engineVersion"));
      expect(warnings.map((w) => w.slice(0, w.indexOf(" can no longer")))).toEqual(
        ["dev", "staging", "prod"].map((name) => `warning: ${name}: database.engineVersion: RDS for PostgreSQL "15"`),
      );
      expect(warnings[0]).toContain("can no longer be created from 2028-02-29 (in 1 days)");
      process.env.ECG_TODAY = "2028-02-29";
      expect(problemsOf(environments).map((p) => p.slice(0, p.indexOf(" can no longer")))).toEqual(
        ["dev", "staging", "prod"].map((name) => `${name}: database.engineVersion: RDS for PostgreSQL "15"`),
      );
    } finally {
      stderr.mockRestore();
      if (saved === undefined) delete process.env.ECG_TODAY;
      else process.env.ECG_TODAY = saved;
    }
  });
});

describe("bad configuration writes nothing", () => {
  const input = (envs: readonly EnvironmentConfig[]) => ({ ...program, environments: envs, sharedTags: { Project: "ecg-render" } });

  it("does not create the output directory when the configuration is invalid", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "ecg-synth-")), "out");
    const env = prodCopy();
    env.network.subnets.gpu[0] = "192.168.0.0/24";
    expect(() => buildApp(input([env]), { outdir }).synth()).toThrow("network.subnets.gpu[0]: 192.168.0.0/24 is outside the VPC CIDR");
    expect(existsSync(outdir)).toBe(false);
  });

  it("removes the directory the App created when a construct refuses its props", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "ecg-synth-")), "out");
    // Environments are valid; the bootstrap stack refuses the state bucket name.
    const badBucket = { ...input(environments), stateBucket: { bucket: "Bad_Bucket", region: "ap-northeast-2" } };
    expect(() => buildApp(badBucket, { outdir })).toThrow(
      'StateBackendStack "ecg-state": state.bucket: "Bad_Bucket" is not a valid S3 bucket name',
    );
    expect(existsSync(outdir)).toBe(false);
  });

  it("leaves an existing output directory untouched", () => {
    const outdir = mkdtempSync(join(tmpdir(), "ecg-synth-"));
    const env = prodCopy();
    env.compute.render.instances = { min: 5, max: 2 };
    expect(() => buildApp(input([env]), { outdir })).toThrow("compute.render.instances: min 5 is greater than max 2");
    expect(readdirSync(outdir)).toEqual([]);
  });

  it("[PLT-5] refuses an unknown ECG_TF_BACKEND value before building anything", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "ecg-synth-")), "out");
    expect(() => buildApp(input(environments), { outdir, backendOverride: "consul" })).toThrow(
      'ECG_TF_BACKEND: "consul" must be "s3" or "cloud"',
    );
    expect(existsSync(outdir)).toBe(false);
  });
});
