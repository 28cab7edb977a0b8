import { projectTags, publicZoneName, environmentBackend } from "./shared";
import { accountIds, programRoleArn } from "./organization";
import type { EnvironmentConfig } from "./types";

/**
 * Development: the cheapest working copy (ENV-2): one NAT gateway, a
 * single-AZ database without replicas, small nodes, all-Spot GPU fleets.
 */
export const dev: EnvironmentConfig = {
  name: "dev",
  account: { id: accountIds.dev, roleArn: programRoleArn(accountIds.dev), region: "ap-northeast-2" },
  production: false,
  tags: { ...projectTags, Environment: "dev" },
  network: {
    vpcCidr: "10.2.0.0/16",
    availabilityZones: ["ap-northeast-2a", "ap-northeast-2c"],
    subnets: {
      public: ["10.2.1.0/24", "10.2.10.0/24"],
      private: ["10.2.2.0/24", "10.2.20.0/24"],
      gpu: ["10.2.3.0/24", "10.2.30.0/24"],
    },
    natGateways: "single",
    flowLogRetentionDays: 30,
  },
  compute: {
    api: { cpu: 512, memoryMiB: 1024, tasks: { min: 1, max: 2 }, targetCpuPercent: 70, capacityProvider: "FARGATE_SPOT" },
    mlAudio: {
      instanceTypes: ["g4dn.xlarge", "g4dn.2xlarge", "g4dn.4xlarge"],
      // One host at least: ML Audio scales on its hosts' GPU utilization (validate.ts).
      instances: { min: 1, max: 1 },
      onDemandBaseCapacity: 0,
      onDemandPercentAboveBase: 0,
      predictiveScaling: false,
      task: { cpu: 4096, memoryMiB: 14336 },
    },
    render: {
      instanceTypes: ["g4dn.2xlarge", "g4dn.4xlarge", "g4dn.8xlarge"],
      instances: { min: 0, max: 2 },
      onDemandBaseCapacity: 0,
      onDemandPercentAboveBase: 0,
      predictiveScaling: false,
      task: { cpu: 8192, memoryMiB: 28672 },
    },
    logRetentionDays: 30,
  },
  ingress: {
    domainName: "api.dev.ecg-render.com",
    cdnDomainName: "cdn.dev.ecg-render.com",
    // An example key pair whose private half was not kept: replace it with yours (docs/operations.md).
    cdnSigningPublicKeys: [
      `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA3fZde3plDEL3keKtiaQV
AW3ot1+60Y/gSV1ptM3JB8O3MP8eaCpUwQfb2U8cLDB7aK+rvDBLBWLKIVXto1T3
zbj73xTC6g0xRQczjoR22cplv7VrestDd2umGJdYTTfOtibAhmeuHd8ID5oYwb4j
6qt0ymX2PaI/rlKrSlXkXAYf3+KHImSuqmuSYVnIT22b7IHdJJbHHRYOWbi3JHc1
RTVDDnbyirkOLmJIRBAr+cz8tB4MIx8NLTc+a9bpF+MGWFN3IfeF7doOBp+Kzqn+
YDuX/rbSU5tXkUHqLLS4n5za9OkvHDtQHv+ygGRwBWwVhNqZsH+zH+E5kbtazM6b
awIDAQAB
-----END PUBLIC KEY-----
`,
    ],
    // Its own account holds its own zone, delegated from publicZoneName (docs/operations.md, "Before the first deployment").
    hostedZoneName: `dev.${publicZoneName}`,
    rateLimitPer5Minutes: 1000,
    allowedCountries: ["KR", "US", "JP"],
    logRetentionDays: 30,
  },
  database: {
    engineVersion: "15",
    instanceClass: "db.t4g.medium",
    allocatedStorageGiB: 20,
    multiAz: false,
    backupRetentionDays: 1,
    sameRegionReplicas: 0,
    deletionProtection: false,
  },
  cache: {
    engineVersion: "7.0",
    nodeType: "cache.t4g.small",
    shards: 1,
    replicasPerShard: 1,
    snapshotRetentionDays: 1,
  },
  storage: { videosBucketPrefix: "ecg-videos", replicationRegion: "us-west-2" },
  disasterRecovery: { failoverRegion: "ap-northeast-1", replicateImages: false },
  delivery: { trafficShift: [100], bakeMinutes: 5, approval: false, validations: [] },
  monitoring: { alarmEmails: { critical: [], warning: [] }, monthlyBudgetUsd: 1000 },
  backend: environmentBackend("dev"),
};
