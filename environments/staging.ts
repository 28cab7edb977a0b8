import { projectTags, publicZoneName, renderWorkingHours, environmentBackend, stagingValidations } from "./shared";
import { accountIds, programRoleArn } from "./organization";
import type { EnvironmentConfig } from "./types";

/** Staging: prod's topology (two NAT gateways, Multi-AZ, replicas) at smaller sizes. */
export const staging: EnvironmentConfig = {
  name: "staging",
  account: { id: accountIds.staging, roleArn: programRoleArn(accountIds.staging), region: "ap-northeast-2" },
  production: false,
  tags: { ...projectTags, Environment: "staging" },
  network: {
    vpcCidr: "10.1.0.0/16",
    availabilityZones: ["ap-northeast-2a", "ap-northeast-2c"],
    subnets: {
      public: ["10.1.1.0/24", "10.1.10.0/24"],
      private: ["10.1.2.0/24", "10.1.20.0/24"],
      gpu: ["10.1.3.0/24", "10.1.30.0/24"],
    },
    natGateways: "one-per-az",
    flowLogRetentionDays: 90,
  },
  compute: {
    api: { cpu: 1024, memoryMiB: 2048, tasks: { min: 2, max: 4 }, targetCpuPercent: 70, capacityProvider: "FARGATE" },
    mlAudio: {
      instanceTypes: ["g4dn.xlarge", "g4dn.2xlarge", "g4dn.4xlarge"],
      instances: { min: 1, max: 2 },
      onDemandBaseCapacity: 0,
      onDemandPercentAboveBase: 0,
      predictiveScaling: false,
      task: { cpu: 4096, memoryMiB: 14336 },
    },
    render: {
      instanceTypes: ["g4dn.2xlarge", "g4dn.4xlarge", "g4dn.8xlarge"],
      instances: { min: 1, max: 4 },
      onDemandBaseCapacity: 1,
      onDemandPercentAboveBase: 0,
      scheduledMinimums: renderWorkingHours,
      predictiveScaling: false,
      task: { cpu: 8192, memoryMiB: 28672 },
    },
    logRetentionDays: 90,
  },
  ingress: {
    domainName: "api.staging.ecg-render.com",
    cdnDomainName: "cdn.staging.ecg-render.com",
    // An example key pair whose private half was not kept: replace it with yours (docs/operations.md).
    cdnSigningPublicKeys: [
      `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA47c7VIRAxFYz8lgXMeX9
4MK4W6Q1Vfh+WNIdexCqI2OyHS3LnmXmJfvj702KXdC7cY/gtaalBcRWhHJo+gZ2
56Ji89loowcFfnTmY2VUcK2Jb9/E3iCuJ3nNxptcANB2LFaYceLMFP6a37PTPTaz
KelSz3LtcFyrizJPTcsaer8SFjqbwKunsTdsx/glaZNLiyKJI1ZmXoO3Aif3CzEX
vgAhAf4cIfGs1QjWm716wiBlAHZUM18nKVzwZAWsu6MekBWd1y8WEH4OIGxLcY+6
/uRaNkv9+rR4+ce0bGWlocY0zMthcckIP/G8+V3G/SEJqWoTCI8y/1u/SnbhJPfc
xQIDAQAB
-----END PUBLIC KEY-----
`,
    ],
    // Its own account holds its own zone, delegated from publicZoneName (docs/operations.md, "Before the first deployment").
    hostedZoneName: `staging.${publicZoneName}`,
    rateLimitPer5Minutes: 1000,
    allowedCountries: ["KR", "US", "JP"],
    logRetentionDays: 90,
  },
  database: {
    engineVersion: "15",
    instanceClass: "db.r6g.large",
    allocatedStorageGiB: 100,
    multiAz: true,
    backupRetentionDays: 7,
    sameRegionReplicas: 1,
    crossRegionReplicaRegion: "ap-northeast-1",
    // Staging has no standby: its Tokyo replica gets a private-only VPC of its own.
    crossRegionReplicaNetwork: {
      vpcCidr: "10.11.0.0/16",
      availabilityZones: ["ap-northeast-1a", "ap-northeast-1c"],
      subnets: ["10.11.1.0/24", "10.11.2.0/24"],
      flowLogRetentionDays: 90,
    },
    deletionProtection: true,
  },
  cache: {
    engineVersion: "7.0",
    nodeType: "cache.r6g.large",
    shards: 3,
    replicasPerShard: 1,
    snapshotRetentionDays: 3,
  },
  storage: { videosBucketPrefix: "ecg-videos", replicationRegion: "us-west-2" },
  disasterRecovery: { failoverRegion: "ap-northeast-1", replicateImages: false },
  delivery: { trafficShift: [100], bakeMinutes: 5, approval: true, validations: stagingValidations },
  monitoring: { alarmEmails: { critical: [], warning: [] }, monthlyBudgetUsd: 4500 },
  backend: environmentBackend("staging"),
};
